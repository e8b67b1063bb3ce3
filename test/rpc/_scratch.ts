import { load } from '../../scripts/bench/rpc.ts';
import { startRig, TOKENS } from './harness.ts';
import { createFakeDesk } from './fake-desk.ts';
import { readBody, sendJson } from '../../rpc/http-body.ts';
const rig = await startRig({ desk: createFakeDesk(), env: { RPC_RATE_PER_MIN: '1000000' } });
rig.http.addRoute({ method: 'POST', path: '/bare', handle: (req, res) => { const c: Buffer[] = []; req.on('data', (d) => c.push(d)); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"a":1}'); }); } });
rig.http.addRoute({ method: 'POST', path: '/rb', handle: async (req, res) => { await readBody(req); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"a":1}'); } });
rig.http.addRoute({ method: 'POST', path: '/sj', handle: (req, res) => { const c: Buffer[] = []; req.on('data', (d) => c.push(d)); req.on('end', () => { sendJson(res, 200, { a: 1 }); }); } });
rig.http.addRoute({ method: 'POST', path: '/cl', handle: (req, res) => { const c: Buffer[] = []; req.on('data', (d) => c.push(d)); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 7 }); res.end('{"a":1}'); }); } });
const toks = Array.from({ length: 100 }, () => TOKENS.admin);
for (let r = 0; r < 3; r++) {
  const out: string[] = [];
  for (const p of ['/bare', '/rb', '/sj', '/cl']) {
    const a = await load('http', `http://127.0.0.1:${rig.port}${p}`, toks, true, 1500);
    out.push(`${p} ${Math.round(a.calls / a.seconds)}`);
  }
  console.log(out.join('  '));
}
await rig.close();
