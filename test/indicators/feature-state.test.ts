import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import { FEATURE_KEYS, copyFeatures, createFeatures } from '../../engine/indicators/feature-object.ts';
import { computeFeatureSeries } from '../../engine/indicators/feature-series.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import type { Features } from '../../engine/indicators/features.ts';
import { loadKlines } from './load-klines.ts';

const k = loadKlines('SOLUSDT-60');
const feed = (st: FeatureState, i: number): Features =>
  st.update(k.start[i], k.open[i], k.high[i], k.low[i], k.close[i], k.volume[i]);

describe('FeatureState', () => {
  it('returns one reused object; copyFeatures keeps a snapshot', () => {
    const st = new FeatureState();
    const a = feed(st, 0);
    const snap = copyFeatures(a);
    const b = feed(st, 1);
    expect(b).toBe(a);
    expect(st.current).toBe(a);
    expect(snap.start).toBe(k.start[0]);
    expect(b.start).toBe(k.start[1]);
    expect(st.bars).toBe(2);
    expect(st.lastBarStart).toBe(k.start[1]);
  });

  it('warms every field up on the documented bar', () => {
    const fs = computeFeatureSeries(k, 400);
    const firstFinite = (key: keyof Features): number => fs[key].findIndex((v) => !Number.isNaN(v));
    const expected: Partial<Record<keyof Features, number>> = {
      prevClose: 1, bbMid: 19, bandwidth: 19, percentB: 19, volSma20: 19, bandwidthMin120: 138,
      rsi14: 14, prevRsi14: 15, atr14: 13, atrPct: 13, plusDi: 13, minusDi: 13, adx14: 26, mfi14: 14,
      ema50: 49, ema200: 199, ema200Slope: 209, wt1: 20, wt2: 20, prevWt1: 21, prevWt2: 21, vwap: 0,
      haOpen: 0, prevHaOpen: 1, prevHaClose: 1,
    };
    for (const [key, idx] of Object.entries(expected)) expect(firstFinite(key as keyof Features), key).toBe(idx);
  });

  it('rejects a duplicate or out-of-order bar and non-finite values without changing its state', () => {
    const st = new FeatureState();
    const ref = new FeatureState();
    for (let i = 0; i < 50; i++) {
      feed(st, i);
      feed(ref, i);
    }
    expect(() => feed(st, 49)).toThrow(RangeError);
    expect(() => feed(st, 10)).toThrow(RangeError);
    expect(() => st.update(NaN, 1, 1, 1, 1, 1)).toThrow(RangeError);
    expect(() => st.update(k.start[50], NaN, 1, 1, 1, 1)).toThrow(RangeError);
    expect(() => st.update(k.start[50], 1, Infinity, 1, 1, 1)).toThrow(RangeError);
    expect(() => st.update(k.start[50], 1, 1, 1, 1, -Infinity)).toThrow(RangeError);
    expect(st.bars).toBe(50);
    for (let i = 50; i < 300; i++) {
      const a = feed(st, i);
      const b = feed(ref, i);
      for (const key of FEATURE_KEYS) expect(Object.is(a[key], b[key]), `${key} at ${i}`).toBe(true);
    }
  });

  it('update, updateAt and updateBar are the same operation', () => {
    const a = new FeatureState();
    const b = new FeatureState();
    const c = new FeatureState();
    for (let i = 0; i < 400; i++) {
      const fa = feed(a, i);
      const fb = b.updateAt(k, i);
      const fc = c.updateBar({
        symbol: 'SOLUSDT', interval: '60', start: k.start[i], open: k.open[i], high: k.high[i],
        low: k.low[i], close: k.close[i], volume: k.volume[i],
      } as { start: number; open: number; high: number; low: number; close: number; volume: number });
      for (const key of FEATURE_KEYS) {
        expect(Object.is(fa[key], fb[key]), `${key} at ${i}`).toBe(true);
        expect(Object.is(fa[key], fc[key]), `${key} at ${i}`).toBe(true);
      }
    }
    expect(() => c.updateBar({ start: k.start[400], open: 1, high: NaN, low: 1, close: 1, volume: 1 })).toThrow(RangeError);
    expect(() => b.updateAt(k, 399)).toThrow(RangeError);
    expect(c.bars).toBe(400);
    expect(b.bars).toBe(400);
  });

  it('reset forgets every bar but keeps the same Features object', () => {
    const st = new FeatureState();
    const obj = feed(st, 0);
    for (let i = 1; i < 250; i++) feed(st, i);
    st.reset();
    expect(st.bars).toBe(0);
    expect(st.current).toBe(obj);
    expect(Number.isNaN(st.current.ema200)).toBe(true);
    const fresh = new FeatureState();
    for (let i = 0; i < 250; i++) {
      const a = feed(st, i);
      const b = feed(fresh, i);
      for (const key of FEATURE_KEYS) expect(Object.is(a[key], b[key]), `${key} at ${i}`).toBe(true);
    }
  });

  it('createFeatures names every key of FEATURE_KEYS and nothing else', () => {
    expect(Object.keys(createFeatures()).sort()).toEqual([...FEATURE_KEYS].sort());
  });
});

describe('computeFeatures arguments', () => {
  it('rejects a bad length and short columns with RangeError', () => {
    expect(() => computeFeatures(k, 0)).toThrow(RangeError);
    expect(() => computeFeatures(k, 1.5)).toThrow(RangeError);
    expect(() => computeFeatures(k, k.close.length + 1)).toThrow(RangeError);
    expect(() => computeFeatures({ ...k, volume: k.volume.subarray(0, 10) }, 11)).toThrow(RangeError);
    expect(() => computeFeatureSeries(k, 0)).toThrow(RangeError);
  });

  it('uses only the first `length` bars of longer buffers', () => {
    const a = computeFeatures(k, 500);
    const sliced = {
      start: k.start.slice(0, 500), open: k.open.slice(0, 500), high: k.high.slice(0, 500),
      low: k.low.slice(0, 500), close: k.close.slice(0, 500), volume: k.volume.slice(0, 500),
    };
    const b = computeFeatures(sliced);
    for (const key of FEATURE_KEYS) expect(Object.is(a[key], b[key]), key).toBe(true);
  });
});
