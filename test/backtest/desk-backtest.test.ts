import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { testConfig } from '../../engine/config.ts';
import { ALL_STRATEGIES } from '../../engine/scan/all-strategies.ts';
import type { Strategy } from '../../engine/scan/strategy.ts';
import { loadBacktestData, renderReport, runBacktest, runDeskBacktest, type BacktestData } from '../../engine/backtest/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, 'data', 'klines');
const FUNDING = join(ROOT, 'data', 'funding');
const H4 = 4 * 3_600_000;
const FEE = 0.00055;
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

function floorStep(x: number, step: number): number {
  return Math.floor(x / step + 1e-9) * step;
}
function roundStep(x: number, step: number): number {
  return Math.round(x / step) * step;
}

/** A strategy that goes long once, on the bar that opened at `at`, with far stop and target. */
function once(at: number, seen: number[]): Strategy {
  return {
    name: 'test-once',
    sides: ['long'],
    intervals: ['240'],
    regimes: ['trend-up', 'trend-down', 'range', 'high-vol'],
    evaluate(f) {
      seen.push(f.start);
      if (f.start !== at) return null;
      return { strategy: 'test-once', side: 'long', entry: f.close, stop: f.close * 0.75, targets: [f.close * 1.3], reason: 'test' };
    },
  };
}

describe('desk backtest: fill, fee and funding arithmetic on a hand-checked trade', () => {
  it('enters at the next bar open + half a tick, pays both fees and every funding settlement while open, closes at the last close', async () => {
    const data: BacktestData = loadBacktestData({ dataDir: DATA, fundingDir: FUNDING, symbols: ['BTCUSDT'], intervals: ['240'], from: day('2025-11-01'), to: day('2025-11-08'), warmupBars: 300 });
    const s = data.series[0]!;
    const d = s.data;
    const i = s.from + 9; // the signal bar
    const seen: number[] = [];
    const run = await runDeskBacktest({ config: testConfig({ DESK_SCORE_THRESHOLD: '0' }), data, interval: '240', strategies: [once(d.start[i]!, seen)] });
    expect(run.trades).toHaveLength(1);
    const t = run.trades[0]!;

    const tick = 0.1;
    const ask = roundStep(d.open[i + 1]! + tick / 2, tick / 2);
    const stop = roundStep(d.close[i]! * 0.75, tick);
    const target = roundStep(d.close[i]! * 1.3, tick);
    const last = s.end - 1;
    for (let k = i + 1; k <= last; k++) {
      // precondition of this hand-checked case: neither the stop nor the target is touched
      expect(d.low[k]! > stop && d.high[k]! < target).toBe(true);
    }
    const qty = Number(floorStep(100 / (ask - stop), 0.001).toFixed(3)); // 1 % of 10 000 at risk
    const bid = roundStep(d.close[last]! - tick / 2, tick / 2);
    const fees = qty * ask * FEE + qty * bid * FEE;
    const f = data.funding.get('BTCUSDT')!;
    let funding = 0;
    const entryAt = d.start[i]! + H4;
    const endAt = d.start[last]! + H4;
    let settlements = 0;
    for (let k = 0; k < f.length; k++) {
      const at = f.time[k]!;
      if (at <= entryAt || at > endAt) continue;
      const row = Array.from(d.start).findIndex((st) => st + H4 === at);
      funding += qty * d.close[row]! * f.rate[k]!;
      settlements++;
    }
    expect(settlements).toBeGreaterThan(10);

    expect(t.openedAt).toBe(entryAt);
    expect(t.closedAt).toBe(endAt);
    expect(t.entryPrice).toBeCloseTo(ask, 9);
    expect(t.qty).toBeCloseTo(qty, 12);
    expect(t.fees).toBeCloseTo(fees, 9);
    expect(t.funding).toBeCloseTo(funding, 9);
    expect(t.grossPnl).toBeCloseTo((bid - ask) * qty, 9);
    expect(t.netPnl).toBeCloseTo((bid - ask) * qty - fees - funding, 9);
    expect(t.closeReason).toBe('end');
    expect(run.endEquity).toBeCloseTo(10_000 + t.netPnl, 6);
    // the strategy only ever saw closed bars, in order, never the bar it traded on before deciding
    expect(seen.indexOf(d.start[i]!)).toBeGreaterThanOrEqual(0);
    expect(seen.every((st, k) => k === 0 || st > seen[k - 1]!)).toBe(true);
  });
});

describe('desk backtest: no look-ahead', () => {
  it('every trade opens at its signal bar close, at the next bar open ± half a tick', async () => {
    const out = await runBacktest({ config: testConfig(), intervals: ['240'], from: day('2025-10-15'), to: day('2025-12-01'), dataDir: DATA, fundingDir: FUNDING, warmupBars: 300 });
    const data = loadBacktestData({ dataDir: DATA, symbols: testConfig().DESK_UNIVERSE, intervals: ['240'], warmupBars: 0 });
    const trades = out.runs.flatMap((r) => r.trades);
    expect(trades.length).toBeGreaterThan(10);
    const tick: Record<string, number> = { BTCUSDT: 0.1, ETHUSDT: 0.01, SOLUSDT: 0.001, BNBUSDT: 0.05, WIFUSDT: 0.0001 };
    for (const t of trades) {
      expect(t.openedAt % H4).toBe(0);
      const s = data.series.find((x) => x.symbol === t.symbol)!;
      const row = Array.from(s.data.start).indexOf(t.openedAt);
      expect(row).toBeGreaterThan(0);
      const open = s.data.open[row]!;
      const half = tick[t.symbol]! / 2;
      expect(Math.abs(t.entryPrice - (t.side === 'long' ? open + half : open - half))).toBeLessThan(half / 100);
    }
  });

  it('the past does not depend on the future: cutting the data later changes no earlier trade', async () => {
    const common = { config: testConfig(), intervals: ['240' as const], from: day('2025-10-15'), dataDir: DATA, fundingDir: FUNDING, warmupBars: 300 };
    const long = await runBacktest({ ...common, to: day('2025-12-15') });
    const short = await runBacktest({ ...common, to: day('2025-11-20') });
    const cut = day('2025-11-20') - H4; // the short run's last close: its positions still open there are closed as 'end'
    const early = (ts: typeof long.report.trades) => ts.filter((t) => Date.parse(t.closedAt) < cut);
    expect(early(short.report.trades).length).toBeGreaterThan(5);
    expect(early(long.report.trades)).toEqual(early(short.report.trades));
  });
});

describe('desk backtest: determinism', () => {
  it('two runs with the same arguments give identical reports', async () => {
    const args = { config: testConfig(), intervals: ['60' as const, '240' as const], symbols: ['BTCUSDT', 'SOLUSDT'], from: day('2025-11-01'), to: day('2025-11-20'), dataDir: DATA, fundingDir: FUNDING, warmupBars: 300 };
    const a = await runBacktest(args);
    const b = await runBacktest(args);
    expect(a.report.total.trades).toBeGreaterThan(0);
    expect(JSON.stringify(b.report)).toBe(JSON.stringify(a.report));
    expect(renderReport(b.report)).toBe(renderReport(a.report));
    expect(a.report.byStrategy.map((r) => r.name)).toEqual([...ALL_STRATEGIES.map((s) => s.name)].sort());
  });

  it('refuses an unknown strategy and an empty window with DeskErrors', async () => {
    await expect(runBacktest({ config: testConfig(), strategies: ['nope'], dataDir: DATA })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(runBacktest({ config: testConfig(), from: day('2030-01-01'), dataDir: DATA })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(runBacktest({ config: testConfig(), from: day('2025-12-01'), to: day('2025-11-01'), dataDir: DATA })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
