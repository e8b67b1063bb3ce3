import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { testConfig } from '../../engine/config.ts';
import { ALL_STRATEGIES } from '../../engine/scan/all-strategies.ts';
import type { Interval } from '../../engine/schemas.ts';
import { byClose, loadBacktestData, renderReport, runBacktest, runDeskBacktest, runFastBacktest, type RunResult } from '../../engine/backtest/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, 'data', 'klines');
const FUNDING = join(ROOT, 'data', 'funding');
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
const MAIN = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT'];
const EXTRA = ['AAVEUSDT', 'ADAUSDT', 'APEUSDT', 'AVAXUSDT'];

/** Money fields agree to 1e-9; everything else (who, when, at what price, how much, why) is identical. */
function expectSameRun(fast: RunResult, desk: RunResult): void {
  expect(fast.bars).toBe(desk.bars);
  expect([fast.from, fast.to]).toEqual([desk.from, desk.to]);
  expect(fast.symbols).toEqual(desk.symbols);
  expect(fast.signals).toBe(desk.signals);
  expect(fast.refusals).toEqual(desk.refusals);
  const a = [...fast.trades].sort(byClose);
  const b = [...desk.trades].sort(byClose);
  expect(a.map((t) => [t.symbol, t.interval, t.strategy, t.side, t.openedAt, t.closedAt, t.entryPrice, t.qty, t.closeReason])).toEqual(
    b.map((t) => [t.symbol, t.interval, t.strategy, t.side, t.openedAt, t.closedAt, t.entryPrice, t.qty, t.closeReason]),
  );
  for (let i = 0; i < a.length; i++) {
    for (const k of ['grossPnl', 'fees', 'funding', 'netPnl', 'notional'] as const) expect(Math.abs(a[i]![k] - b[i]![k])).toBeLessThan(1e-9);
  }
  expect(Math.abs(fast.endEquity - desk.endEquity)).toBeLessThan(1e-9);
  expect(fast.equity.t).toEqual(desk.equity.t);
  for (let i = 0; i < fast.equity.equity.length; i++) expect(Math.abs(fast.equity.equity[i]! - desk.equity.equity[i]!)).toBeLessThan(1e-9);
}

async function both(o: { symbols: string[]; interval: Interval; from: number; to: number; config?: Record<string, string> }) {
  const data = loadBacktestData({ dataDir: DATA, fundingDir: FUNDING, symbols: o.symbols, intervals: [o.interval], from: o.from, to: o.to, warmupBars: 300 });
  const config = testConfig(o.config);
  const run = { config, data, interval: o.interval, strategies: ALL_STRATEGIES };
  const desk = await runDeskBacktest(run);
  const fast = runFastBacktest(run);
  return { desk, fast };
}

describe('fast backtest = the desk backtest (same trades on real series, all strategies)', () => {
  it('15-minute bars, 5 symbols, 12 days: same entries, exits, quantities and PnL within 1e-9', async () => {
    const { desk, fast } = await both({ symbols: MAIN, interval: '15', from: day('2025-11-10'), to: day('2025-11-22') });
    expect(desk.trades.length).toBeGreaterThan(20);
    expectSameRun(fast, desk);
  }, 120_000);

  it('daily bars, 5 symbols, one year: same run', async () => {
    const { desk, fast } = await both({ symbols: MAIN, interval: 'D', from: day('2025-01-05'), to: day('2026-01-05') });
    expect(desk.trades.length).toBeGreaterThan(5);
    expectSameRun(fast, desk);
  }, 120_000);

  it('4-hour bars, the 4 extra symbols, 90 days: same run', async () => {
    const { desk, fast } = await both({ symbols: EXTRA, interval: '240', from: day('2026-04-22'), to: day('2026-07-21') });
    expect(desk.trades.length).toBeGreaterThan(5);
    expectSameRun(fast, desk);
  }, 120_000);

  it('hourly bars, 5 symbols, one month (breaker trips, signals on the last bar have no next bar): same run', async () => {
    const { desk, fast } = await both({ symbols: MAIN, interval: '60', from: day('2025-11-01'), to: day('2025-12-01') });
    expect(Object.keys(desk.refusals)).toEqual(expect.arrayContaining(['BREAKER_TRIPPED', 'NO_NEXT_BAR', 'COOLDOWN']));
    expectSameRun(fast, desk);
  }, 120_000);

  it("runBacktest with engine 'fast' prints the desk's report byte for byte (1h and 4h, default universe)", async () => {
    const req = { config: testConfig(), symbols: MAIN, intervals: ['60', '240'] as Interval[], dataDir: DATA, fundingDir: FUNDING, from: day('2025-11-01'), to: day('2025-12-01') };
    const desk = await runBacktest(req);
    const fast = await runBacktest({ ...req, engine: 'fast' });
    expect(desk.report.total.trades).toBeGreaterThan(50);
    expect(renderReport(fast.report)).toBe(renderReport(desk.report));
    expect(JSON.stringify(fast.report)).toBe(JSON.stringify(desk.report));
  }, 120_000);

  it('random risk configurations (seeded): every run trade-for-trade and bit-for-bit the desk\'s', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    for (let k = 0; k < 6; k++) {
      const interval = pick(['15', '60', '240'] as const);
      const from = day(pick(['2025-10-20', '2025-11-05', '2025-12-01']));
      const to = from + (interval === '15' ? 6 : interval === '60' ? 20 : 60) * 86_400_000;
      const config = {
        RISK_MAX_LEVERAGE: pick(['1', '3', '10', '25']),
        RISK_TRAIL_MIN_LEVERAGE: pick(['2', '5', '10']),
        RISK_MAX_POSITIONS: pick(['1', '2', '5']),
        RISK_DAILY_LOSS_PCT: pick(['0.3', '1', '5']),
        RISK_MAX_MARGIN_PCT: pick(['5', '15', '60']),
        RISK_PER_TRADE_PCT: pick(['0.5', '1', '3']),
        RISK_COOLDOWN_MIN: pick(['0', '60', '600']),
        DESK_SCORE_THRESHOLD: pick(['4', '5.5', '6.5']),
        DESK_SIGNAL_TTL_BARS: pick(['1', '3', '8']),
        PAPER_FEE_RATE: pick(['0', '0.00055', '0.002']),
      };
      const { desk, fast } = await both({ symbols: MAIN, interval, from, to, config });
      expect(desk.trades.length, JSON.stringify(config)).toBeGreaterThan(0);
      expectSameRun(fast, desk);
      expect(JSON.stringify([...fast.trades].sort(byClose)), JSON.stringify(config)).toBe(JSON.stringify([...desk.trades].sort(byClose)));
    }
  }, 180_000);

  it('is deterministic and leaves the loaded data untouched', () => {
    const data = loadBacktestData({ dataDir: DATA, fundingDir: FUNDING, symbols: MAIN, intervals: ['240'], from: day('2025-10-01'), to: day('2025-12-01'), warmupBars: 300 });
    const before = data.series.map((s) => [s.data.close.slice(), s.from, s.end] as const);
    const run = { config: testConfig(), data, interval: '240' as const, strategies: ALL_STRATEGIES };
    const a = runFastBacktest(run);
    const b = runFastBacktest(run);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(data.series.map((s) => [s.data.close.slice(), s.from, s.end])).toEqual(before);
  });

  it('refuses bad input before trading anything: a NaN close or a repeated start (VALIDATION), a symbol without instrument rules (CONFIG)', () => {
    const load = () => loadBacktestData({ dataDir: DATA, fundingDir: FUNDING, symbols: ['BTCUSDT', 'ETHUSDT'], intervals: ['240'], from: day('2025-11-01'), to: day('2025-11-10'), warmupBars: 50 });
    const go = (data: ReturnType<typeof load>) => runFastBacktest({ config: testConfig(), data, interval: '240', strategies: ALL_STRATEGIES });
    const nan = load();
    nan.series[1]!.data.close[nan.series[1]!.end - 1] = Number.NaN;
    expect(() => go(nan)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const dup = load();
    const d = dup.series[0]!.data;
    d.start[dup.series[0]!.from + 3] = d.start[dup.series[0]!.from + 2]!;
    expect(() => go(dup)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const norules = load();
    norules.instruments = norules.instruments.filter((i) => i.symbol !== 'ETHUSDT');
    expect(() => go(norules)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('refuses an interval with no series like the desk (DeskError CONFIG)', () => {
    const data = loadBacktestData({ dataDir: DATA, symbols: ['BTCUSDT'], intervals: ['240'], from: day('2025-11-01'), to: day('2025-11-05'), warmupBars: 10 });
    expect(() => runFastBacktest({ config: testConfig(), data, interval: 'D', strategies: ALL_STRATEGIES })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('every gate and exit rule under stress (breaker, cooldown, max positions, trailing at 20x, break-even): same run', async () => {
    const { desk, fast } = await both({
      symbols: MAIN,
      interval: '15',
      from: day('2025-11-10'),
      to: day('2025-11-20'),
      config: { RISK_MAX_LEVERAGE: '20', RISK_TRAIL_MIN_LEVERAGE: '5', RISK_MAX_POSITIONS: '2', RISK_DAILY_LOSS_PCT: '0.5', RISK_MAX_MARGIN_PCT: '60', RISK_PER_TRADE_PCT: '2' },
    });
    // The stress actually reached the gates it is meant to exercise.
    expect(Object.keys(desk.refusals)).toEqual(expect.arrayContaining(['MAX_POSITIONS', 'POSITION_EXISTS']));
    expect(desk.trades.some((t) => t.closeReason === 'stop')).toBe(true);
    expect(desk.trades.some((t) => t.closeReason === 'target')).toBe(true);
    expectSameRun(fast, desk);
  }, 120_000);
});
