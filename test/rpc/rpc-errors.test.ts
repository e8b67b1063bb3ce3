import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESK_ERROR_CODES, DeskError, ManualClock } from '../../engine/index.ts';
import { assertSafeBind, isLoopbackHost } from '../../rpc/auth.ts';
import { RPC_ERROR_TABLE, rpcErrorCode, toRpcError } from '../../rpc/error-codes.ts';
import { createRateLimiter } from '../../rpc/rate-limit.ts';
import { createFakeDesk, type FakeDesk } from './fake-desk.ts';
import { startRig, TOKENS, type RpcRig } from './harness.ts';

describe('DeskError → JSON-RPC error table', () => {
  it('maps every DeskError code to a distinct, non-zero code; VALIDATION/INTERNAL to the spec codes, the rest in -32001..-32099', () => {
    const seen = new Set<number>();
    for (const code of DESK_ERROR_CODES) {
      const n = rpcErrorCode(code);
      expect(n, code).not.toBe(0);
      expect(seen.has(n), code).toBe(false);
      seen.add(n);
      if (code === 'VALIDATION') expect(n).toBe(-32602);
      else if (code === 'INTERNAL') expect(n).toBe(-32603);
      else expect(n <= -32001 && n >= -32099, code).toBe(true);
    }
    expect(Object.keys(RPC_ERROR_TABLE).sort()).toEqual([...DESK_ERROR_CODES].sort());
    expect(rpcErrorCode('NOT_A_CODE')).toBe(-32603);
  });

  it('pins the published codes (changing one breaks clients)', () => {
    expect(rpcErrorCode('UNAUTHENTICATED')).toBe(-32001);
    expect(rpcErrorCode('FORBIDDEN')).toBe(-32002);
    expect(rpcErrorCode('RATE_LIMITED')).toBe(-32003);
    expect(rpcErrorCode('NOT_FOUND')).toBe(-32004);
    expect(rpcErrorCode('KILL_SWITCH')).toBe(-32008);
    expect(rpcErrorCode('UNKNOWN_OUTCOME')).toBe(-32023);
    expect(rpcErrorCode('SHUTTING_DOWN')).toBe(-32028);
  });

  it('never exposes a thrown message, stack or non-scalar detail', () => {
    const e = toRpcError(new DeskError('EXCHANGE_REJECTED', { retCode: 110007, nested: { k: 1 } as never, long: 'y'.repeat(500) }, 'vendor said apiKey=XYZ'));
    expect(e.code).toBe(-32024);
    expect(e.message).toBe('Exchange rejected the order');
    expect(e.data?.detail.retCode).toBe(110007);
    expect(e.data?.detail).not.toHaveProperty('nested');
    expect(String(e.data?.detail.long).length).toBeLessThanOrEqual(201);
    expect(JSON.stringify(e)).not.toContain('XYZ');
    const plain = toRpcError(new TypeError('cannot read x of undefined at /srv/app.ts:12'));
    expect(plain).toEqual({ code: -32603, message: 'Internal error', data: { code: 'INTERNAL', detail: {} } });
    expect(toRpcError(new DeskError('INTERNAL', { path: '/etc/x' }))).toEqual({ code: -32603, message: 'Internal error', data: { code: 'INTERNAL', detail: {} } });
  });
});

describe('DeskErrors over the wire', () => {
  let rig: RpcRig<FakeDesk>;
  beforeEach(async () => {
    rig = await startRig({ desk: createFakeDesk() });
  });
  afterEach(async () => {
    await rig.close();
  });

  it('answers each DeskError code with its table code and data.code, on HTTP and WebSocket', async () => {
    const ws = await rig.ws(TOKENS.admin);
    for (const [i, code] of DESK_ERROR_CODES.entries()) {
      const http = JSON.parse((await rig.post({ jsonrpc: '2.0', id: i, method: 'signals.get', params: { id: `err:${code}` } })).body);
      const sock = await ws.call('signals.get', { id: `err:${code}` }, i);
      for (const reply of [http, sock]) {
        expect(reply.id).toBe(i);
        expect(reply.error.code, code).toBe(rpcErrorCode(code));
        expect(reply.error.data.code).toBe(code);
        expect(JSON.stringify(reply)).not.toMatch(/secret|\/srv|stack/);
      }
    }
  });

  it('answers a crash inside the desk with -32603 and nothing of its text', async () => {
    const reply = JSON.parse((await rig.post({ jsonrpc: '2.0', id: 1, method: 'signals.get', params: { id: 'crash' } })).body);
    expect(reply).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL', detail: {} } } });
  });
});

describe('per-token rate limit', () => {
  it('refuses calls over RPC_RATE_PER_MIN with RATE_LIMITED and retryAfterMs, per token, refilling with time', async () => {
    const clock = new ManualClock(1_000_000);
    const rig = await startRig({ desk: createFakeDesk(), env: { RPC_RATE_PER_MIN: '3' }, clock });
    try {
      const call = async (token: string) => JSON.parse((await rig.post({ jsonrpc: '2.0', id: 1, method: 'desk.status' }, token)).body);
      for (let i = 0; i < 3; i++) expect((await call(TOKENS.viewer)).result).toBeDefined();
      const limited = await call(TOKENS.viewer);
      expect(limited.error).toEqual({ code: -32003, message: 'Rate limited', data: { code: 'RATE_LIMITED', detail: { retryAfterMs: 20_000 } } });
      expect((await call(TOKENS.admin)).result).toBeDefined();
      const batch = JSON.parse((await rig.post(Array.from({ length: 5 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'desk.status' })), TOKENS.trader)).body);
      expect(batch.filter((r: any) => r.error?.code === -32003)).toHaveLength(2);
      clock.advance(20_000);
      expect((await call(TOKENS.viewer)).result).toBeDefined();
      expect((await call(TOKENS.viewer)).error.code).toBe(-32003);
    } finally {
      await rig.close();
    }
  });

  it('token bucket refills continuously and never exceeds its burst', () => {
    let t = 0;
    const l = createRateLimiter(60, () => t);
    for (let i = 0; i < 60; i++) expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(1000);
    t += 1000;
    expect(l.take('a')).toBe(0);
    t += 10 * 60_000;
    for (let i = 0; i < 60; i++) expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBeGreaterThan(0);
    expect(() => createRateLimiter(0, () => 0)).toThrow(RangeError);
  });
});

describe('safe bind', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'desk.example.com', '127.0.0.1.nip.io', '']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback DESK_HOST without tokens with DeskError CONFIG, and allows it with tokens', () => {
    expect(() => assertSafeBind({ DESK_HOST: '127.0.0.1', DESK_TOKENS: [] })).not.toThrow();
    let err: unknown;
    try {
      assertSafeBind({ DESK_HOST: '0.0.0.0', DESK_TOKENS: [] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeskError);
    expect((err as DeskError).code).toBe('CONFIG');
    expect((err as DeskError).detail).toEqual({ key: 'DESK_TOKENS' });
    expect(() => assertSafeBind({ DESK_HOST: '0.0.0.0', DESK_TOKENS: [{ name: 'a', role: 'viewer', secret: 's'.repeat(16) }] })).not.toThrow();
  });

  it('refuses every call when no tokens are configured', async () => {
    const rig = await startRig({ desk: createFakeDesk(), env: { DESK_TOKENS: '' } });
    try {
      const r = await rig.post({ jsonrpc: '2.0', id: 1, method: 'desk.status' }, TOKENS.admin);
      expect(r.status).toBe(401);
    } finally {
      await rig.close();
    }
  });
});

describe('logs', () => {
  it('never carry a bearer secret or the text of a crash', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../engine/index.ts');
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
    const rig = await startRig({ desk: createFakeDesk(), logger });
    try {
      await rig.post({ jsonrpc: '2.0', id: 1, method: 'signals.get', params: { id: 'crash' } });
      await rig.post({ jsonrpc: '2.0', id: 2, method: 'desk.status' }, 'a-wrong-secret-0123456789');
      const ws = await rig.ws();
      await ws.call('auth', { token: 'another-wrong-secret-99' });
      await ws.closed;
      rig.http.addRoute({ path: '/boom', handle: () => { throw new Error('db url postgres://u:hunter2@x'); } });
      const { httpRequest } = await import('./http-helpers.ts');
      await httpRequest(rig.port, 'GET', '/boom');
    } finally {
      await rig.close();
    }
    const all = lines.join('');
    expect(all).toContain('"level":50');
    expect(all).toContain('rpc websocket auth failed');
    for (const secret of ['hunter2', 'a-wrong-secret', 'another-wrong-secret', TOKENS.admin, TOKENS.viewer, TOKENS.trader]) expect(all).not.toContain(secret);
  });
});
