import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { DeskEvent } from '../../engine/index.ts';
import { MAX_BODY_BYTES } from '../../rpc/http-body.ts';
import { createFakeDesk, FAKE_SIGNAL, type FakeDesk } from './fake-desk.ts';
import { startDeskRig, startRig, TOKENS, WsPeer, type DeskRig, type RpcRig } from './harness.ts';

let rig: DeskRig | RpcRig<FakeDesk> | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** The real test desk behind the socket (events injected with Desk.emit). */
async function start(o: { authTimeoutMs?: number; maxBufferedBytes?: number } = {}): Promise<DeskRig> {
  const r = await startDeskRig({}, o);
  rig = r;
  return r;
}

const signalEvent = (at: number): DeskEvent => ({ type: 'signal.created', at, signal: FAKE_SIGNAL });

describe('WebSocket /rpc', () => {
  it('serves the same methods over one socket with ids of every type, authenticated at upgrade', async () => {
    const r = await start();
    const ws = await r.ws(TOKENS.trader);
    for (const id of ['s', 7, -1.5, null] as const) {
      const reply = await ws.call('desk.status', undefined, id as never);
      expect(reply).toMatchObject({ jsonrpc: '2.0', id, result: { mode: 'paper' } });
    }
    expect(r.desk.calls.at(-1)?.actor).toEqual({ kind: 'rpc', id: 'tom', role: 'trader' });
    const bad = await ws.call('signals.get', { id: 123 }, 9);
    expect(bad.error).toMatchObject({ code: -32602, message: 'Invalid params: id' });
  });

  it('sends nothing for notifications and spec-exact replies for batches', async () => {
    const r = await start();
    const ws = await r.ws(TOKENS.admin);
    ws.send({ jsonrpc: '2.0', method: 'settings.set', params: { alerts: false } });
    ws.send([{ jsonrpc: '2.0', method: 'desk.status' }, { jsonrpc: '2.0', method: 'nope' }]);
    expect(await ws.silent()).toBe(true);
    expect(r.desk.calls.filter((c) => c.use === 'updateSettings')).toHaveLength(1);
    ws.send([]);
    expect(await ws.next()).toMatchObject({ id: null, error: { code: -32600 } });
    ws.send([{ jsonrpc: '2.0', method: 'desk.status', id: 1 }, 5, { jsonrpc: '2.0', method: 'nope', id: 2 }]);
    const batch = await ws.next();
    expect(batch).toHaveLength(3);
    ws.send('{nope');
    expect(await ws.next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  });

  it('refuses an upgrade carrying a bad bearer with 401', async () => {
    const r = await start();
    await expect(WsPeer.open(`ws://127.0.0.1:${r.port}/rpc`, 'not-a-real-secret-000')).rejects.toThrow(/401/);
  });

  it('requires an auth call before anything else when the upgrade had no bearer', async () => {
    const r = await start();
    const ws = await r.ws();
    const before = r.desk.calls.length;
    expect((await ws.call('desk.status', undefined, 1)).error).toEqual({
      code: -32001,
      message: 'Unauthenticated',
      data: { code: 'UNAUTHENTICATED', detail: {} },
    });
    expect(r.desk.calls.length).toBe(before);
    expect(await ws.call('auth', { token: TOKENS.viewer }, 2)).toEqual({ jsonrpc: '2.0', id: 2, result: { name: 'vic', role: 'viewer' } });
    expect((await ws.call('desk.status', undefined, 3)).result.mode).toBe('paper');
    expect(r.desk.calls.at(-1)?.actor).toEqual({ kind: 'rpc', id: 'vic', role: 'viewer' });
  });

  it('closes the socket (1008) after replying to a failed auth', async () => {
    const r = await start();
    const ws = await r.ws();
    const reply = await ws.call('auth', { token: 'wrong-secret-000000000' }, 1);
    expect(reply.error).toMatchObject({ code: -32001, data: { code: 'UNAUTHENTICATED' } });
    expect(await ws.closed).toEqual({ code: 1008, reason: 'authentication failed' });
  });

  it('answers 300 pipelined calls on one socket, each exactly once with a valid reply', async () => {
    const r = await start();
    const ws = await r.ws(TOKENS.viewer);
    for (let id = 1; id <= 300; id++) ws.send({ jsonrpc: '2.0', id, method: id % 3 === 0 ? 'account.balance' : 'desk.status' });
    const ids: number[] = [];
    for (let i = 0; i < 300; i++) {
      const m = await ws.next();
      expect(m).toMatchObject({ jsonrpc: '2.0', result: expect.any(Object) });
      ids.push(m.id);
    }
    expect(ids.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await ws.silent()).toBe(true);
  });

  it('closes an unauthenticated socket when the auth deadline passes, and keeps an authenticated one', async () => {
    const r = await start({ authTimeoutMs: 150 });
    const idle = await r.ws();
    const authed = await r.ws();
    await authed.call('auth', { token: TOKENS.viewer });
    expect(await idle.closed).toEqual({ code: 1008, reason: 'authentication required' });
    expect((await authed.call('desk.status', undefined, 2)).result.mode).toBe('paper');
  });

  it('delivers subscribed DeskEvents as `event` notifications and stops after unsubscribe', async () => {
    const r = await start();
    const ws = await r.ws(TOKENS.viewer);
    expect((await ws.call('events.subscribe', { topics: ['signal.created', 'risk.tripped'] })).result.topics.sort()).toEqual([
      'risk.tripped',
      'signal.created',
    ]);
    r.desk.emit(signalEvent(1));
    r.desk.emit({ type: 'feed.stale', at: 2, lagMs: 9000 });
    r.desk.emit({ type: 'risk.tripped', at: 3, what: 'kill_switch', reason: 'manual', actorId: 'alice' });
    expect(await ws.next()).toEqual({ jsonrpc: '2.0', method: 'event', params: signalEvent(1) });
    expect(await ws.next()).toMatchObject({ method: 'event', params: { type: 'risk.tripped', at: 3 } });
    expect(await ws.call('events.unsubscribe', { topics: ['signal.created'] }, 4)).toMatchObject({ result: { topics: ['risk.tripped'] } });
    r.desk.emit(signalEvent(5));
    expect(await ws.silent()).toBe(true);
    expect(await ws.call('events.unsubscribe', {}, 6)).toMatchObject({ result: { topics: [] } });
  });

  it('validates topics (-32602 naming the entry), keeps report.daily for admins, and sends nothing before auth', async () => {
    const r = await start();
    const viewer = await r.ws(TOKENS.viewer);
    expect((await viewer.call('events.subscribe', { topics: ['signal.created', 'bogus'] })).error).toMatchObject({
      code: -32602,
      data: { detail: { field: 'topics.1' } },
    });
    expect((await viewer.call('events.subscribe', { topics: [] })).error.code).toBe(-32602);
    expect((await viewer.call('events.subscribe', { topics: ['report.daily'] })).error).toMatchObject({ code: -32002, data: { code: 'FORBIDDEN' } });
    const admin = await r.ws(TOKENS.admin);
    expect((await admin.call('events.subscribe', { topics: ['report.daily'] })).result.topics).toEqual(['report.daily']);
    const anon = await r.ws();
    expect((await anon.call('events.subscribe', { topics: ['signal.created'] })).error.code).toBe(-32001);
    r.desk.emit(signalEvent(1));
    expect(await anon.silent()).toBe(true);
  });

  it('keeps WebSocket-only methods off POST /rpc', async () => {
    const r = await start();
    const res = await r.post({ jsonrpc: '2.0', id: 1, method: 'events.subscribe', params: { topics: ['signal.created'] } });
    expect(JSON.parse(res.body).error.code).toBe(-32601);
  });

  it('closes a socket that sends a frame over 1 MB (1009) and keeps serving others', async () => {
    const r = await start();
    const big = await r.ws(TOKENS.admin);
    const other = await r.ws(TOKENS.admin);
    big.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'settings.set', params: { subscriptions: ['x'.repeat(MAX_BODY_BYTES)] } }));
    expect((await big.closed).code).toBe(1009);
    expect((await other.call('desk.status')).result.mode).toBe('paper');
  });

  it('drops a slow consumer instead of buffering without bound, and the desk keeps going', async () => {
    const r = await start({ maxBufferedBytes: 256 * 1024 });
    const slow = await r.ws(TOKENS.viewer);
    await slow.call('events.subscribe', { topics: ['signal.created'] });
    const fast = await r.ws(TOKENS.viewer);
    await fast.call('events.subscribe', { topics: ['signal.created'] });
    slow.socket.pause();
    let fastGot = 0;
    fast.socket.on('message', () => fastGot++);
    for (let i = 0; i < 40_000 && r.rpc.sockets > 1; i++) {
      r.desk.emit(signalEvent(i));
      if (i % 500 === 0) await new Promise((res) => setImmediate(res));
    }
    expect(r.rpc.sockets).toBe(1);
    slow.socket.resume();
    expect((await slow.closed).code).toBe(1006);
    expect(fastGot).toBeGreaterThan(0);
  });

  it('closes every socket with 1001 on shutdown and unsubscribes from the desk', async () => {
    const r = await startRig({ desk: createFakeDesk() });
    rig = r;
    const a = await r.ws(TOKENS.viewer);
    const b = await r.ws();
    expect(r.desk.listeners).toBe(1);
    await r.rpc.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(r.desk.listeners).toBe(0);
    expect(r.rpc.sockets).toBe(0);
    const res = await r.post({ jsonrpc: '2.0', id: 1, method: 'desk.status' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error).toMatchObject({ code: -32028, data: { code: 'SHUTTING_DOWN' } });
    await expect(WsPeer.open(`ws://127.0.0.1:${r.port}/rpc`, TOKENS.admin)).rejects.toThrow(/503/);
  });

  it('ignores response-shaped frames from the peer (no reply)', async () => {
    const r = await start();
    const ws = await r.ws(TOKENS.viewer);
    ws.send({ jsonrpc: '2.0', id: 99, result: 'x' });
    ws.send({ jsonrpc: '2.0', id: 98, error: { code: 1, message: 'm' } });
    expect(await ws.silent()).toBe(true);
    expect(ws.socket.readyState).toBe(WebSocket.OPEN);
  });
});
