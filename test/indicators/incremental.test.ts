import { describe, expect, it } from 'vitest';
import { AdxState, adx } from '../../engine/indicators/adx.ts';
import { AtrState, atr } from '../../engine/indicators/atr.ts';
import { BollingerState, bollinger } from '../../engine/indicators/bollinger.ts';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import { EmaState, ema } from '../../engine/indicators/ema.ts';
import { FEATURE_KEYS } from '../../engine/indicators/feature-object.ts';
import { computeFeatureSeries } from '../../engine/indicators/feature-series.ts';
import type { FeatureSeries } from '../../engine/indicators/feature-series.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import { HeikinAshiState, heikinAshi } from '../../engine/indicators/heikin-ashi.ts';
import { MfiState, mfi } from '../../engine/indicators/mfi.ts';
import { RsiState, rsi } from '../../engine/indicators/rsi.ts';
import { SessionVwapState, sessionVwap } from '../../engine/indicators/session-vwap.ts';
import { SmaState, sma } from '../../engine/indicators/sma.ts';
import { WaveTrendState, waveTrend } from '../../engine/indicators/wave-trend.ts';
import { firstDifference } from './compare.ts';
import { loadKlines } from './load-klines.ts';

const SERIES = ['BTCUSDT-60', 'WIFUSDT-15', 'AVAXUSDT-240', 'ETHUSDT-D'];

/** Runs `fn` once per bar and collects its return values. */
function collect(n: number, fn: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fn(i);
  return out;
}

describe.each(SERIES)('incremental states equal batch kernels bit for bit on %s', (name) => {
  const k = loadKlines(name);
  const n = k.close.length;

  it('SMA, EMA, RSI, ATR, MFI, session VWAP (several periods)', () => {
    for (const p of [1, 2, 14, 20, 200]) {
      const s = new SmaState(p);
      expect(firstDifference(collect(n, (i) => s.update(k.close[i])), sma(k.close, p)), `SMA${p}`).toBe(-1);
      const e = new EmaState(p);
      expect(firstDifference(collect(n, (i) => e.update(k.close[i])), ema(k.close, p)), `EMA${p}`).toBe(-1);
      const r = new RsiState(p);
      expect(firstDifference(collect(n, (i) => r.update(k.close[i])), rsi(k.close, p)), `RSI${p}`).toBe(-1);
      const a = new AtrState(p);
      expect(firstDifference(collect(n, (i) => a.update(k.high[i], k.low[i], k.close[i])), atr(k.high, k.low, k.close, p)), `ATR${p}`).toBe(-1);
      const m = new MfiState(p);
      const mOurs = collect(n, (i) => m.update(k.high[i], k.low[i], k.close[i], k.volume[i]));
      expect(firstDifference(mOurs, mfi(k.high, k.low, k.close, k.volume, p)), `MFI${p}`).toBe(-1);
    }
    const v = new SessionVwapState();
    const vOurs = collect(n, (i) => v.update(k.start[i], k.high[i], k.low[i], k.close[i], k.volume[i]));
    expect(firstDifference(vOurs, sessionVwap(k.start, k.high, k.low, k.close, k.volume))).toBe(-1);
  });

  it('Bollinger, ADX, Heikin-Ashi, WaveTrend (all outputs)', () => {
    for (const [p, mult] of [[20, 2], [5, 1.5], [50, 3]] as const) {
      const s = new BollingerState(p, mult);
      const cols = { middle: new Float64Array(n), upper: new Float64Array(n), lower: new Float64Array(n), bandwidth: new Float64Array(n), percentB: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        cols.middle[i] = s.update(k.close[i]);
        const warm = !Number.isNaN(cols.middle[i]);
        cols.upper[i] = warm ? s.upper : NaN;
        cols.lower[i] = warm ? s.lower : NaN;
        cols.bandwidth[i] = warm ? s.bandwidth : NaN;
        cols.percentB[i] = warm ? s.percentB : NaN;
      }
      const b = bollinger(k.close, p, mult);
      for (const key of ['middle', 'upper', 'lower', 'bandwidth', 'percentB'] as const) {
        expect(firstDifference(cols[key], b[key]), `BB(${p},${mult}).${key}`).toBe(-1);
      }
    }
    for (const p of [7, 14]) {
      const s = new AdxState(p);
      const o = { adx: new Float64Array(n), plusDi: new Float64Array(n), minusDi: new Float64Array(n), dx: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        o.adx[i] = s.update(k.high[i], k.low[i], k.close[i]);
        const warm = i >= p - 1;
        o.plusDi[i] = warm ? s.plusDi : NaN;
        o.minusDi[i] = warm ? s.minusDi : NaN;
        o.dx[i] = warm ? s.dx : NaN;
      }
      const b = adx(k.high, k.low, k.close, p);
      for (const key of ['adx', 'plusDi', 'minusDi', 'dx'] as const) {
        expect(firstDifference(o[key], b[key]), `ADX${p}.${key}`).toBe(-1);
      }
    }
    const ha = new HeikinAshiState();
    const hb = heikinAshi(k.open, k.high, k.low, k.close);
    const hs = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      hs.close[i] = ha.update(k.open[i], k.high[i], k.low[i], k.close[i]);
      hs.open[i] = ha.open;
      hs.high[i] = ha.high;
      hs.low[i] = ha.low;
    }
    for (const key of ['open', 'high', 'low', 'close'] as const) expect(firstDifference(hs[key], hb[key]), `HA.${key}`).toBe(-1);
    for (const [ch, av] of [[10, 21], [9, 12], [30, 5]] as const) {
      const w = new WaveTrendState(ch, av);
      const wb = waveTrend(k.high, k.low, k.close, ch, av);
      const wt1 = new Float64Array(n);
      const wt2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        wt1[i] = w.update(k.high[i], k.low[i], k.close[i]);
        wt2[i] = Number.isNaN(wt1[i]) ? NaN : w.wt2;
      }
      expect(firstDifference(wt1, wb.wt1), `WT(${ch},${av}).wt1`).toBe(-1);
      expect(firstDifference(wt2, wb.wt2), `WT(${ch},${av}).wt2`).toBe(-1);
    }
  });
});

describe.each(SERIES)('FeatureState, computeFeatures and the kernels agree on %s', (name) => {
  const k = loadKlines(name);
  const n = k.close.length;
  const fs: FeatureSeries = computeFeatureSeries(k);

  it('computeFeatureSeries rows equal a FeatureState fed bar by bar', () => {
    const st = new FeatureState();
    for (let i = 0; i < n; i++) {
      const f = st.update(k.start[i], k.open[i], k.high[i], k.low[i], k.close[i], k.volume[i]);
      for (const key of FEATURE_KEYS) {
        if (!Object.is(f[key], fs[key][i])) expect.fail(`${key} at bar ${i}: ${f[key]} vs ${fs[key][i]}`);
      }
    }
  });

  it('computeFeatures over the first L bars equals the FeatureState after L bars, for every L', () => {
    const step = n > 4000 ? 7 : 1;
    const out = computeFeatures(k, 1);
    for (let len = 1; len <= n; len += len < 300 ? 1 : step) {
      const g = computeFeatures(k, len, out);
      expect(g).toBe(out);
      for (const key of FEATURE_KEYS) {
        if (!Object.is(g[key], fs[key][len - 1])) expect.fail(`${key} with ${len} bars: ${g[key]} vs ${fs[key][len - 1]}`);
      }
    }
    const whole = computeFeatures(k);
    for (const key of FEATURE_KEYS) expect(Object.is(whole[key], fs[key][n - 1]), key).toBe(true);
  });

  it('feature columns equal the standalone kernels at every bar', () => {
    const bb = bollinger(k.close, 20, 2);
    const ad = adx(k.high, k.low, k.close, 14);
    const ha = heikinAshi(k.open, k.high, k.low, k.close);
    const wt = waveTrend(k.high, k.low, k.close, 10, 21);
    const pairs: [keyof FeatureSeries, Float64Array][] = [
      ['bbMid', bb.middle], ['bbUpper', bb.upper], ['bbLower', bb.lower], ['bandwidth', bb.bandwidth],
      ['percentB', bb.percentB], ['rsi14', rsi(k.close, 14)], ['atr14', atr(k.high, k.low, k.close, 14)],
      ['ema50', ema(k.close, 50)], ['ema200', ema(k.close, 200)], ['adx14', ad.adx], ['plusDi', ad.plusDi],
      ['minusDi', ad.minusDi], ['mfi14', mfi(k.high, k.low, k.close, k.volume, 14)],
      ['vwap', sessionVwap(k.start, k.high, k.low, k.close, k.volume)], ['haOpen', ha.open],
      ['haHigh', ha.high], ['haLow', ha.low], ['haClose', ha.close], ['wt1', wt.wt1], ['wt2', wt.wt2],
      ['volSma20', sma(k.volume, 20)],
    ];
    for (const [key, col] of pairs) expect(firstDifference(fs[key], col), key).toBe(-1);
  });

  it('derived fields match their definitions (prev values, slope, squeeze minimum, streak)', () => {
    for (let i = 0; i < n; i++) {
      const prev = (key: keyof FeatureSeries): number => (i === 0 ? NaN : fs[key][i - 1]);
      expect(Object.is(fs.prevClose[i], prev('close'))).toBe(true);
      expect(Object.is(fs.prevRsi14[i], prev('rsi14'))).toBe(true);
      expect(Object.is(fs.prevHaOpen[i], prev('haOpen'))).toBe(true);
      expect(Object.is(fs.prevHaClose[i], prev('haClose'))).toBe(true);
      expect(Object.is(fs.prevWt1[i], prev('wt1'))).toBe(true);
      expect(Object.is(fs.prevWt2[i], prev('wt2'))).toBe(true);
      expect(fs.bars[i]).toBe(i + 1);
      const slope = i >= 209 ? ((fs.ema200[i] - fs.ema200[i - 10]) / fs.ema200[i - 10]) * 100 : NaN;
      expect(Object.is(fs.ema200Slope[i], slope), `slope at ${i}`).toBe(true);
      let min = NaN;
      if (i >= 138) {
        min = Infinity;
        for (let j = i - 119; j <= i; j++) min = Math.min(min, fs.bandwidth[j]);
      }
      expect(Object.is(fs.bandwidthMin120[i], min), `bandwidthMin120 at ${i}`).toBe(true);
      let streak = 0;
      for (let j = i; j >= 1; j--) {
        const d = Math.sign(k.close[j] - k.close[j - 1]);
        if (d === 0 || (streak !== 0 && d !== Math.sign(streak))) break;
        streak += d;
      }
      expect(fs.streak[i], `streak at ${i}`).toBe(streak);
      expect(fs.atrPct[i]).toBe(Number.isNaN(fs.atr14[i]) ? NaN : (fs.atr14[i] / k.close[i]) * 100);
    }
  });
});
