import { describe, expect, it } from 'vitest';
import {
  ADX, ATR, BollingerBands, BollingerBandsWidth, DX, EMA, MFI, PercentB, RSI, SMA, VWAP, WaveTrend,
} from 'trading-signals';
import { utcDayStart } from '../../engine/clock.ts';
import { adx } from '../../engine/indicators/adx.ts';
import { atr } from '../../engine/indicators/atr.ts';
import { bollinger } from '../../engine/indicators/bollinger.ts';
import { ema } from '../../engine/indicators/ema.ts';
import { mfi } from '../../engine/indicators/mfi.ts';
import { rsi } from '../../engine/indicators/rsi.ts';
import { sessionVwap } from '../../engine/indicators/session-vwap.ts';
import { sma } from '../../engine/indicators/sma.ts';
import { waveTrend } from '../../engine/indicators/wave-trend.ts';
import { diffSeries } from './compare.ts';
import type { SeriesDiff } from './compare.ts';
import { loadKlines } from './load-klines.ts';

/*
 * trading-signals@8 is the ORACLE: every indicator both libraries implement must agree within 1e-9
 * relative after warm-up, AND warm up on exactly the same bar (the NaN pattern must match). Conventions
 * matched (see each kernel's doc): EMA seeded with the first value; Wilder RSI/ATR/ADX seeded by an SMA;
 * ATR/ADX count bar 0 (TR = high-low, DM = 0); population stdev; %B = 0.5 on collapsed bands; MFI = 50
 * and RSI = 100 on zero flows/losses; +DI/-DI are the oracle's pdi/mdi × 100. EMA, RSI and ATR use
 * the oracle's exact arithmetic and are asserted bit-identical. Deliberate last-bit differences, bounded
 * by the tolerance: window sums use four interleaved accumulators (SMA, Bollinger, wt2) and
 * DX = |up-dn|/(up+dn) (ATR cancelled). MFI, VWAP and wt1 remain bit-identical and are asserted so.
 */

const SERIES = ['BTCUSDT-60', 'ETHUSDT-15', 'SOLUSDT-240', 'WIFUSDT-60', 'BNBUSDT-D'];
const TOL = 1e-9;

type Candle = { high: number; low: number; close: number; volume: number };

function column(n: number, fill: (i: number) => number | null | undefined): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = fill(i);
    out[i] = v === null || v === undefined ? NaN : v;
  }
  return out;
}

function expectParity(d: SeriesDiff, label: string): void {
  expect(d.nanMismatch, `${label}: warm-up differs first at bar ${d.firstNanMismatch}`).toBe(0);
  expect(d.compared, `${label}: nothing compared`).toBeGreaterThan(100);
  expect(d.maxRel, `${label}: max relative error`).toBeLessThanOrEqual(TOL);
}

describe.each(SERIES)('parity with trading-signals on real klines %s', (name) => {
  const k = loadKlines(name);
  const n = k.close.length;
  const candles: Candle[] = Array.from({ length: n }, (_, i) => ({
    high: k.high[i], low: k.low[i], close: k.close[i], volume: k.volume[i],
  }));

  it('SMA(20) and SMA(200)', () => {
    for (const p of [20, 200]) {
      const o = new SMA(p);
      const d = diffSeries(sma(k.close, p), column(n, (i) => o.add(k.close[i])));
      expectParity(d, `SMA${p}`);
    }
  });

  it('EMA(50) and EMA(200) (first-value seed, reported from bar period-1)', () => {
    for (const p of [50, 200]) {
      const o = new EMA(p);
      const theirs = column(n, (i) => {
        const v = o.add(k.close[i]);
        return o.isStable ? v : null;
      });
      const d = diffSeries(ema(k.close, p), theirs);
      expectParity(d, `EMA${p}`);
      expect(d.identical).toBe(d.compared);
    }
  });

  it('RSI(14) Wilder', () => {
    const o = new RSI(14);
    const d = diffSeries(rsi(k.close, 14), column(n, (i) => o.add(k.close[i])));
    expectParity(d, 'RSI14');
    expect(d.identical).toBe(d.compared);
  });

  it('ATR(14) Wilder', () => {
    const o = new ATR(14);
    const d = diffSeries(atr(k.high, k.low, k.close, 14), column(n, (i) => o.add(candles[i])));
    expectParity(d, 'ATR14');
    expect(d.identical).toBe(d.compared);
  });

  it('Bollinger(20, 2): middle, upper, lower, bandwidth, %B', () => {
    const ours = bollinger(k.close, 20, 2);
    const bb = new BollingerBands(20, 2);
    const res = Array.from({ length: n }, (_, i) => bb.add(k.close[i]));
    const bbw = new BollingerBandsWidth(new BollingerBands(20, 2));
    const pb = new PercentB({ interval: 20, deviationMultiplier: 2 });
    const cases: [string, Float64Array, Float64Array][] = [
      ['middle', ours.middle, column(n, (i) => res[i]?.middle)],
      ['upper', ours.upper, column(n, (i) => res[i]?.upper)],
      ['lower', ours.lower, column(n, (i) => res[i]?.lower)],
      ['bandwidth', ours.bandwidth, column(n, (i) => bbw.add(k.close[i]))],
      ['percentB', ours.percentB, column(n, (i) => pb.add(k.close[i]))],
    ];
    for (const [label, a, b] of cases) {
      const d = diffSeries(a, b);
      expectParity(d, `BB ${label}`);
    }
  });

  it('ADX(14) with +DI/-DI and DX', () => {
    const ours = adx(k.high, k.low, k.close, 14);
    const o = new ADX(14);
    const dxo = new DX(14);
    const adxT = new Float64Array(n);
    const pdi = new Float64Array(n);
    const mdi = new Float64Array(n);
    const dxT = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = o.add(candles[i]);
      adxT[i] = v ?? NaN;
      const dv = dxo.add(candles[i]);
      dxT[i] = dv ?? NaN;
      pdi[i] = dv === null || dxo.pdi === undefined ? NaN : dxo.pdi * 100;
      mdi[i] = dv === null || dxo.mdi === undefined ? NaN : dxo.mdi * 100;
    }
    expectParity(diffSeries(ours.adx, adxT), 'ADX');
    expectParity(diffSeries(ours.dx, dxT), 'DX');
    expectParity(diffSeries(ours.plusDi, pdi), '+DI');
    expectParity(diffSeries(ours.minusDi, mdi), '-DI');
  });

  it('MFI(14)', () => {
    const o = new MFI(14);
    const d = diffSeries(mfi(k.high, k.low, k.close, k.volume, 14), column(n, (i) => o.add(candles[i])));
    expectParity(d, 'MFI14');
    expect(d.identical).toBe(d.compared);
  });

  it('session VWAP equals a fresh oracle VWAP started at each UTC day', () => {
    let o = new VWAP();
    let day = NaN;
    const theirs = column(n, (i) => {
      const dStart = utcDayStart(k.start[i]);
      if (dStart !== day) {
        day = dStart;
        o = new VWAP();
      }
      o.add(candles[i]);
      return o.getResult();
    });
    const d = diffSeries(sessionVwap(k.start, k.high, k.low, k.close, k.volume), theirs);
    expectParity(d, 'VWAP');
    expect(d.identical).toBe(d.compared);
  });

  it('WaveTrend(10, 21) wt1 and wt2', () => {
    const ours = waveTrend(k.high, k.low, k.close, 10, 21);
    const o = new WaveTrend({ channelInterval: 10, averageInterval: 21, smoothingInterval: 4 });
    const res = Array.from({ length: n }, (_, i) => o.add(candles[i]));
    const d1 = diffSeries(ours.wt1, column(n, (i) => res[i]?.wt1));
    const d2 = diffSeries(ours.wt2, column(n, (i) => res[i]?.wt2));
    expectParity(d1, 'wt1');
    expectParity(d2, 'wt2');
    expect(d1.identical).toBe(d1.compared);
  });
});
