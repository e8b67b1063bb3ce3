import { describe, expect, it } from 'vitest';
import { ALL_STRATEGIES, strategyByName } from '../../engine/scan/all-strategies.ts';
import { levelsValid } from '../../engine/scan/levels.ts';
import { REGIMES } from '../../engine/scan/regime.ts';
import { SESSIONS } from '../../engine/scan/session.ts';
import { IntervalSchema } from '../../engine/schemas.ts';
import type { Interval } from '../../engine/schemas.ts';
import type { Candidate, Strategy } from '../../engine/scan/strategy.ts';
import type { Features } from '../../engine/indicators/features.ts';
import { GRID_LOWER_PERCENT_B } from '../../engine/scan/strategies/bb-grid-long.ts';
import { GRID_UPPER_PERCENT_B } from '../../engine/scan/strategies/bb-grid-short.ts';
import { RSI_OVERBOUGHT, RSI_OVERSOLD } from '../../engine/scan/strategies/rsi-bb-reversion.ts';
import { FUNDING_EXTREME } from '../../engine/scan/strategies/funding-fade.ts';
import { SQUEEZE_NEAR_MIN, SQUEEZE_VOLUME_MULT } from '../../engine/scan/strategies/bb-squeeze-breakout.ts';
import { WT_EXTREME } from '../../engine/scan/strategies/ha-wavetrend-reversal.ts';
import { featuresAt, featureSeries } from './real-features.ts';
import { loadFunding } from './data.ts';

const H4 = 4 * 3_600_000;

/** A real bar (bundled Bybit klines) on which a strategy fires, found by scanning the series once. */
interface Case {
  strategy: string;
  symbol: string;
  interval: Interval;
  at: string;
  side: 'long' | 'short';
  /** What must hold on that bar for the trigger (beyond the levels). */
  trigger: (f: Features, funding: number | null) => boolean;
}

const CASES: Case[] = [
  { strategy: 'bb-grid-long', symbol: 'BTCUSDT', interval: '240', at: '2024-01-18T16:00:00Z', side: 'long', trigger: (f) => f.percentB <= GRID_LOWER_PERCENT_B && f.close <= f.bbLower * 1.001 && f.prevClose > f.bbLower },
  { strategy: 'bb-grid-short', symbol: 'BTCUSDT', interval: '240', at: '2024-01-02T00:00:00Z', side: 'short', trigger: (f) => f.percentB >= GRID_UPPER_PERCENT_B && f.close >= f.bbUpper * 0.999 && f.prevClose < f.bbUpper },
  { strategy: 'rsi-bb-reversion', symbol: 'BTCUSDT', interval: '240', at: '2024-05-01T16:00:00Z', side: 'long', trigger: (f) => f.rsi14 <= RSI_OVERSOLD && f.low < f.bbLower && f.close > f.bbLower },
  { strategy: 'rsi-bb-reversion', symbol: 'BTCUSDT', interval: '240', at: '2024-02-08T20:00:00Z', side: 'short', trigger: (f) => f.rsi14 >= RSI_OVERBOUGHT && f.high > f.bbUpper && f.close < f.bbUpper },
  { strategy: 'funding-fade', symbol: 'BTCUSDT', interval: '240', at: '2024-02-29T00:00:00Z', side: 'short', trigger: (f, r) => r! > FUNDING_EXTREME && f.close < f.open },
  { strategy: 'funding-fade', symbol: 'SOLUSDT', interval: '240', at: '2025-10-11T20:00:00Z', side: 'long', trigger: (f, r) => r! < -FUNDING_EXTREME && f.close > f.open },
  { strategy: 'bb-squeeze-breakout', symbol: 'BTCUSDT', interval: '240', at: '2024-08-20T04:00:00Z', side: 'long', trigger: (f) => f.bandwidth <= SQUEEZE_NEAR_MIN * f.bandwidthMin120 && f.close > f.bbUpper && f.volume >= SQUEEZE_VOLUME_MULT * f.volSma20 },
  { strategy: 'bb-squeeze-breakout', symbol: 'BTCUSDT', interval: '240', at: '2024-04-24T16:00:00Z', side: 'short', trigger: (f) => f.bandwidth <= SQUEEZE_NEAR_MIN * f.bandwidthMin120 && f.close < f.bbLower },
  { strategy: 'ha-wavetrend-reversal', symbol: 'BTCUSDT', interval: '240', at: '2024-03-20T08:00:00Z', side: 'long', trigger: (f) => f.haClose > f.haOpen && f.prevHaClose < f.prevHaOpen && f.wt1 > f.wt2 && f.prevWt1 <= -WT_EXTREME },
  { strategy: 'ha-wavetrend-reversal', symbol: 'BTCUSDT', interval: '240', at: '2024-01-28T16:00:00Z', side: 'short', trigger: (f) => f.haClose < f.haOpen && f.prevHaClose > f.prevHaOpen && f.wt1 < f.wt2 && f.prevWt1 >= WT_EXTREME },
];

/** Funding in force at the close of the bar that opened at `start` (last settlement at or before it). */
function fundingAt(symbol: string, start: number, interval: Interval): number | null {
  return loadFunding(symbol).at(start + (interval === '240' ? H4 : 0));
}

function expectSaneLevels(c: Candidate, f: Features, side: 'long' | 'short'): void {
  expect(c.side).toBe(side);
  expect(c.entry).toBe(f.close);
  expect(levelsValid(c)).toBe(true);
  const dir = side === 'long' ? 1 : -1;
  // stop on the losing side, beyond the bar's extreme, between 0.5 and 8 ATR away
  expect((c.entry - c.stop) * dir).toBeGreaterThan(0);
  expect((side === 'long' ? f.low - c.stop : c.stop - f.high)).toBeGreaterThanOrEqual(0);
  const riskAtr = Math.abs(c.entry - c.stop) / f.atr14;
  expect(riskAtr).toBeGreaterThanOrEqual(0.5);
  expect(riskAtr).toBeLessThanOrEqual(8);
  // targets on the winning side, ordered away, the first within 10 ATR
  expect(c.targets.length).toBeGreaterThanOrEqual(1);
  expect(c.targets.length).toBeLessThanOrEqual(3);
  for (let i = 0; i < c.targets.length; i++) {
    expect((c.targets[i] - (i === 0 ? c.entry : c.targets[i - 1])) * dir).toBeGreaterThan(0);
  }
  expect(Math.abs(c.targets[0] - c.entry) / f.atr14).toBeLessThanOrEqual(10);
  expect(c.reason.length).toBeGreaterThan(10);
}

describe('strategies', () => {
  it('ALL_STRATEGIES: six unique kebab-case strategies with valid sides, intervals, regimes and sessions', () => {
    expect(ALL_STRATEGIES.map((s) => s.name)).toEqual([
      'bb-grid-long', 'bb-grid-short', 'rsi-bb-reversion', 'funding-fade', 'bb-squeeze-breakout', 'ha-wavetrend-reversal',
    ]);
    for (const s of ALL_STRATEGIES) {
      expect(s.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.sides.length).toBeGreaterThan(0);
      for (const iv of s.intervals) expect(IntervalSchema.safeParse(iv).success).toBe(true);
      for (const r of s.regimes) expect(REGIMES).toContain(r);
      for (const ses of s.sessions ?? []) expect(SESSIONS).toContain(ses);
      expect(strategyByName(s.name)).toBe(s);
    }
    expect(strategyByName('nope')).toBeUndefined();
  });

  for (const k of CASES) {
    it(`${k.strategy} fires ${k.side} on ${k.symbol}-${k.interval} at ${k.at} (a real bar) with sane levels`, () => {
      const start = Date.parse(k.at);
      const f = featuresAt(k.symbol, k.interval, start);
      const funding = fundingAt(k.symbol, start, k.interval);
      const s = strategyByName(k.strategy)!;
      expect(s.intervals).toContain(k.interval);
      expect(k.trigger(f, funding)).toBe(true);
      const c = s.evaluate(f, { symbol: k.symbol, interval: k.interval, funding });
      expect(c).not.toBeNull();
      expect(c!.strategy).toBe(k.strategy);
      expectSaneLevels(c!, f, k.side);
    });
  }

  it('bb-grid does not fire again while the close stays outside the band (only on the bar that reaches it)', () => {
    const series = featureSeries('BTCUSDT', '240');
    const grid = strategyByName('bb-grid-long')!;
    const walking = series.filter((f) => f.bars > 300 && f.percentB <= 0 && f.prevClose <= f.bbLower);
    expect(walking.length).toBeGreaterThan(5);
    for (const f of walking) expect(grid.evaluate(f, { symbol: 'BTCUSDT', interval: '240', funding: null })).toBeNull();
  });

  it('funding-fade never fires without a funding rate, nor with an ordinary one', () => {
    const start = Date.parse('2024-02-29T00:00:00Z');
    const f = featuresAt('BTCUSDT', '240', start);
    const s = strategyByName('funding-fade')!;
    expect(s.needsFunding).toBe(true);
    expect(s.evaluate(f, { symbol: 'BTCUSDT', interval: '240', funding: null })).toBeNull();
    expect(s.evaluate(f, { symbol: 'BTCUSDT', interval: '240', funding: 0.0001 })).toBeNull();
    expect(s.evaluate(f, { symbol: 'BTCUSDT', interval: '240', funding: NaN })).toBeNull();
  });

  it('no strategy fires on a neutral real bar (mid-band, RSI ~50, ordinary volume and funding)', () => {
    const series = featureSeries('BTCUSDT', '240');
    const neutral = series.filter(
      (f) => f.bars > 300 && Math.abs(f.percentB - 0.5) < 0.1 && Math.abs(f.rsi14 - 50) < 5 && f.volume < f.volSma20 && Math.abs(f.wt1) < 30,
    );
    expect(neutral.length).toBeGreaterThan(20);
    for (const f of neutral) {
      for (const s of ALL_STRATEGIES) expect(s.evaluate(f, { symbol: 'BTCUSDT', interval: '240', funding: 0.0001 })).toBeNull();
    }
  });

  it('on cold features (ATR/RSI/bands still NaN) every strategy returns null instead of throwing', () => {
    const first = featureSeries('ETHUSDT', '240').slice(0, 13);
    for (const f of first) expect(f.atr14).toBeNaN();
    for (const f of first) for (const s of ALL_STRATEGIES) expect(s.evaluate(f, { symbol: 'ETHUSDT', interval: '240', funding: 0.002 })).toBeNull();
  });

  it('over whole real series, every candidate of every strategy has entry = close and valid levels', () => {
    const fired = new Map<string, number>();
    for (const [symbol, interval] of [['BTCUSDT', '240'], ['SOLUSDT', '60'], ['WIFUSDT', '15'], ['ETHUSDT', 'D']] as const) {
      const funding = loadFunding(symbol);
      for (const f of featureSeries(symbol, interval)) {
        for (const s of ALL_STRATEGIES as Strategy[]) {
          const c = s.evaluate(f, { symbol, interval, funding: funding.at(f.start) });
          if (!c) continue;
          fired.set(s.name, (fired.get(s.name) ?? 0) + 1);
          expect(c.entry).toBe(f.close);
          expect(levelsValid(c)).toBe(true);
          expect(s.sides).toContain(c.side);
        }
      }
    }
    for (const s of ALL_STRATEGIES) expect(fired.get(s.name) ?? 0).toBeGreaterThan(0);
  });
});
