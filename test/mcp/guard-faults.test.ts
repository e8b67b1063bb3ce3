import { afterEach, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DeskError, ManualClock, testConfig, type Actor } from '../../engine/index.ts';
import { createMcpShared } from '../../mcp/index.ts';
import { connect, type Connected } from './connect.ts';
import { createFakeDesk, type FakeDesk } from './fake-desk.ts';

const trader: Actor = { kind: 'mcp', id: 'agent-a', role: 'trader' };
const trader2: Actor = { kind: 'mcp', id: 'agent-b', role: 'trader' };
const viewer: Actor = { kind: 'mcp', id: 'watcher', role: 'viewer' };
const admin: Actor = { kind: 'mcp', id: 'boss', role: 'admin' };

const open: Connected[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

function setup(overrides: Record<string, string> = {}) {
  const clock = new ManualClock(Date.UTC(2025, 0, 15, 12));
  const desk = createFakeDesk(clock);
  const config = testConfig(overrides);
  const shared = createMcpShared(desk, config, clock);
  const as = async (actor: Actor, elicit?: Parameters<typeof connect>[2]['elicit']) => {
    const c = await connect(desk, actor, { config, clock, shared, elicit });
    open.push(c);
    return c.client;
  };
  return { clock, desk, config, shared, as };
}

const call = async (client: Awaited<ReturnType<ReturnType<typeof setup>['as']>>, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult): string => (r.content[0] as { text: string }).text;
const sc = (r: CallToolResult) => r.structuredContent as Record<string, any>;

function expectError(r: CallToolResult, code: string): void {
  expect(r.isError).toBe(true);
  expect(r.structuredContent).toBeUndefined();
  expect(text(r).startsWith(`${code}:`)).toBe(true);
}

describe('tool catalogue', () => {
  it('lists the 13 tools, each with title, description, input and output schemas and honest annotations', async () => {
    const { as } = setup();
    const c = await as(trader);
    const { tools } = await c.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        'get_status', 'scan_market', 'list_signals', 'get_signal', 'preview_trade', 'execute_signal', 'list_positions',
        'close_position', 'get_balance', 'get_pnl', 'pause_entries', 'resume_entries', 'set_kill_switch',
      ].sort(),
    );
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect((t.description ?? '').length, t.name).toBeGreaterThan(60);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
    }
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const r of ['get_status', 'list_signals', 'get_signal', 'preview_trade', 'list_positions', 'get_balance', 'get_pnl']) {
      expect(by[r]!.annotations?.readOnlyHint, r).toBe(true);
    }
    expect(by.execute_signal!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(by.close_position!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(by.execute_signal!.inputSchema.required).toEqual(['signalId']);
    expect(Object.keys(by.execute_signal!.inputSchema.properties ?? {})).toContain('confirmToken');
  });
});

describe('read tools', () => {
  it('return structured content matching the desk', async () => {
    const { as, desk } = setup();
    const c = await as(viewer);
    const st = await call(c, 'get_status');
    expect(st.isError).toBeFalsy();
    expect(sc(st)).toMatchObject({ mode: 'paper', killSwitch: false, liveSignals: 2 });
    expect(text(st)).toContain('paper desk');
    expect(sc(await call(c, 'scan_market', { symbol: 'btcusdt' }))).toMatchObject({ scanned: 3 });
    expect(sc(await call(c, 'list_signals')).signals).toHaveLength(2);
    expect(sc(await call(c, 'get_signal', { id: 'sig-eth' })).signal.symbol).toBe('ETHUSDT');
    expect(sc(await call(c, 'list_positions', { status: 'all' })).positions).toEqual([]);
    expect(sc(await call(c, 'get_balance'))).toMatchObject({ currency: 'USDT', equity: 10000 });
    expect(sc(await call(c, 'get_pnl', { period: 'week' }))).toMatchObject({ period: 'week', trades: 0 });
    const pv = await call(c, 'preview_trade', { signalId: 'sig-btc' });
    expect(sc(pv)).toMatchObject({ allowed: true, symbol: 'BTCUSDT', notional: 600 });
    expect(desk.executeCalls).toBe(0);
  });

  it('preview_trade reports an agent cap as a refusal', async () => {
    const { as } = setup({ MCP_MAX_NOTIONAL_ORDER: '100' });
    const c = await as(trader);
    const pv = sc(await call(c, 'preview_trade', { signalId: 'sig-btc' }));
    expect(pv.allowed).toBe(false);
    expect(pv.refusal).toMatchObject({ code: 'AGENT_CAP', detail: { cap: 'order_notional', max: 100 } });
  });
});

describe('errors', () => {
  it('schema errors are isError without structuredContent and name the field', async () => {
    const { as } = setup();
    const c = await as(trader);
    const r1 = await call(c, 'get_signal', {});
    expect(r1.isError).toBe(true);
    expect(r1.structuredContent).toBeUndefined();
    expect(text(r1)).toContain('id');
    const r2 = await call(c, 'execute_signal', { signalId: 'sig-btc', riskPct: 50 });
    expect(r2.isError).toBe(true);
    expect(text(r2)).toContain('riskPct');
    const r3 = await call(c, 'close_position', { fraction: 0.5 });
    expect(r3.isError).toBe(true);
    expect(text(r3)).toContain('positionId');
    const r4 = await call(c, 'list_signals', { symbol: 'not a symbol' });
    expect(r4.isError).toBe(true);
  });

  it('a desk error is curated: code, sentence, detail', async () => {
    const { as } = setup();
    const c = await as(trader);
    const r = await call(c, 'get_signal', { id: 'nope' });
    expectError(r, 'NOT_FOUND');
    expect(text(r)).toContain('id=nope');
  });

  it('a non-desk error never leaks its text or a stack', async () => {
    const { as, desk } = setup();
    desk.failExecute = new Error('bybit said: invalid api_key=ABCDEF at /v5/order/create');
    const c = await as(trader, () => ({ action: 'accept', content: { confirm: true } }));
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expectError(r, 'INTERNAL');
    expect(text(r)).not.toMatch(/bybit|api_key|ABCDEF|at \//);
  });
});

describe('roles (enforced by the desk, surfaced by MCP)', () => {
  it('a viewer cannot execute, close, pause or touch the kill switch', async () => {
    const { as, desk } = setup();
    const c = await as(viewer);
    expectError(await call(c, 'execute_signal', { signalId: 'sig-btc' }), 'FORBIDDEN');
    expectError(await call(c, 'close_position', { symbol: 'BTCUSDT' }), 'FORBIDDEN');
    expectError(await call(c, 'pause_entries', { reason: 'x' }), 'FORBIDDEN');
    expectError(await call(c, 'set_kill_switch', { on: true }), 'FORBIDDEN');
    expect(desk.executeCalls).toBe(0);
  });

  it('a trader may turn the kill switch on but not off; an admin may pause, resume and turn it off', async () => {
    const { as } = setup();
    const t = await as(trader);
    expect(sc(await call(t, 'set_kill_switch', { on: true, reason: 'odd fills' }))).toMatchObject({ killSwitch: true });
    expectError(await call(t, 'set_kill_switch', { on: false }), 'FORBIDDEN');
    expectError(await call(t, 'pause_entries'), 'FORBIDDEN');
    const a = await as(admin);
    expect(sc(await call(a, 'pause_entries', { reason: 'news' }))).toMatchObject({ entriesPaused: true });
    expect(sc(await call(a, 'resume_entries'))).toMatchObject({ entriesPaused: false });
    expect(sc(await call(a, 'set_kill_switch', { on: false }))).toMatchObject({ killSwitch: false });
  });
});

describe('confirmation by token (client without elicitation)', () => {
  it('first call previews and places nothing; the token executes once', async () => {
    const { as, desk } = setup();
    const c = await as(trader);
    const first = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expect(first.isError).toBeFalsy();
    expect(sc(first)).toMatchObject({ outcome: 'confirmation_required', preview: { symbol: 'BTCUSDT', qty: 0.01 } });
    expect(text(first)).toContain('Nothing placed yet');
    expect(desk.executeCalls).toBe(0);
    const token = sc(first).confirmation.token as string;
    const second = await call(c, 'execute_signal', { signalId: 'sig-btc', confirmToken: token });
    expect(sc(second)).toMatchObject({ outcome: 'executed', order: { symbol: 'BTCUSDT', duplicate: false } });
    expect(desk.executeCalls).toBe(1);
    const replay = await call(c, 'execute_signal', { signalId: 'sig-btc', confirmToken: token });
    expectError(replay, 'CONFIRMATION_INVALID');
    expect(text(replay)).toContain('reason=used');
    expect(desk.executeCalls).toBe(1);
  });

  it('an expired token fails closed', async () => {
    const { as, desk, clock } = setup();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: 'sig-btc' })).confirmation.token;
    clock.advance(60_000);
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc', confirmToken: token });
    expectError(r, 'CONFIRMATION_INVALID');
    expect(text(r)).toContain('reason=expired');
    expect(desk.executeCalls).toBe(0);
  });

  it('a token is bound to the exact arguments', async () => {
    const { as, desk } = setup();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: 'sig-eth', riskPct: 0.5 })).confirmation.token;
    expectError(await call(c, 'execute_signal', { signalId: 'sig-eth', riskPct: 2, confirmToken: token }), 'CONFIRMATION_INVALID');
    expectError(await call(c, 'execute_signal', { signalId: 'sig-btc', riskPct: 0.5, confirmToken: token }), 'CONFIRMATION_INVALID');
    const cross = await call(c, 'close_position', { symbol: 'ETHUSDT', confirmToken: token });
    expect(cross.isError).toBe(true);
    expect(desk.closeCalls).toBe(0);
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expectError(await call(c, 'execute_signal', { signalId: 'sig-eth', riskPct: 0.5, confirmToken: tampered }), 'CONFIRMATION_INVALID');
    expectError(await call(c, 'execute_signal', { signalId: 'sig-eth', riskPct: 0.5, confirmToken: 'garbage' }), 'CONFIRMATION_INVALID');
    expect(desk.executeCalls).toBe(0);
    // The untouched token still works once the attempts above failed.
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-eth', riskPct: 0.5, confirmToken: token })).outcome).toBe('executed');
  });

  it("another actor's token is refused", async () => {
    const { as, desk } = setup();
    const a = await as(trader);
    const b = await as(trader2);
    const token = sc(await call(a, 'execute_signal', { signalId: 'sig-btc' })).confirmation.token;
    expectError(await call(b, 'execute_signal', { signalId: 'sig-btc', confirmToken: token }), 'CONFIRMATION_INVALID');
    expect(desk.executeCalls).toBe(0);
  });

  it('the same token sent twice concurrently executes once', async () => {
    const { as, desk } = setup();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: 'sig-btc' })).confirmation.token;
    const rs = await Promise.all(Array.from({ length: 5 }, () => call(c, 'execute_signal', { signalId: 'sig-btc', confirmToken: token })));
    expect(rs.filter((r) => !r.isError)).toHaveLength(1);
    expect(rs.filter((r) => r.isError && text(r).startsWith('CONFIRMATION_INVALID'))).toHaveLength(4);
    expect(desk.executeCalls).toBe(1);
  });

  it('close_position needs a token too, and closes the previewed position', async () => {
    const { as, desk } = setup();
    const c = await as(trader, () => ({ action: 'accept', content: { confirm: true } }));
    await call(c, 'execute_signal', { signalId: 'sig-btc' });
    const plain = await as(trader);
    const first = await call(plain, 'close_position', { symbol: 'BTCUSDT', fraction: 0.5 });
    expect(sc(first)).toMatchObject({ outcome: 'confirmation_required', position: { symbol: 'BTCUSDT' }, fraction: 0.5 });
    expect(desk.closeCalls).toBe(0);
    const done = await call(plain, 'close_position', { symbol: 'BTCUSDT', fraction: 0.5, confirmToken: sc(first).confirmation.token });
    expect(sc(done)).toMatchObject({ outcome: 'closed', close: { symbol: 'BTCUSDT', closedQty: 0.005, status: 'open' } });
    expect(desk.closeCalls).toBe(1);
  });
});

describe('confirmation by elicitation', () => {
  it('accept executes and the human saw the size and risk', async () => {
    const { as, desk } = setup();
    const client = await connect(desk, trader, { config: testConfig(), elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    open.push(client);
    const r = await call(client.client, 'execute_signal', { signalId: 'sig-btc' });
    expect(sc(r)).toMatchObject({ outcome: 'executed', order: { qty: 0.01 } });
    expect(client.elicitations).toHaveLength(1);
    expect(client.elicitations[0]).toMatch(/LONG 0\.01 BTCUSDT.*notional ~600\.00 USDT/);
    void as;
  });

  it('decline, cancel and an unticked box place nothing', async () => {
    for (const [answer, outcome] of [
      [{ action: 'decline' }, 'declined'],
      [{ action: 'cancel' }, 'cancelled'],
      [{ action: 'accept', content: { confirm: false } }, 'declined'],
    ] as const) {
      const { as, desk } = setup();
      const c = await as(trader, () => answer);
      const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
      expect(r.isError).toBeFalsy();
      expect(sc(r).outcome).toBe(outcome);
      expect(desk.executeCalls).toBe(0);
      const cl = await call(c, 'close_position', { symbol: 'BTCUSDT' });
      expectError(cl, 'NOT_FOUND');
    }
  });

  it('an elicitation that fails fails closed', async () => {
    const { as, desk } = setup();
    const c = await as(trader, () => {
      throw new Error('client UI crashed');
    });
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expectError(r, 'CONFIRMATION_INVALID');
    expect(desk.executeCalls).toBe(0);
  });

  it('close_position asks and closes on accept', async () => {
    const { as, desk } = setup();
    const c = await as(trader, () => ({ action: 'accept', content: { confirm: true } }));
    await call(c, 'execute_signal', { signalId: 'sig-eth' });
    const r = await call(c, 'close_position', { symbol: 'ETHUSDT' });
    expect(sc(r)).toMatchObject({ outcome: 'closed', close: { status: 'closed', remainingQty: 0 } });
    expect(desk.closeCalls).toBe(1);
  });
});

describe('agent caps', () => {
  const yes = () => ({ action: 'accept' as const, content: { confirm: true } });

  it('refuses an order above the per-order notional cap before asking anyone', async () => {
    const { as, desk } = setup({ MCP_MAX_NOTIONAL_ORDER: '500' });
    let asked = 0;
    const c = await as(trader, () => {
      asked++;
      return yes();
    });
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=order_notional');
    expect(asked).toBe(0);
    expect(desk.executeCalls).toBe(0);
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-eth' })).outcome).toBe('executed');
  });

  it('counts notional per actor per UTC day and resets the next day', async () => {
    const { as, desk, clock } = setup({ MCP_MAX_NOTIONAL_DAY: '1000' });
    desk.signals.push({ ...desk.signals[0]!, id: 'sig-btc-2' });
    const c = await as(trader, yes);
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-btc' })).outcome).toBe('executed');
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc-2' });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=day_notional');
    // Another agent has its own allowance.
    const other = await as(trader2, yes);
    expect(sc(await call(other, 'execute_signal', { signalId: 'sig-btc-2' })).outcome).toBe('executed');
    clock.advance(24 * 3_600_000);
    desk.signals.push({ ...desk.signals[0]!, id: 'sig-btc-3' });
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-btc-3' })).outcome).toBe('executed');
  });

  it('concurrent executions cannot both squeeze under the day cap', async () => {
    const { as, desk } = setup({ MCP_MAX_NOTIONAL_DAY: '1000' });
    desk.signals.push({ ...desk.signals[0]!, id: 'sig-btc-2' }, { ...desk.signals[0]!, id: 'sig-btc-3' });
    const c = await as(trader, yes);
    const rs = await Promise.all(['sig-btc', 'sig-btc-2', 'sig-btc-3'].map((id) => call(c, 'execute_signal', { signalId: id })));
    expect(rs.filter((r) => !r.isError)).toHaveLength(1);
    expect(desk.executeCalls).toBe(1);
  });

  it('a failed execution gives its notional back; a duplicate does not count twice', async () => {
    const { as, desk, shared } = setup({ MCP_MAX_NOTIONAL_DAY: '1500' });
    const c = await as(trader, yes);
    desk.failExecute = new DeskError('STALE_QUOTE', { ageMs: 5000 });
    expectError(await call(c, 'execute_signal', { signalId: 'sig-btc' }), 'STALE_QUOTE');
    expect(shared.caps.usedToday(trader)).toBe(0);
    desk.failExecute = null;
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-btc' })).order.duplicate).toBe(false);
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-btc' })).order.duplicate).toBe(true);
    expect(shared.caps.usedToday(trader)).toBe(600);
  });

  it('an unknown outcome keeps the notional held (fail closed)', async () => {
    const { as, desk, shared } = setup();
    const c = await as(trader, yes);
    desk.failExecute = new DeskError('UNKNOWN_OUTCOME', {});
    expectError(await call(c, 'execute_signal', { signalId: 'sig-btc' }), 'UNKNOWN_OUTCOME');
    expect(shared.caps.usedToday(trader)).toBe(600);
  });

  it('refuses symbols outside the allowlist', async () => {
    const { as } = setup({ MCP_ALLOWED_SYMBOLS: 'ETHUSDT' });
    const c = await as(trader, yes);
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=symbol');
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-eth' })).outcome).toBe('executed');
  });

  it('live trading through MCP is off unless enabled; closes and the kill switch still work', async () => {
    const { as, desk } = setup({ MCP_MAX_NOTIONAL_ORDER: '0', MCP_MAX_NOTIONAL_DAY: '0' });
    const c = await as(trader, yes);
    desk.mode = 'paper';
    // Seed an open position directly (the cap of 0 forbids agents from opening one).
    desk.qty = 0.01;
    await desk.execute(trader, { signalId: 'sig-btc' });
    desk.mode = 'live';
    const r = await call(c, 'execute_signal', { signalId: 'sig-eth' });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=live_disabled');
    expect(sc(await call(c, 'close_position', { symbol: 'BTCUSDT' })).outcome).toBe('closed');
    expect(sc(await call(c, 'set_kill_switch', { on: true })).killSwitch).toBe(true);
  });

  it('live trading through MCP works when enabled', async () => {
    const { as, desk } = setup({ MCP_LIVE_ENABLED: 'true' });
    desk.mode = 'live';
    const c = await as(trader, yes);
    expect(sc(await call(c, 'execute_signal', { signalId: 'sig-eth' })).outcome).toBe('executed');
  });
});

describe('resources and prompts', () => {
  it('reads signal://{id}, positions://open and events://recent', async () => {
    const { as } = setup();
    const c = await as(trader, () => ({ action: 'accept', content: { confirm: true } }));
    await call(c, 'execute_signal', { signalId: 'sig-eth' });
    const { resourceTemplates } = await c.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('signal://{id}');
    const { resources } = await c.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['positions://open', 'events://recent', 'signal://sig-btc']));
    const sig = await c.readResource({ uri: 'signal://sig-btc' });
    expect(JSON.parse((sig.contents[0] as { text: string }).text)).toMatchObject({ id: 'sig-btc', symbol: 'BTCUSDT' });
    const pos = await c.readResource({ uri: 'positions://open' });
    expect(JSON.parse((pos.contents[0] as { text: string }).text)).toHaveLength(1);
    const ev = await c.readResource({ uri: 'events://recent' });
    expect(JSON.parse((ev.contents[0] as { text: string }).text)[0]).toMatchObject({ type: 'order.placed', symbol: 'ETHUSDT' });
    await expect(c.readResource({ uri: 'signal://missing' })).rejects.toThrow(/NOT_FOUND/);
  });

  it('offers review_open_risk and triage_signal prompts', async () => {
    const { as } = setup();
    const c = await as(viewer);
    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['review_open_risk', 'triage_signal']);
    const p = await c.getPrompt({ name: 'triage_signal', arguments: { signalId: 'sig-btc' } });
    expect((p.messages[0]!.content as { text: string }).text).toContain('sig-btc');
    const r = await c.getPrompt({ name: 'review_open_risk' });
    expect((r.messages[0]!.content as { text: string }).text).toContain('list_positions');
  });
});
