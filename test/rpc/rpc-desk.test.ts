import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from '../../engine/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { DESK_TOKENS, startRig, TOKENS, type RpcRig } from './harness.ts';

let t: TestDesk | null = null;
let rig: RpcRig<Desk> | null = null;
afterEach(async () => {
  await rig?.close();
  await t?.close();
  rig = null;
  t = null;
});

async function start(overrides: Record<string, string> = {}) {
  t = await createTestDesk({ DESK_TOKENS, ...overrides });
  rig = await startRig({ desk: t.desk, config: t.config, metrics: t.metrics, clock: t.clock });
  return { t, rig };
}

const body = (r: { body: string }) => JSON.parse(r.body);

describe('JSON-RPC against the real desk', () => {
  it('a trader previews, executes and closes a real signal over WebSocket and sees the events', async () => {
    const { t, rig } = await start();
    const signal = await t.nextSignal();
    const ws = await rig.ws(TOKENS.trader);
    await ws.call('events.subscribe', { topics: ['order.placed', 'order.filled', 'position.opened', 'position.closed'] }, 'sub');

    const preview = await ws.call('trade.preview', { signalId: signal.id }, 'pv');
    expect(preview.result).toMatchObject({ signalId: signal.id, allowed: true, refusal: null });

    ws.send({ jsonrpc: '2.0', id: 'ex', method: 'trade.execute', params: { signalId: signal.id } });
    const seen: any[] = [];
    for (let i = 0; i < 8 && !seen.some((m) => m.id === 'ex'); i++) seen.push(await ws.next());
    const reply = seen.find((m) => m.id === 'ex');
    expect(reply.result).toMatchObject({ status: 'filled', symbol: signal.symbol, duplicate: false });
    const events = seen.filter((m) => m.method === 'event').map((m) => m.params.type);
    expect(events).toContain('order.placed');

    const positions = await ws.call('positions.list', {}, 'pl');
    expect(positions.result.positions).toHaveLength(1);
    expect(positions.result.positions[0].actorId).toBe('tom');

    ws.send({ jsonrpc: '2.0', id: 'cl', method: 'positions.close', params: { positionId: reply.result.positionId } });
    const after: any[] = [];
    for (let i = 0; i < 8 && !after.some((m) => m.id === 'cl'); i++) after.push(await ws.next());
    expect(after.find((m) => m.id === 'cl').result).toMatchObject({ status: 'closed', remainingQty: 0 });
  });

  it('a double execute of one signal in one batch places one order (the second is a duplicate or refused)', async () => {
    const { t, rig } = await start();
    const signal = await t.nextSignal();
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'trade.execute', params: { signalId: signal.id } });
    const replies = body(await rig.post([call(1), call(2), call(3)], TOKENS.trader)) as any[];
    expect(replies).toHaveLength(3);
    const fresh = replies.filter((r) => r.result && r.result.duplicate === false);
    expect(fresh).toHaveLength(1);
    for (const r of replies) if (r.error) expect(r.error.code).not.toBe(-32603);
    const open = await t.desk.listPositions({ kind: 'rpc', id: 'tom', role: 'trader' });
    expect(open.positions).toHaveLength(1);
  });

  it('roles, gates and validation come from the desk with their stable codes', async () => {
    const { t, rig } = await start({ LIMIT_SCANS_PER_DAY: '1' });
    const signal = await t.nextSignal();
    const viewerExec = body(await rig.post({ jsonrpc: '2.0', id: 1, method: 'trade.execute', params: { signalId: signal.id } }, TOKENS.viewer));
    expect(viewerExec.error).toMatchObject({ code: -32002, data: { code: 'FORBIDDEN' } });

    const ks = body(await rig.post({ jsonrpc: '2.0', id: 2, method: 'risk.killSwitch', params: { on: true, reason: 'test' } }, TOKENS.trader));
    expect(ks.result.killSwitch).toBe(true);
    const refused = body(await rig.post({ jsonrpc: '2.0', id: 3, method: 'trade.execute', params: { signalId: signal.id } }, TOKENS.trader));
    expect(refused.error).toMatchObject({ code: -32008, data: { code: 'KILL_SWITCH' } });
    const offByTrader = body(await rig.post({ jsonrpc: '2.0', id: 4, method: 'risk.killSwitch', params: { on: false } }, TOKENS.trader));
    expect(offByTrader.error.data.code).toBe('FORBIDDEN');
    const offByAdmin = body(await rig.post({ jsonrpc: '2.0', id: 5, method: 'risk.killSwitch', params: { on: false } }, TOKENS.admin));
    expect(offByAdmin.result.killSwitch).toBe(false);

    expect(body(await rig.post({ jsonrpc: '2.0', id: 6, method: 'scan.run' }, TOKENS.viewer)).result.limit.max).toBe(1);
    const scan2 = body(await rig.post({ jsonrpc: '2.0', id: 7, method: 'scan.run' }, TOKENS.viewer));
    expect(scan2.error).toMatchObject({ code: -32003, data: { code: 'RATE_LIMITED', detail: { limit: 'scan', max: 1 } } });

    const missing = body(await rig.post({ jsonrpc: '2.0', id: 8, method: 'signals.get', params: { id: 'no-such' } }, TOKENS.viewer));
    expect(missing.error).toMatchObject({ code: -32004, data: { code: 'NOT_FOUND' } });

    const status = body(await rig.post({ jsonrpc: '2.0', id: 9, method: 'desk.status' }, TOKENS.viewer));
    expect(status.result).toMatchObject({ mode: 'paper', feed: 'replay' });
    const users = body(await rig.post({ jsonrpc: '2.0', id: 10, method: 'users.list' }, TOKENS.admin));
    expect(users.result.users.map((u: any) => u.id)).toEqual(expect.arrayContaining(['tom', 'vic']));
  });

  it('every read method answers with a result that matches its output schema', async () => {
    const { rig } = await start();
    const { RPC_METHODS } = await import('../../rpc/methods.ts');
    const special: Record<string, unknown> = { 'market.candles': { symbol: 'BTCUSDT', interval: '60', limit: 10 } };
    const skip = new Set(['signals.get', 'trade.preview', 'scan.run']);
    for (const m of RPC_METHODS.filter((x) => !x.wsOnly && x.role === 'viewer' && !skip.has(x.name))) {
      const params = special[m.name] ?? {};
      const r = body(await rig.post({ jsonrpc: '2.0', id: m.name, method: m.name, params }, TOKENS.viewer));
      expect(r.error, m.name).toBeUndefined();
      expect(m.result.safeParse(r.result).success, m.name).toBe(true);
    }
  });
});
