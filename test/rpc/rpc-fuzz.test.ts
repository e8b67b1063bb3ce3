import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzHttp, fuzzWs } from './fuzz.ts';
import { startDeskRig, TOKENS, type DeskRig } from './harness.ts';

// Seeded fuzz over real sockets against the real test desk: half the messages as POST bodies over
// 4 keep-alive connections, half as frames on one WebSocket. RPC_FUZZ_N sets the total: 10k in the
// suite; the full run is `RPC_FUZZ_N=100000 npx vitest run test/rpc/rpc-fuzz.test.ts` (npm run fuzz:rpc).
const TOTAL = Number(process.env.RPC_FUZZ_N ?? 10_000);
const SEED = Number(process.env.RPC_FUZZ_SEED ?? 20261121);

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

let rig: DeskRig;
beforeAll(async () => {
  rig = await startDeskRig({ RPC_RATE_PER_MIN: '1000000', LIMIT_SCANS_PER_DAY: '3' });
});
afterAll(async () => {
  await rig.close();
});

describe(`fuzz: ${TOTAL} random and malformed messages`, () => {
  it('keeps the server up, answers only valid JSON-RPC, and keeps memory flat', { timeout: 600_000 }, async () => {
    const warm = await fuzzHttp(rig.port, TOKENS.admin, 2000, SEED - 1);
    expect(warm.problems).toEqual([]);
    const before = heapMb();
    const http = await fuzzHttp(rig.port, TOKENS.admin, TOTAL / 2, SEED);
    const ws = await fuzzWs(rig.port, TOKENS.admin, TOTAL / 2, SEED + 1);
    const after = heapMb();
    console.info(
      JSON.stringify({ fuzz: TOTAL, seed: SEED, http: { sent: http.sent, replies: http.replies, empty: http.empty }, ws: { sent: ws.sent, replies: ws.replies, authCloses: ws.reconnects }, heapDeltaMb: Math.round((after - before) * 10) / 10 }),
    );
    expect(http.problems.slice(0, 5)).toEqual([]);
    expect(ws.problems.slice(0, 5)).toEqual([]);
    expect(ws.closed).toBe(false);
    expect(http.sent + ws.sent).toBe(TOTAL);
    expect(http.replies).toBeGreaterThan(TOTAL / 4);
    expect(ws.replies).toBeGreaterThan(TOTAL / 4);
    expect(after - before).toBeLessThan(32);
    const status = await rig.post({ jsonrpc: '2.0', id: 'alive', method: 'desk.status' });
    expect(JSON.parse(status.body).result.mode).toBe('paper');
    expect(rig.rpc.sockets).toBe(0);
  });
});
