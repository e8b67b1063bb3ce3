import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../engine/clock.ts';
import { AdxState, adx } from '../../engine/indicators/adx.ts';
import { AtrState, atr } from '../../engine/indicators/atr.ts';
import { BollingerState, bollinger } from '../../engine/indicators/bollinger.ts';
import { EmaState, ema } from '../../engine/indicators/ema.ts';
import { heikinAshi } from '../../engine/indicators/heikin-ashi.ts';
import { MfiState, mfi } from '../../engine/indicators/mfi.ts';
import { RsiState, rsi } from '../../engine/indicators/rsi.ts';
import { sessionVwap } from '../../engine/indicators/session-vwap.ts';
import { SmaState, sma } from '../../engine/indicators/sma.ts';
import { WaveTrendState, waveTrend } from '../../engine/indicators/wave-trend.ts';

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);
const list = (a: Float64Array): number[] => Array.from(a);

describe('hand-checked small cases', () => {
  it('sma averages each window and is NaN during warm-up', () => {
    expect(list(sma(f64([1, 2, 3, 4, 5]), 3))).toEqual([NaN, NaN, 2, 3, 4]);
    expect(list(sma(f64([1, 2]), 3))).toEqual([NaN, NaN]);
    expect(list(sma(f64([7, 8]), 1))).toEqual([7, 8]);
  });

  it('ema is seeded with the first value and reported from bar period-1', () => {
    const e = ema(f64([1, 2, 3]), 2); // k = 2/3
    expect(e[0]).toBeNaN();
    expect(e[1]).toBeCloseTo(5 / 3, 14);
    expect(e[2]).toBeCloseTo(23 / 9, 14);
  });

  it('rsi: SMA seed then Wilder; 100 without losses, 50 when gains equal losses', () => {
    expect(list(rsi(f64([1, 2, 3, 2]), 2))).toEqual([NaN, NaN, 100, 50]);
    expect(list(rsi(f64([5, 5, 5]), 2))).toEqual([NaN, NaN, 100]);
    expect(list(rsi(f64([3, 2, 1]), 2))).toEqual([NaN, NaN, 0]);
  });

  it('atr: bar 0 is high-low, then true range with gaps, Wilder smoothing', () => {
    const h = f64([10, 11, 12]);
    const l = f64([8, 9, 9]);
    const c = f64([9, 10, 11]);
    expect(list(atr(h, l, c, 2))).toEqual([NaN, 2, 2.5]);
    // a gap up: TR = high - previous close
    expect(list(atr(f64([10, 20]), f64([9, 19]), f64([10, 20]), 1))).toEqual([1, 10]);
  });

  it('bollinger uses the population deviation; collapsed bands give bandwidth 0 and %B 0.5', () => {
    const b = bollinger(f64([1, 2, 3]), 3, 2);
    const sd = Math.sqrt(2 / 3);
    expect(b.middle[2]).toBe(2);
    expect(b.upper[2]).toBeCloseTo(2 + 2 * sd, 14);
    expect(b.lower[2]).toBeCloseTo(2 - 2 * sd, 14);
    expect(b.bandwidth[2]).toBeCloseTo(2 * sd, 14);
    expect(b.percentB[2]).toBeCloseTo((1 + 2 * sd) / (4 * sd), 14);
    expect(b.middle[1]).toBeNaN();
    const flat = bollinger(f64([5, 5, 5]), 3, 2);
    expect(flat.bandwidth[2]).toBe(0);
    expect(flat.percentB[2]).toBe(0.5);
  });

  it('adx: DI from smoothed DMs over ATR, DX, and the tie convention (both DMs get an equal move)', () => {
    const h = f64([10, 11, 13]);
    const l = f64([8, 7, 9]);
    const c = f64([9, 9, 12]);
    const r = adx(h, l, c, 1);
    // bar 1: up-move 1 == down-move 1 -> +DM = -DM = 1 (trading-signals), TR 4
    expect(r.plusDi[1]).toBe(25);
    expect(r.minusDi[1]).toBe(25);
    expect(r.dx[1]).toBe(0);
    // bar 2: up-move 2, down-move -2 -> +DM 2, -DM 0, TR 4
    expect(r.plusDi[2]).toBe(50);
    expect(r.minusDi[2]).toBe(0);
    expect(r.dx[2]).toBe(100);
    expect(r.adx[2]).toBe(100);
    const w = adx(h, l, c, 2);
    expect(list(w.plusDi).map(Number.isNaN)).toEqual([true, false, false]);
    expect(list(w.adx).map(Number.isNaN)).toEqual([true, true, false]);
  });

  it('adx on a flat series is 0 with 0 DIs (no 0/0)', () => {
    const flat = f64(Array(40).fill(100));
    const r = adx(flat, flat, flat, 14);
    expect(r.adx[39]).toBe(0);
    expect(r.plusDi[39]).toBe(0);
    expect(r.minusDi[39]).toBe(0);
  });

  it('mfi splits typical-price money flow by direction; 50 without any flow', () => {
    const c = f64([10, 11, 10.5, 12]);
    const v = f64([1, 2, 3, 4]);
    const m = mfi(c, c, c, v, 2);
    expect(m[1]).toBeNaN();
    expect(m[2]).toBeCloseTo((100 * 22) / 53.5, 12);
    expect(m[3]).toBeCloseTo((100 * 48) / 79.5, 12);
    const flat = f64([5, 5, 5, 5]);
    expect(mfi(flat, flat, flat, v, 2)[3]).toBe(50);
  });

  it('session vwap restarts at each UTC day and is NaN while the session has no volume', () => {
    const d = 20_000 * DAY_MS;
    const start = f64([d, d + 3_600_000, d + DAY_MS, d + DAY_MS + 3_600_000]);
    const px = f64([10, 20, 30, 40]);
    const vol = f64([1, 3, 0, 2]);
    expect(list(sessionVwap(start, px, px, px, vol))).toEqual([10, 17.5, NaN, 40]);
  });

  it('heikinAshi seeds open with (o+c)/2 and then averages the previous HA body', () => {
    const ha = heikinAshi(f64([10, 11]), f64([12, 13]), f64([9, 10]), f64([11, 12]));
    expect(list(ha.close)).toEqual([10.5, 11.5]);
    expect(list(ha.open)).toEqual([10.5, 10.5]);
    expect(list(ha.high)).toEqual([12, 13]);
    expect(list(ha.low)).toEqual([9, 10]);
  });

  it('waveTrend reports from bar 20 (10/21/4) and wt2 is the SMA(4) of wt1', () => {
    const n = 60;
    const px = f64(Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 5)));
    const w = waveTrend(px, px, px, 10, 21);
    expect(Number.isNaN(w.wt1[19])).toBe(true);
    expect(Number.isNaN(w.wt2[19])).toBe(true);
    expect(Number.isFinite(w.wt1[20])).toBe(true);
    for (let i = 23; i < n; i++) {
      expect(w.wt2[i]).toBeCloseTo((w.wt1[i - 3] + w.wt1[i - 2] + w.wt1[i - 1] + w.wt1[i]) / 4, 10);
    }
  });
});

describe('flat prices', () => {
  it('waveTrend of a flat series is 0 (zero deviation guard), as in trading-signals', () => {
    for (const p of [100, 0.00000562, 93103.6]) {
      const a = f64(Array(40).fill(p));
      const w = waveTrend(a, a, a);
      expect(w.wt1[39]).toBe(0);
      expect(w.wt2[39]).toBe(0);
    }
  });
});

describe('argument checks', () => {
  const x = f64([1, 2, 3, 4]);
  const short = f64([1, 2, 3]);
  const bad = [0, -1, 1.5, NaN, Infinity, 1e6];

  it('every kernel and state rejects a bad period with RangeError', () => {
    for (const p of bad) {
      expect(() => sma(x, p)).toThrow(RangeError);
      expect(() => ema(x, p)).toThrow(RangeError);
      expect(() => rsi(x, p)).toThrow(RangeError);
      expect(() => atr(x, x, x, p)).toThrow(RangeError);
      expect(() => bollinger(x, p)).toThrow(RangeError);
      expect(() => adx(x, x, x, p)).toThrow(RangeError);
      expect(() => mfi(x, x, x, x, p)).toThrow(RangeError);
      expect(() => waveTrend(x, x, x, p, 21)).toThrow(RangeError);
      expect(() => waveTrend(x, x, x, 10, p)).toThrow(RangeError);
      expect(() => new SmaState(p)).toThrow(RangeError);
      expect(() => new EmaState(p)).toThrow(RangeError);
      expect(() => new RsiState(p)).toThrow(RangeError);
      expect(() => new AtrState(p)).toThrow(RangeError);
      expect(() => new BollingerState(p)).toThrow(RangeError);
      expect(() => new AdxState(p)).toThrow(RangeError);
      expect(() => new MfiState(p)).toThrow(RangeError);
      expect(() => new WaveTrendState(p)).toThrow(RangeError);
    }
    expect(() => bollinger(x, 2, -1)).toThrow(RangeError);
    expect(() => new BollingerState(2, NaN)).toThrow(RangeError);
  });

  it('mismatched input lengths throw RangeError', () => {
    expect(() => atr(x, short, x, 2)).toThrow(RangeError);
    expect(() => adx(short, x, x, 2)).toThrow(RangeError);
    expect(() => mfi(x, x, x, short, 2)).toThrow(RangeError);
    expect(() => sessionVwap(short, x, x, x, x)).toThrow(RangeError);
    expect(() => heikinAshi(x, x, short, x)).toThrow(RangeError);
    expect(() => waveTrend(x, short, x)).toThrow(RangeError);
  });

  it('an out array of the wrong length throws; a right one is filled and returned', () => {
    expect(() => sma(x, 2, short)).toThrow(RangeError);
    expect(() => bollinger(x, 2, 2, { upper: short })).toThrow(RangeError);
    const out = new Float64Array(4).fill(123);
    expect(sma(x, 2, out)).toBe(out);
    expect(list(out)).toEqual([NaN, 1.5, 2.5, 3.5]);
    const upper = new Float64Array(4);
    expect(bollinger(x, 2, 2, { upper }).upper).toBe(upper);
  });

  it('empty inputs give empty outputs', () => {
    const e = new Float64Array(0);
    expect(sma(e, 3).length).toBe(0);
    expect(ema(e, 3).length).toBe(0);
    expect(rsi(e, 3).length).toBe(0);
    expect(atr(e, e, e, 3).length).toBe(0);
    expect(adx(e, e, e).adx.length).toBe(0);
    expect(waveTrend(e, e, e).wt1.length).toBe(0);
  });
});
