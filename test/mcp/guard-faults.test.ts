import { afterEach, describe, expect, it } from 'vitest';

// Fault injection the real desk can't be made to produce on demand (vendor-ish errors, unknown
// outcomes, live mode, several simultaneous live signals) — against a small DeskApi double.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DeskError, ManualClock, testConfig, type Actor } from '../../engine/index.ts';
import { createMcpShared } from '../../mcp/index.ts';
import { connect, type Connected } from './connect.ts';
import { createFakeDesk } from './fake-desk.ts';

const trader: Actor = { kind: 'mcp', id: 'agent-a', role: 'trader' };
const trader2: Actor = { kind: 'mcp', id: 'agent-b', role: 'trader' };

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

describe('errors', () => {
  it('a non-desk error never leaks its text or a stack', async () => {
    const { as, desk } = setup();
    desk.failExecute = new Error('bybit said: invalid api_key=ABCDEF at /v5/order/create');
    const c = await as(trader, () => ({ action: 'accept', content: { confirm: true } }));
    const r = await call(c, 'execute_signal', { signalId: 'sig-btc' });
    expectError(r, 'INTERNAL');
    expect(text(r)).not.toMatch(/bybit|api_key|ABCDEF|at \//);
  });
});

describe('agent caps', () => {
  const yes = () => ({ action: 'accept' as const, content: { confirm: true } });

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

