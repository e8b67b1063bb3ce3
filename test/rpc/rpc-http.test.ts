import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../rpc/http-body.ts';
import { startDeskRig, TOKENS, type DeskRig } from './harness.ts';

// Protocol conformance against the real desk (createTestDesk), its calls recorded on the way in.
let rig: DeskRig;
beforeEach(async () => {
  rig = await startDeskRig();
});
afterEach(async () => {
  await rig.close();
});

const req = (method: string, id?: unknown, params?: unknown) => ({
  jsonrpc: '2.0',
  method,
  ...(params === undefined ? {} : { params }),
  ...(id === undefined ? {} : { id }),
});

async function postJson(body: unknown, token?: string | null) {
  const r = await rig.post(body, token);
  return { status: r.status, json: r.body.length > 0 ? JSON.parse(r.body) : undefined, headers: r.headers };
}

describe('POST /rpc — JSON-RPC 2.0 conformance', () => {
  it.each([['a-string-id'], [''], [42], [0], [-7], [3.5], [null]])('echoes id %j exactly', async (id) => {
    const { status, json } = await postJson(req('desk.status', id));
    expect(status).toBe(200);
    expect(json.jsonrpc).toBe('2.0');
    expect(json.id).toBe(id);
    expect(json.result.mode).toBe('paper');
    expect(json).not.toHaveProperty('error');
  });

  it('answers a notification with nothing (204) but still performs it', async () => {
    const r = await rig.post(req('settings.set', undefined, { language: 'ru' }));
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    expect(rig.desk.calls.at(-1)).toMatchObject({ use: 'updateSettings', input: { language: 'ru' } });
    const { json } = await postJson(req('settings.get', 1));
    expect(json.result.settings.language).toBe('ru');
  });

  it('sends nothing for a notification that fails or names an unknown method', async () => {
    expect((await rig.post(req('nope.nope'))).status).toBe(204);
    expect((await rig.post(req('signals.get', undefined, { id: 'err:KILL_SWITCH' }))).status).toBe(204);
  });

  it('answers a mixed batch with an array holding one reply per non-notification, invalid items included', async () => {
    const { status, json } = await postJson([
      req('desk.status', 1),
      req('settings.set', undefined, { alerts: false }),
      { foo: 'boo' },
      req('nope', '5'),
      req('signals.get', 9, { id: 42 }),
      1,
      req('account.balance', 'b'),
    ]);
    expect(status).toBe(200);
    expect(Array.isArray(json)).toBe(true);
    expect(json).toHaveLength(6);
    const byId = new Map<unknown, any>();
    for (const r of json) {
      expect(r.jsonrpc).toBe('2.0');
      if (r.id !== null) byId.set(r.id, r);
    }
    expect(byId.get(1).result.mode).toBe('paper');
    expect(byId.get('5').error.code).toBe(-32601);
    expect(byId.get(9).error.code).toBe(-32602);
    expect(byId.get('b').result.currency).toBe('USDT');
    const nulls = json.filter((r: any) => r.id === null);
    expect(nulls).toHaveLength(2);
    for (const r of nulls) expect(r.error.code).toBe(-32600);
  });

  it('answers an all-notification batch with nothing', async () => {
    const r = await rig.post([req('desk.status'), req('settings.set', undefined, { alerts: true })]);
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
  });

  it('answers an empty batch with one Invalid Request (id null), not an array', async () => {
    const { json } = await postJson([]);
    expect(json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
  });

  it('keeps a one-element batch an array', async () => {
    const { json } = await postJson([req('desk.status', 'x')]);
    expect(Array.isArray(json)).toBe(true);
    expect(json[0].id).toBe('x');
  });

  it('refuses a batch of more than 50 with one Invalid Request and runs none of it', async () => {
    const before = rig.desk.calls.length;
    const ok50 = await postJson(Array.from({ length: 50 }, (_, i) => req('desk.status', i)));
    expect(ok50.json).toHaveLength(50);
    const { json } = await postJson(Array.from({ length: 51 }, (_, i) => req('desk.status', i)));
    expect(json).toMatchObject({ id: null, error: { code: -32600 } });
    expect(rig.desk.calls.length - before).toBe(50);
  });

  it('answers invalid JSON with -32700 and id null, also for a broken batch', async () => {
    for (const body of ['{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]', '[{"jsonrpc":"2.0","method":"desk.status","id":1},{"jsonrpc":"2.0"', '', '\u0000']) {
      const { status, json } = await postJson(body);
      expect(status).toBe(200);
      expect(json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
  });

  it('answers malformed request objects with -32600, keeping a readable id', async () => {
    const cases: [unknown, unknown][] = [
      [1, null],
      ['"x"', null],
      [{ jsonrpc: '2.0', method: 1, params: 'bar' }, null],
      [{ jsonrpc: '1.0', method: 'desk.status', id: 3 }, 3],
      [{ method: 'desk.status', id: 'q' }, 'q'],
      [{ jsonrpc: '2.0', method: 'desk.status', id: { a: 1 } }, null],
      [{ jsonrpc: '2.0', method: 'desk.status', id: [1] }, null],
      [{ jsonrpc: '2.0', method: 'desk.status', id: true }, null],
      [{ jsonrpc: '2.0', method: 'desk.status', params: 'str', id: 4 }, 4],
      [{ jsonrpc: '2.0', method: 'desk.status', params: null, id: 5 }, 5],
      [{ jsonrpc: '2.0', id: 6, result: 1 }, 6],
      [{ jsonrpc: '2.0', method: 'desk.status', id: 7, error: {} }, 7],
    ];
    for (const [body, id] of cases) {
      const { json } = await postJson(typeof body === 'string' ? body : body);
      expect(json, JSON.stringify(body)).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request' } });
    }
    const { json } = await postJson([1, 2, 3]);
    expect(json).toHaveLength(3);
    for (const r of json) expect(r).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('answers an unknown method with -32601', async () => {
    const { json } = await postJson(req('desk.launchRockets', 1));
    expect(json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
  });

  it('answers bad params with -32602 naming the field, and never calls the desk', async () => {
    const before = rig.desk.calls.length;
    const bad = await postJson(req('signals.get', 1, { id: 5 }));
    expect(bad.json.error.code).toBe(-32602);
    expect(bad.json.error.message).toBe('Invalid params: id');
    expect(bad.json.error.data).toMatchObject({ code: 'VALIDATION', detail: { field: 'id' } });
    const missing = await postJson(req('trade.execute', 2, {}));
    expect(missing.json.error).toMatchObject({ code: -32602, data: { detail: { field: 'signalId' } } });
    const tooBig = await postJson(req('trade.execute', 3, { signalId: 'sig-1', riskPct: 50 }));
    expect(tooBig.json.error).toMatchObject({ code: -32602, data: { detail: { field: 'riskPct' } } });
    const unknown = await postJson(req('trade.execute', 4, { signalId: 'sig-1', riskpct: 1 }));
    expect(unknown.json.error).toMatchObject({ code: -32602, message: 'Invalid params: riskpct', data: { detail: { reason: 'unknown parameter' } } });
    const positional = await postJson(req('signals.get', 5, ['sig-1']));
    expect(positional.json.error).toMatchObject({ code: -32602, data: { detail: { field: '(params)' } } });
    const nested = await postJson(req('settings.set', 6, { subscriptions: ['ok', 7] }));
    expect(nested.json.error).toMatchObject({ code: -32602, data: { detail: { field: 'subscriptions.1' } } });
    expect(rig.desk.calls.length).toBe(before);
  });

  it('passes parsed params (defaults applied) and the token actor to the desk', async () => {
    const { json } = await postJson(req('signals.list', 1, { symbol: 'ethusdt' }), TOKENS.viewer);
    expect(Array.isArray(json.result.signals)).toBe(true);
    expect(rig.desk.calls.at(-1)).toEqual({
      use: 'listSignals',
      actor: { kind: 'rpc', id: 'vic', role: 'viewer' },
      input: { status: 'live', symbol: 'ETHUSDT', limit: 20 },
    });
    await postJson(req('account.pnl', 2, []), TOKENS.trader);
    expect(rig.desk.calls.at(-1)).toEqual({ use: 'pnl', actor: { kind: 'rpc', id: 'tom', role: 'trader' }, input: { period: 'day' } });
  });

  it('routes every method to its Desk use-case', async () => {
    const table: [string, unknown, string][] = [
      ['desk.status', undefined, 'status'],
      ['scan.run', { symbol: 'BTCUSDT', interval: '60' }, 'runScan'],
      ['signals.list', {}, 'listSignals'],
      ['signals.get', { id: 'sig-1' }, 'getSignal'],
      ['trade.preview', { signalId: 'sig-1' }, 'previewExecution'],
      ['trade.execute', { signalId: 'sig-1', riskPct: 0.5 }, 'execute'],
      ['positions.list', { status: 'all' }, 'listPositions'],
      ['positions.close', { symbol: 'BTCUSDT', fraction: 0.5 }, 'closePosition'],
      ['account.balance', {}, 'balance'],
      ['account.pnl', { period: 'week' }, 'pnl'],
      ['account.limits', {}, 'limits'],
      ['risk.pause', { reason: 'news' }, 'pauseEntries'],
      ['risk.resume', {}, 'resumeEntries'],
      ['risk.killSwitch', { on: true }, 'setKillSwitch'],
      ['settings.get', {}, 'getSettings'],
      ['settings.set', { alertDetail: 'full' }, 'updateSettings'],
      ['market.candles', { symbol: 'BTCUSDT', interval: '60', limit: 5 }, 'candles'],
      ['strategies.list', {}, 'strategies'],
      ['desk.report', {}, 'report'],
      ['users.list', { limit: 5 }, 'listUsers'],
    ];
    for (const [method, params, use] of table) {
      const { json } = await postJson(req(method, method, params));
      expect(json.id).toBe(method);
      expect(rig.desk.calls.at(-1)?.use, method).toBe(use);
      expect(rig.desk.calls.at(-1)?.actor).toEqual({ kind: 'rpc', id: 'alice', role: 'admin' });
    }
  });

  it('lets the Desk decide roles: a viewer gets FORBIDDEN from admin and trade calls', async () => {
    for (const method of ['desk.report', 'users.list', 'risk.pause']) {
      const { json } = await postJson(req(method, 1), TOKENS.viewer);
      expect(json.error).toMatchObject({ code: -32002, message: 'Forbidden for this role', data: { code: 'FORBIDDEN' } });
    }
    const { json } = await postJson(req('trade.execute', 1, { signalId: 'sig-1' }), TOKENS.viewer);
    expect(json.error.data.code).toBe('FORBIDDEN');
  });

  it('refuses missing, malformed and wrong bearers with 401 and -32001, calling nothing', async () => {
    const before = rig.desk.calls.length;
    for (const headers of [undefined, `Bearer wrong-secret-0123456789`, `Basic ${TOKENS.admin}`, `Bearer ${TOKENS.admin} extra`, 'Bearer ']) {
      const r = await (headers === undefined
        ? rig.post(req('desk.status', 1), null)
        : import('./http-helpers.ts').then((h) => h.httpRequest(rig.port, 'POST', '/rpc', JSON.stringify(req('desk.status', 1)), { authorization: headers })));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toContain('Bearer');
      expect(JSON.parse(r.body)).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32001, message: 'Unauthenticated', data: { code: 'UNAUTHENTICATED', detail: {} } },
      });
    }
    expect(rig.desk.calls.length).toBe(before);
  });

  it('accepts the scheme case-insensitively', async () => {
    const { httpRequest } = await import('./http-helpers.ts');
    const r = await httpRequest(rig.port, 'POST', '/rpc', JSON.stringify(req('desk.status', 1)), { authorization: `bearer ${TOKENS.viewer}` });
    expect(JSON.parse(r.body).result.mode).toBe('paper');
  });

  it('refuses a body over 1 MB with 413 and a JSON-RPC error', async () => {
    const big = JSON.stringify(req('settings.set', 1, { subscriptions: ['x'.repeat(MAX_BODY_BYTES)] }));
    const r = await rig.post(big);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    expect((await postJson(req('desk.status', 2))).json.result.mode).toBe('paper');
  });

  it('answers GET /rpc without upgrade with 405', async () => {
    const { httpRequest } = await import('./http-helpers.ts');
    expect((await httpRequest(rig.port, 'GET', '/rpc')).status).toBe(405);
  });

  it('counts calls by method and outcome in /metrics, bounding unknown method names', async () => {
    await postJson(req('desk.status', 1));
    await postJson(req('signals.get', 2, { id: 'nope' }));
    await postJson(req('x'.repeat(100), 3));
    const text = await rig.metrics.registry.metrics();
    expect(text).toContain('desk_frontend_requests_total{frontend="rpc",method="desk.status",outcome="ok"} 1');
    expect(text).toContain('desk_frontend_requests_total{frontend="rpc",method="signals.get",outcome="NOT_FOUND"} 1');
    expect(text).toContain('desk_frontend_requests_total{frontend="rpc",method="unknown",outcome="METHOD_NOT_FOUND"} 1');
    expect(text).not.toContain('xxxxxxxx');
  });

  it('serves rpc.discover: an OpenRPC document generated from the schemas', async () => {
    const { json } = await postJson(req('rpc.discover', 1));
    const doc = json.result;
    expect(doc.openrpc).toMatch(/^1\./);
    const names = doc.methods.map((m: any) => m.name);
    for (const n of ['desk.status', 'scan.run', 'signals.list', 'signals.get', 'trade.preview', 'trade.execute', 'positions.list', 'positions.close',
      'account.balance', 'account.pnl', 'account.limits', 'risk.pause', 'risk.resume', 'risk.killSwitch', 'settings.get', 'settings.set',
      'strategies.list', 'market.candles', 'desk.report', 'users.list', 'events.subscribe', 'events.unsubscribe', 'auth', 'rpc.discover']) {
      expect(names).toContain(n);
    }
    const exec = doc.methods.find((m: any) => m.name === 'trade.execute');
    expect(exec.params).toEqual([
      { name: 'signalId', required: true, schema: { type: 'string', minLength: 1, maxLength: 64 } },
      { name: 'riskPct', required: false, schema: { type: 'number', exclusiveMinimum: 0, maximum: 5 } },
    ]);
    expect(exec.result.schema.properties.orderLinkId).toEqual({ type: 'string' });
    expect(doc.components.errors.KILL_SWITCH).toEqual({ code: -32008, message: 'Kill switch is on (close-only)', data: { code: 'KILL_SWITCH' } });
  });
});
