import { afterEach, describe, expect, it } from 'vitest';
import type { DeskEvent, Signal } from '../../engine/index.ts';
import { evaluateGates, perTradeSharpe } from '../../engine/backtest/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const ADMIN = { kind: 'rpc' as const, id: 'ops', role: 'admin' as const };
const VIEWER = { kind: 'rpc' as const, id: 'v', role: 'viewer' as const };

/** 30 returns (%) with mean 0.6 and spread ~1 → a clearly positive per-trade Sharpe. */
function record(n = 30, shift = 0): number[] {
  return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1.6 : -0.4) + shift + (i % 3) * 0.01);
}

describe('promotion gates at the exact thresholds', () => {
  const r = record();
  const s = perTradeSharpe(r)!;
  it('N: exactly min trades passes, one fewer fails', () => {
    expect(evaluateGates(r, { minTrades: 30, minSharpe: 0.1 }).pass).toBe(true);
    const v = evaluateGates(r.slice(0, 29), { minTrades: 30, minSharpe: 0.1 });
    expect(v.pass).toBe(false);
    expect(v.reasons.join()).toContain('29 closed trades < 30');
  });
  it('Sharpe: exactly the threshold fails (it must be above), a hair below the record passes', () => {
    expect(evaluateGates(r, { minTrades: 30, minSharpe: s }).pass).toBe(false);
    expect(evaluateGates(r, { minTrades: 30, minSharpe: s - 1e-9 }).pass).toBe(true);
  });
  it('expectancy: exactly zero fails', () => {
    const zero = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const v = evaluateGates(zero, { minTrades: 30, minSharpe: -5 });
    expect(v.expectancy).toBe(0);
    expect(v.pass).toBe(false);
    expect(v.reasons.join()).toContain('expectancy');
  });
});

describe('strategy lifecycle in the desk', () => {
  let t: TestDesk | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('promotion needs the gates on backtest + shadow results, at the configured thresholds; status shows it', async () => {
    const r = record();
    const s = perTradeSharpe(r)!;
    t = await createTestDesk({ DESK_LIVE_STRATEGIES: 'bb-grid-short', STRATEGY_PROMOTE_MIN_TRADES: '30', STRATEGY_PROMOTE_MIN_SHARPE: String(s) });
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => events.push(e));
    const name = 'bb-grid-long';
    await expect(t.desk.promoteStrategy(ADMIN, { name })).rejects.toMatchObject({ code: 'STRATEGY_NOT_LIVE' });
    t.desk.recordBacktest({ [name]: r.slice(0, 29) });
    await expect(t.desk.promoteStrategy(ADMIN, { name })).rejects.toMatchObject({ code: 'STRATEGY_NOT_LIVE' });
    t.desk.recordBacktest({ [name]: r }); // Sharpe exactly at the threshold
    await expect(t.desk.promoteStrategy(ADMIN, { name })).rejects.toMatchObject({ code: 'STRATEGY_NOT_LIVE', detail: { strategy: name } });
    await expect(t.desk.promoteStrategy(VIEWER, { name })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(t.desk.promoteStrategy(ADMIN, { name: 'no-such' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    let st = (await t.desk.strategies(VIEWER)).strategies.find((x) => x.name === name)!;
    expect(st.stage).toBe('shadow');
    expect(st.gates?.pass).toBe(false);
    expect(st.record?.backtest.trades).toBe(30);
    expect(events.filter((e) => e.type === 'strategy.stage')).toHaveLength(0);

    t.desk.recordBacktest({ [name]: record(30, 0.01) }); // strictly better
    const res = await t.desk.promoteStrategy(ADMIN, { name });
    expect(res).toEqual({ name, stage: 'live', changed: true, reasons: [] });
    st = (await t.desk.strategies(VIEWER)).strategies.find((x) => x.name === name)!;
    expect(st.stage).toBe('live');
    expect(st.reason).toContain('promoted');
    expect((await t.desk.status(VIEWER)).strategies.find((x) => x.name === name)?.stage).toBe('live');
    const ev = events.find((e) => e.type === 'strategy.stage');
    expect(ev).toMatchObject({ type: 'strategy.stage', strategy: name, stage: 'live' });
  });

  it('a live strategy is demoted when its full rolling window sits exactly at the Sharpe threshold', async () => {
    const r = record();
    // the desk reads each return back as net PnL / notional × 100 (notional 100 here): use the same floats
    const s = perTradeSharpe(r.map((x) => (x / 100) * 100))!;
    t = await createTestDesk({ STRATEGY_PROMOTE_MIN_TRADES: '30', STRATEGY_PROMOTE_MIN_SHARPE: String(s) });
    const { store } = t;
    const put = (strategy: string, rets: number[], from: number) => {
      rets.forEach((ret, i) => {
        const id = `s${strategy}${from + i}`;
        const sig: Signal = {
          id, symbol: 'BTCUSDT', interval: '60', side: 'long', strategy, score: 6, scoreParts: [], entry: 100, stop: 90, targets: [120],
          barTime: from + i, expiresAt: from + i + 1, regime: 'range', stage: 'live', status: 'expired', createdAt: from + i,
        };
        store.signals.insert(sig);
        store.positions.open({ id: `p${id}`, mode: 'paper', symbol: `X${from + i}USDT`, side: 'long', qty: 1, entryPrice: 100, stop: 90, targets: [120], leverage: 1, signalId: id, actorKind: 'system', actorId: 'x', openedAt: from + i });
        const p = store.positions.get(`p${id}`)!;
        store.positions.save({ ...p, qty: 0, realizedPnl: ret, fees: 0, status: 'closed', closedAt: from + i + 1, closeReason: 'stop' });
      });
    };
    put('bb-grid-long', r, 1000); // rolling Sharpe exactly at the threshold: demoted (it must stay above)
    put('ha-wavetrend-reversal', record(30, 0.01), 2000); // above: stays
    put('bb-grid-short', record(29, -1), 3000); // losing, but the window is not full: stays
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => events.push(e));
    const out = await t.desk.reviewStrategies(ADMIN);
    expect(out.map((x) => x.name)).toEqual(['bb-grid-long']);
    const list = (await t.desk.strategies(VIEWER)).strategies;
    expect(list.find((x) => x.name === 'ha-wavetrend-reversal')?.stage).toBe('live');
    expect(list.find((x) => x.name === 'bb-grid-short')?.stage).toBe('live');
    expect(list.find((x) => x.name === 'bb-grid-long')).toMatchObject({ stage: 'shadow' });
    expect(list.find((x) => x.name === 'bb-grid-long')?.reason).toContain('auto-demoted');
    expect(events).toContainEqual(expect.objectContaining({ type: 'strategy.stage', strategy: 'bb-grid-long', stage: 'shadow' }));
    expect(await t.desk.reviewStrategies(ADMIN)).toEqual([]);
  });

  it('demotes automatically when a closing position drags the rolling record below the gates, and admins get the event', async () => {
    t = await createTestDesk({ STRATEGY_PROMOTE_MIN_TRADES: '1', LIMIT_EXECUTES_PER_HOUR: '1000' });
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => events.push(e));
    const sig = await t.nextSignal();
    const trader = { kind: 'rpc' as const, id: 't', role: 'trader' as const };
    const ex = await t.desk.execute(trader, { signalId: sig.id });
    await t.desk.closePosition(trader, { positionId: ex.positionId! });
    // one closed trade: no Sharpe → the 1-trade window fails the gates → back to shadow
    const st = (await t.desk.strategies(VIEWER)).strategies.find((x) => x.name === sig.strategy)!;
    expect(st.stage).toBe('shadow');
    expect(events).toContainEqual(expect.objectContaining({ type: 'strategy.stage', strategy: sig.strategy, stage: 'shadow' }));
  });

  it('shadow signals are paper-tracked: their closed trades form the shadow record', async () => {
    t = await createTestDesk({ DESK_LIVE_STRATEGIES: 'funding-fade' });
    for (let i = 0; i < 40 && t.feed.remaining() > 0; i++) await t.feed.step(500);
    const list = (await t.desk.strategies(VIEWER)).strategies;
    const shadowTrades = list.reduce((a, x) => a + (x.record?.shadow.trades ?? 0), 0);
    expect(shadowTrades).toBeGreaterThan(0);
    expect(list.every((x) => x.name === 'funding-fade' || x.stage === 'shadow')).toBe(true);
  });
});
