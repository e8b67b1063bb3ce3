import { JSONRPCServer } from 'json-rpc-2.0';
import { answer } from '../../rpc/wire.ts';
import { parseParams } from '../../rpc/methods.ts';
import { StatusInput } from '../../engine/index.ts';
const N = 100000;
const plain = new JSONRPCServer<{ a: number }>({ errorListener: () => {} });
plain.addMethod('m', async () => ({ ok: 1 }));
const mw = new JSONRPCServer<{ a: number }>({ errorListener: () => {} });
mw.addMethod('m', async () => ({ ok: 1 }));
mw.applyMiddleware(async (next, r, c) => { const x = await next(r, c); return x; });
const req = { jsonrpc: '2.0' as const, id: 1, method: 'm' };
for (let k = 0; k < 2; k++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) await plain.receive(req, { a: 1 });
  console.log('lib receive', ((performance.now() - t) * 1000 / N).toFixed(2));
  t = performance.now();
  for (let i = 0; i < N; i++) await mw.receive(req, { a: 1 });
  console.log('lib receive + mw', ((performance.now() - t) * 1000 / N).toFixed(2));
  t = performance.now();
  for (let i = 0; i < N; i++) await answer('{"jsonrpc":"2.0","id":1,"method":"m"}', (q) => plain.receive(q, { a: 1 }));
  console.log('answer + lib', ((performance.now() - t) * 1000 / N).toFixed(2));
  t = performance.now();
  for (let i = 0; i < N; i++) parseParams(StatusInput, undefined);
  console.log('parseParams', ((performance.now() - t) * 1000 / N).toFixed(2));
}
