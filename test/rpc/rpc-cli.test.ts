import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRpcCli } from '../../scripts/rpc.ts';
import { startDeskRig, TOKENS, type DeskRig } from './harness.ts';

let rig: DeskRig;
beforeAll(async () => {
  rig = await startDeskRig();
});
afterAll(async () => {
  await rig.close();
});

async function cli(argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRpcCli(argv, env, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run rpc -- <method> [json params]', () => {
  const env = () => ({ DESK_RPC_TOKEN: TOKENS.trader, DESK_RPC_URL: `http://127.0.0.1:${rig.port}/rpc` });

  it('prints the result as JSON and exits 0', async () => {
    const r = await cli(['desk.status'], env());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ mode: 'paper', feed: 'replay' });
    const s = await cli(['settings.set', '{"language":"ru"}'], env());
    expect(JSON.parse(s.out).settings.language).toBe('ru');
  });

  it('prints a desk error with its code and exits 1', async () => {
    const r = await cli(['signals.get', '{"id":"nope"}'], env());
    expect(r.code).toBe(1);
    expect(r.err).toContain('error -32004 NOT_FOUND: Not found');
    const v = await cli(['trade.execute', '{"signalId":""}'], env());
    expect(v.err).toContain('error -32602 VALIDATION: Invalid params: signalId');
  });

  it('exits 2 on usage errors, a missing or wrong token, and an unreachable desk — never echoing the token', async () => {
    expect((await cli([], env())).code).toBe(2);
    expect((await cli(['desk.status', '{bad'], env())).code).toBe(2);
    expect((await cli(['desk.status'], { DESK_RPC_URL: env().DESK_RPC_URL })).err).toContain('DESK_RPC_TOKEN');
    const wrong = await cli(['desk.status'], { ...env(), DESK_RPC_TOKEN: 'wrong-token-1234567890' });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('-32001 UNAUTHENTICATED');
    expect(wrong.err).not.toContain('wrong-token');
    const down = await cli(['desk.status'], { ...env(), DESK_RPC_URL: 'http://127.0.0.1:1/rpc' });
    expect(down.code).toBe(2);
    expect(down.err).toContain('cannot reach');
  });
});
