import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Actor } from '../../engine/index.ts';
import { createMcpShared } from '../../mcp/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { connect, type Connected } from './connect.ts';

// In process, against the real desk (replay of bundled real klines, paper broker, manual clock),
// through the SDK Client over InMemoryTransport.

const trader: Actor = { kind: 'mcp', id: 'agent-a', role: 'trader' };
const trader2: Actor = { kind: 'mcp', id: 'agent-b', role: 'trader' };
const viewer: Actor = { kind: 'mcp', id: 'watcher', role: 'viewer' };
const admin: Actor = { kind: 'mcp', id: 'boss', role: 'admin' };
const yes = (): ElicitResult => ({ action: 'accept', content: { confirm: true } });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(overrides: Record<string, string> = {}) {
  const td: TestDesk = await createTestDesk({ MCP_MAX_NOTIONAL_ORDER: '100000', MCP_MAX_NOTIONAL_DAY: '1000000', ...overrides });
  cleanup.push(() => td.close());
  const shared = createMcpShared(td.desk, td.config, td.clock);
  cleanup.push(async () => shared.events.close());
  const as = async (actor: Actor, elicit?: (m: string) => ElicitResult | Promise<ElicitResult>): Promise<Client & { asked: string[] }> => {
    const c: Connected = await connect(td.desk, actor, { config: td.config, clock: td.clock, shared, elicit });
    cleanup.push(() => c.close());
    return Object.assign(c.client, { asked: c.elicitations });
  };
  return { td, shared, as };
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult): string => (r.content[0] as { text: string }).text;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sc = (r: CallToolResult) => r.structuredContent as Record<string, any>;

function expectError(r: CallToolResult, code: string): void {
  expect(r.isError, text(r)).toBe(true);
  expect(r.structuredContent).toBeUndefined();
  expect(text(r)).toMatch(new RegExp(`^${code}: `));
}

async function openPositions(td: TestDesk): Promise<number> {
  return (await td.desk.listPositions(admin, { status: 'open' })).positions.length;
}

describe('tool catalogue', () => {
  it('lists the 13 tools with titles, model-facing descriptions, input and output schemas and honest annotations', async () => {
    const { as } = await setup();
    const c = await as(trader);
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'close_position', 'execute_signal', 'get_balance', 'get_pnl', 'get_signal', 'get_status', 'list_positions',
        'list_signals', 'pause_entries', 'preview_trade', 'resume_entries', 'scan_market', 'set_kill_switch',
      ],
    );
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect((t.description ?? '').length, t.name).toBeGreaterThan(60);
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.annotations?.readOnlyHint, t.name).toBeTypeOf('boolean');
    }
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const r of ['get_status', 'list_signals', 'get_signal', 'preview_trade', 'list_positions', 'get_balance', 'get_pnl']) {
      expect(by[r]!.annotations?.readOnlyHint, r).toBe(true);
    }
    expect(by.execute_signal!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true });
    expect(by.close_position!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(by.set_kill_switch!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(by.execute_signal!.inputSchema.required).toEqual(['signalId']);
    expect(Object.keys(by.execute_signal!.inputSchema.properties ?? {})).toEqual(['signalId', 'riskPct', 'confirmToken']);
    expect(Object.keys(by.execute_signal!.outputSchema?.properties ?? {})).toEqual(['outcome', 'order', 'preview', 'confirmation']);
  });
});

describe('read tools on the real desk', () => {
  it('status, scan, signals, preview, positions, balance and pnl return structured content', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(viewer);
    const st = await call(c, 'get_status');
    expect(st.isError).toBeFalsy();
    expect(sc(st)).toMatchObject({ mode: 'paper', feed: 'replay', killSwitch: false, universe: td.config.DESK_UNIVERSE });
    expect(text(st)).toMatch(/^paper desk; 0 open positions/);
    const scan = await call(c, 'scan_market', { symbol: s.symbol.toLowerCase() });
    expect(scan.isError, text(scan)).toBeFalsy();
    expect(sc(scan).limit).toMatchObject({ used: 1, max: td.config.LIMIT_SCANS_PER_DAY });
    const list = sc(await call(c, 'list_signals'));
    expect(list.signals.map((x: { id: string }) => x.id)).toContain(s.id);
    expect(sc(await call(c, 'get_signal', { id: s.id })).signal).toMatchObject({ id: s.id, symbol: s.symbol, side: s.side });
    const pv = sc(await call(c, 'preview_trade', { signalId: s.id }));
    expect(pv).toMatchObject({ signalId: s.id, symbol: s.symbol, allowed: true, refusal: null });
    expect(pv.notional).toBeGreaterThan(0);
    expect(sc(await call(c, 'list_positions', { status: 'all' })).positions).toEqual([]);
    expect(sc(await call(c, 'get_balance'))).toMatchObject({ mode: 'paper', currency: 'USDT', equity: td.config.PAPER_START_EQUITY });
    expect(sc(await call(c, 'get_pnl', { period: 'week' }))).toMatchObject({ period: 'week', trades: 0 });
    expect(await openPositions(td)).toBe(0);
  });

  it('preview_trade folds the agent caps into its verdict', async () => {
    const { td, as } = await setup({ MCP_MAX_NOTIONAL_ORDER: '10' });
    const s = await td.nextSignal();
    const c = await as(trader);
    const pv = sc(await call(c, 'preview_trade', { signalId: s.id }));
    expect(pv.allowed).toBe(false);
    expect(pv.refusal).toMatchObject({ code: 'AGENT_CAP', detail: { cap: 'order_notional', max: 10 } });
  });
});

describe('errors', () => {
  it('schema errors are isError, name the field and carry no structuredContent', async () => {
    const { as } = await setup();
    const c = await as(trader);
    for (const [tool, args, field] of [
      ['get_signal', {}, 'id'],
      ['execute_signal', { signalId: 'x', riskPct: 50 }, 'riskPct'],
      ['execute_signal', { signalId: '' }, 'signalId'],
      ['close_position', { fraction: 0.5 }, 'positionId'],
      ['close_position', { symbol: 'BTCUSDT', fraction: 2 }, 'fraction'],
      ['list_signals', { symbol: 'not a symbol' }, 'symbol'],
      ['set_kill_switch', { on: 'yes' }, 'on'],
      ['get_pnl', { period: 'year' }, 'period'],
    ] as const) {
      const r = await call(c, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.structuredContent).toBeUndefined();
      expect(text(r)).toContain(field);
    }
  });

  it('desk errors come back curated: code, sentence and flat detail', async () => {
    const { as } = await setup();
    const c = await as(trader);
    const r = await call(c, 'get_signal', { id: 'no-such-signal' });
    expectError(r, 'NOT_FOUND');
    expect(text(r)).not.toMatch(/\n\s+at /);
    const ex = await call(c, 'execute_signal', { signalId: 'no-such-signal' });
    expectError(ex, 'NOT_FOUND');
  });
});

describe('roles (the desk decides; MCP surfaces it)', () => {
  it('a viewer can read but not execute, close, pause or touch the kill switch', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(viewer, yes);
    expectError(await call(c, 'execute_signal', { signalId: s.id }), 'FORBIDDEN');
    expectError(await call(c, 'close_position', { symbol: s.symbol }), 'FORBIDDEN');
    expectError(await call(c, 'pause_entries', { reason: 'x' }), 'FORBIDDEN');
    expectError(await call(c, 'set_kill_switch', { on: true }), 'FORBIDDEN');
    expect(c.asked).toEqual([]);
    expect(await openPositions(td)).toBe(0);
  });

  it('a trader may turn the kill switch on but not off; an admin pauses, resumes and clears it', async () => {
    const { td, as } = await setup();
    const t = await as(trader);
    expect(sc(await call(t, 'set_kill_switch', { on: true, reason: 'odd fills' }))).toMatchObject({ killSwitch: true });
    expectError(await call(t, 'set_kill_switch', { on: false }), 'FORBIDDEN');
    expectError(await call(t, 'pause_entries'), 'FORBIDDEN');
    const s = await td.nextSignal();
    const refused = await call(await as(trader, yes), 'execute_signal', { signalId: s.id });
    expectError(refused, 'KILL_SWITCH');
    const a = await as(admin);
    expect(sc(await call(a, 'pause_entries', { reason: 'news' }))).toMatchObject({ entriesPaused: true });
    expect(sc(await call(a, 'resume_entries'))).toMatchObject({ entriesPaused: false });
    expect(sc(await call(a, 'set_kill_switch', { on: false }))).toMatchObject({ killSwitch: false });
  });
});

describe('confirmation by token (client without elicitation)', () => {
  it('the first call previews and places nothing; the token executes exactly once', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader);
    const first = await call(c, 'execute_signal', { signalId: s.id });
    expect(first.isError, text(first)).toBeFalsy();
    expect(sc(first)).toMatchObject({ outcome: 'confirmation_required', preview: { signalId: s.id, symbol: s.symbol, allowed: true } });
    expect(sc(first).confirmation.expiresAt).toBe(td.clock.now() + 60_000);
    expect(text(first)).toContain('Nothing placed yet');
    expect(await openPositions(td)).toBe(0);
    const token = sc(first).confirmation.token as string;
    const second = await call(c, 'execute_signal', { signalId: s.id, confirmToken: token });
    expect(sc(second)).toMatchObject({ outcome: 'executed', order: { symbol: s.symbol, status: 'filled', duplicate: false } });
    expect(await openPositions(td)).toBe(1);
    const replay = await call(c, 'execute_signal', { signalId: s.id, confirmToken: token });
    expectError(replay, 'CONFIRMATION_INVALID');
    expect(text(replay)).toContain('reason=used');
    expect(await openPositions(td)).toBe(1);
  });

  it('an expired token fails closed', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: s.id })).confirmation.token;
    td.clock.advance(60_000);
    const r = await call(c, 'execute_signal', { signalId: s.id, confirmToken: token });
    expectError(r, 'CONFIRMATION_INVALID');
    expect(text(r)).toContain('reason=expired');
    expect(await openPositions(td)).toBe(0);
  });

  it('a token is bound to the exact arguments and cannot be forged', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: s.id, riskPct: 0.5 })).confirmation.token as string;
    expectError(await call(c, 'execute_signal', { signalId: s.id, riskPct: 2, confirmToken: token }), 'CONFIRMATION_INVALID');
    expectError(await call(c, 'execute_signal', { signalId: s.id, confirmToken: token }), 'CONFIRMATION_INVALID');
    const [v, nonce, exp, mac] = token.split('.');
    const later = `${v}.${nonce}.${Number(exp) + 600_000}.${mac}`;
    expectError(await call(c, 'execute_signal', { signalId: s.id, riskPct: 0.5, confirmToken: later }), 'CONFIRMATION_INVALID');
    const flipped = `${v}.${nonce}.${exp}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    expectError(await call(c, 'execute_signal', { signalId: s.id, riskPct: 0.5, confirmToken: flipped }), 'CONFIRMATION_INVALID');
    expectError(await call(c, 'execute_signal', { signalId: s.id, riskPct: 0.5, confirmToken: 'garbage' }), 'CONFIRMATION_INVALID');
    expect(await openPositions(td)).toBe(0);
    // The genuine token, with its exact arguments, still works once.
    expect(sc(await call(c, 'execute_signal', { signalId: s.id, riskPct: 0.5, confirmToken: token })).outcome).toBe('executed');
  });

  it("another actor's token is refused", async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const a = await as(trader);
    const b = await as(trader2);
    const token = sc(await call(a, 'execute_signal', { signalId: s.id })).confirmation.token;
    expectError(await call(b, 'execute_signal', { signalId: s.id, confirmToken: token }), 'CONFIRMATION_INVALID');
    expect(await openPositions(td)).toBe(0);
  });

  it('the same token raced five times executes once', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader);
    const token = sc(await call(c, 'execute_signal', { signalId: s.id })).confirmation.token;
    const rs = await Promise.all(Array.from({ length: 5 }, () => call(c, 'execute_signal', { signalId: s.id, confirmToken: token })));
    expect(rs.filter((r) => !r.isError)).toHaveLength(1);
    expect(rs.filter((r) => r.isError && text(r).startsWith('CONFIRMATION_INVALID'))).toHaveLength(4);
    expect(await openPositions(td)).toBe(1);
  });

  it('close_position needs its own token and closes the previewed position', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader);
    const t1 = sc(await call(c, 'execute_signal', { signalId: s.id })).confirmation.token;
    await call(c, 'execute_signal', { signalId: s.id, confirmToken: t1 });
    // An execute token is no close token.
    const reuse = await call(c, 'close_position', { symbol: s.symbol, confirmToken: t1 });
    expectError(reuse, 'CONFIRMATION_INVALID');
    const first = await call(c, 'close_position', { symbol: s.symbol, fraction: 0.5 });
    expect(sc(first)).toMatchObject({ outcome: 'confirmation_required', position: { symbol: s.symbol, status: 'open' }, fraction: 0.5 });
    const qty = sc(first).position.qty as number;
    const done = await call(c, 'close_position', { symbol: s.symbol, fraction: 0.5, confirmToken: sc(first).confirmation.token });
    expect(done.isError, text(done)).toBeFalsy();
    expect(sc(done)).toMatchObject({ outcome: 'closed', close: { symbol: s.symbol, status: 'open' } });
    expect(sc(done).close.closedQty + sc(done).close.remainingQty).toBeCloseTo(qty, 8);
  });
});

describe('confirmation by elicitation', () => {
  it('accept executes, and the human was shown side, size, notional and risk', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader, yes);
    const r = await call(c, 'execute_signal', { signalId: s.id });
    expect(sc(r)).toMatchObject({ outcome: 'executed', order: { symbol: s.symbol, duplicate: false } });
    expect(c.asked).toHaveLength(1);
    expect(c.asked[0]).toContain(`${s.side.toUpperCase()} ${sc(r).order.qty} ${s.symbol}`);
    expect(c.asked[0]).toMatch(/notional ~[\d.]+ USDT.*USDT \([\d.]+%\) at risk/);
    expect(await openPositions(td)).toBe(1);
  });

  it('decline, cancel and an unticked box place nothing', async () => {
    for (const [answer, outcome] of [
      [{ action: 'decline' }, 'declined'],
      [{ action: 'cancel' }, 'cancelled'],
      [{ action: 'accept', content: { confirm: false } }, 'declined'],
    ] as const) {
      const { td, as } = await setup();
      const s = await td.nextSignal();
      const c = await as(trader, () => answer);
      const r = await call(c, 'execute_signal', { signalId: s.id });
      expect(r.isError, text(r)).toBeFalsy();
      expect(sc(r)).toMatchObject({ outcome, preview: { signalId: s.id } });
      expect(sc(r).order).toBeUndefined();
      expect(await openPositions(td)).toBe(0);
    }
  });

  it('a failing elicitation fails closed', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader, () => {
      throw new Error('client UI crashed');
    });
    expectError(await call(c, 'execute_signal', { signalId: s.id }), 'CONFIRMATION_INVALID');
    expect(await openPositions(td)).toBe(0);
  });

  it('close_position asks, and closes fully on accept; declining leaves it open', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader, yes);
    await call(c, 'execute_signal', { signalId: s.id });
    const no = await as(trader, () => ({ action: 'decline' }));
    expect(sc(await call(no, 'close_position', { symbol: s.symbol })).outcome).toBe('declined');
    expect(await openPositions(td)).toBe(1);
    const r = await call(c, 'close_position', { symbol: s.symbol });
    expect(sc(r)).toMatchObject({ outcome: 'closed', close: { status: 'closed', remainingQty: 0 } });
    expect(c.asked[1]).toMatch(/Close ALL of/);
    expect(await openPositions(td)).toBe(0);
  });
});

describe('agent caps', () => {
  it('refuses an order above the per-order cap before asking anyone', async () => {
    const { td, as } = await setup({ MCP_MAX_NOTIONAL_ORDER: '50' });
    const s = await td.nextSignal();
    const c = await as(trader, yes);
    const r = await call(c, 'execute_signal', { signalId: s.id });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=order_notional');
    expect(text(r)).toContain('max=50');
    expect(c.asked).toEqual([]);
    expect(await openPositions(td)).toBe(0);
  });

  it('counts notional per agent per UTC day', async () => {
    const { td, as, shared } = await setup();
    const s1 = await td.nextSignal();
    const first = await call(await as(trader, yes), 'execute_signal', { signalId: s1.id });
    const used = shared.caps.usedToday(trader);
    expect(used).toBeCloseTo(sc(first).order.qty * sc(first).order.avgPrice, 6);
    // Tighten the day cap to just above what was used: the next order must be refused.
    (shared.caps.caps as { maxNotionalDay: number }).maxNotionalDay = used + 1;
    const s2 = await td.nextSignal();
    const r = await call(await as(trader, yes), 'execute_signal', { signalId: s2.id });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=day_notional');
    expect(await openPositions(td)).toBe(1);
  });

  it('a restart does not hand an agent a fresh daily allowance (the counter is seeded from the ledger)', async () => {
    const { td, as, shared } = await setup();
    const s1 = await td.nextSignal();
    const first = await call(await as(trader, yes), 'execute_signal', { signalId: s1.id });
    const traded = sc(first).order.qty * sc(first).order.avgPrice;
    // A new MCP front-end over the same desk (what a restart builds) starts from the ledger, not from 0.
    const fresh = createMcpShared(td.desk, td.config, td.clock);
    cleanup.push(async () => fresh.events.close());
    await fresh.caps.ready(trader);
    expect(fresh.caps.usedToday(trader)).toBeCloseTo(traded, 6);
    expect(fresh.caps.usedToday(trader2)).toBe(0);
    expect(shared.caps.usedToday(trader)).toBeCloseTo(traded, 6);
  });

  it('refuses symbols outside the allowlist', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const others = td.config.DESK_UNIVERSE.filter((x) => x !== s.symbol).join(',');
    const { as: asLimited, td: td2 } = await setup({ MCP_ALLOWED_SYMBOLS: others });
    void as;
    const s2 = await td2.nextSignal();
    expect(s2.symbol).toBe(s.symbol);
    const r = await call(await asLimited(trader, yes), 'execute_signal', { signalId: s2.id });
    expectError(r, 'AGENT_CAP');
    expect(text(r)).toContain('cap=symbol');
  });

  it('caps never block closing a position or turning the kill switch on', async () => {
    const { td, as } = await setup({ MCP_MAX_NOTIONAL_ORDER: '0', MCP_MAX_NOTIONAL_DAY: '0', MCP_ALLOWED_SYMBOLS: 'DOGEUSDT' });
    const s = await td.nextSignal();
    await td.desk.execute(trader, { signalId: s.id }); // opened outside MCP
    const c = await as(trader, yes);
    expect(sc(await call(c, 'set_kill_switch', { on: true })).killSwitch).toBe(true);
    const r = await call(c, 'close_position', { symbol: s.symbol });
    expect(sc(r)).toMatchObject({ outcome: 'closed', close: { status: 'closed' } });
    expect(await openPositions(td)).toBe(0);
  });
});

describe('resources and prompts', () => {
  it('serves signal://{id}, positions://open and events://recent', async () => {
    const { td, as } = await setup();
    const s = await td.nextSignal();
    const c = await as(trader, yes);
    const { resourceTemplates } = await c.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('signal://{id}');
    const { resources } = await c.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['positions://open', 'events://recent', `signal://${s.id}`]));
    const sig = await c.readResource({ uri: `signal://${s.id}` });
    expect(JSON.parse((sig.contents[0] as { text: string }).text)).toMatchObject({ id: s.id, symbol: s.symbol });
    await call(c, 'execute_signal', { signalId: s.id });
    const pos = await c.readResource({ uri: 'positions://open' });
    expect(JSON.parse((pos.contents[0] as { text: string }).text)).toMatchObject([{ symbol: s.symbol, status: 'open' }]);
    const ev = JSON.parse(((await c.readResource({ uri: 'events://recent' })).contents[0] as { text: string }).text) as { type: string }[];
    expect(ev.map((e) => e.type)).toEqual(expect.arrayContaining(['order.placed', 'position.opened']));
    await expect(c.readResource({ uri: 'signal://missing' })).rejects.toThrow(/NOT_FOUND/);
  });

  it('offers review_open_risk and triage_signal', async () => {
    const { as } = await setup();
    const c = await as(viewer);
    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['review_open_risk', 'triage_signal']);
    const p = await c.getPrompt({ name: 'triage_signal', arguments: { signalId: 's123' } });
    expect((p.messages[0]!.content as { text: string }).text).toContain('s123');
    const r = await c.getPrompt({ name: 'review_open_risk' });
    expect((r.messages[0]!.content as { text: string }).text).toContain('list_positions');
  });
});
