import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, ScorePartSchema } from '../../engine/schemas.ts';
import { scoreCandidate, scoreInto, METRIC_WEIGHTS } from '../../engine/scan/score.ts';
import { neutralFeatures } from './features-fixture.ts';

const part = (r: ReturnType<typeof scoreCandidate>, name: string) => r.parts.find((p) => p.name === name)!;

describe('scoreCandidate', () => {
  it('returns exactly the 8 METRIC_NAMES parts, each 0..10 with a weight, score = weighted mean to 2 decimals', () => {
    const r = scoreCandidate(neutralFeatures({ percentB: 0.1, rsi14: 33, streak: -3 }), 'long', 0.0002);
    expect(r.parts.map((p) => p.name)).toEqual([...METRIC_NAMES]);
    for (const p of r.parts) {
      expect(ScorePartSchema.safeParse(p).success).toBe(true);
      expect(p.weight).toBe(METRIC_WEIGHTS[p.name]);
    }
    const mean = r.parts.reduce((a, p) => a + p.score * p.weight, 0) / r.parts.reduce((a, p) => a + p.weight, 0);
    expect(r.score).toBe(Math.round(mean * 100) / 100);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(10);
  });

  it('is side-aware: a long likes the lower band, low RSI, negative funding, a down streak; a short the mirror', () => {
    const dip = neutralFeatures({ close: 95.6, open: 97, high: 97, low: 94.4, percentB: -0.05, rsi14: 18, prevRsi14: 22, streak: -5 });
    const l = scoreCandidate(dip, 'long', -0.0006);
    const s = scoreCandidate(dip, 'short', -0.0006);
    expect(l.score).toBeGreaterThan(s.score);
    for (const n of ['bandPosition', 'rsi', 'funding', 'streak']) expect(part(l, n).score).toBeGreaterThan(part(s, n).score);
    expect(part(l, 'bandPosition').score).toBe(10);
    expect(part(s, 'bandPosition').score).toBe(0);
    expect(part(l, 'rsi').score).toBe(10);
    expect(part(l, 'funding').score).toBe(10);
    expect(part(s, 'funding').score).toBe(0);

    const pop = neutralFeatures({ close: 104.8, high: 105, low: 103, percentB: 1.1, rsi14: 78, prevRsi14: 74, streak: 6 });
    expect(scoreCandidate(pop, 'short', 0.0008).score).toBeGreaterThan(scoreCandidate(pop, 'long', 0.0008).score);
  });

  it("'momentum' style reads band position, RSI and streak the other way (a breakout long likes a close above the band)", () => {
    const breakout = neutralFeatures({ close: 105, high: 105.5, low: 103, percentB: 1.125, rsi14: 72, prevRsi14: 61, streak: 3, volume: 2500 });
    const rev = scoreCandidate(breakout, 'long', null);
    const mom = scoreCandidate(breakout, 'long', null, 'momentum');
    expect(mom.score).toBeGreaterThan(rev.score);
    for (const n of ['bandPosition', 'rsi', 'streak']) expect(part(mom, n).score).toBeGreaterThan(part(rev, n).score);
    for (const n of ['volume', 'funding', 'squeeze', 'trend', 'volatility']) expect(part(mom, n).score).toBe(part(rev, n).score);
    expect(part(mom, 'bandPosition').score).toBeGreaterThan(8);
    expect(scoreCandidate(breakout, 'short', null, 'momentum').score).toBeLessThan(mom.score);
  });

  it('trend favours the side of the EMA200 slope, the DIs and price vs EMA200', () => {
    const up = neutralFeatures({ close: 110, ema200: 100, ema200Slope: 1.5, atrPct: 2, plusDi: 30, minusDi: 10 });
    expect(part(scoreCandidate(up, 'long', null), 'trend').score).toBeGreaterThan(7);
    expect(part(scoreCandidate(up, 'short', null), 'trend').score).toBeLessThan(3);
  });

  it('side-neutral parts score the same for both sides', () => {
    const f = neutralFeatures({ volume: 3000, bandwidth: 0.045, atrPct: 0.3 });
    const l = scoreCandidate(f, 'long', null);
    const s = scoreCandidate(f, 'short', null);
    for (const n of ['volume', 'squeeze', 'volatility']) expect(part(l, n).score).toBe(part(s, n).score);
    expect(part(l, 'volume').score).toBe(10);
    expect(part(l, 'squeeze').score).toBeGreaterThan(9);
    expect(part(l, 'volatility').score).toBeLessThan(5);
  });

  it('missing funding is a neutral 5 with a null value; neutral features score about 5', () => {
    const r = scoreCandidate(neutralFeatures(), 'long', null);
    expect(part(r, 'funding')).toMatchObject({ score: 5, value: null });
    expect(part(scoreCandidate(neutralFeatures(), 'long', NaN), 'funding')).toMatchObject({ score: 5, value: null });
    expect(part(scoreCandidate(neutralFeatures(), 'long', 0.0001), 'funding')).toMatchObject({ score: 5, value: 0.0001 });
    expect(r.score).toBeGreaterThan(4);
    expect(r.score).toBeLessThan(7);
  });

  it('stays in range on cold (NaN) and absurd features, never throwing', () => {
    const cold = neutralFeatures({ percentB: NaN, rsi14: NaN, volSma20: NaN, bandwidth: NaN, atr14: NaN, atrPct: NaN, ema200: NaN, plusDi: NaN, streak: NaN });
    const wild = neutralFeatures({ percentB: -40, rsi14: 1e9, volume: 1e12, volSma20: 0, bandwidthMin120: 0, atrPct: -5, streak: 1e6, ema200Slope: Infinity });
    for (const f of [cold, wild]) {
      for (const side of ['long', 'short'] as const) {
        const r = scoreCandidate(f, side, Infinity);
        expect(r.parts).toHaveLength(8);
        for (const p of r.parts) expect(ScorePartSchema.safeParse(p).success).toBe(true);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(10);
      }
    }
  });

  it('scoreInto (allocation-free) agrees with scoreCandidate', () => {
    const f = neutralFeatures({ percentB: 0.2, rsi14: 38, volume: 1700, streak: -2 });
    const out = new Float64Array(16);
    const score = scoreInto(f, 'long', 0.0003, out);
    const r = scoreCandidate(f, 'long', 0.0003);
    expect(score).toBe(r.score);
    expect(Array.from(out.subarray(0, 8))).toEqual(r.parts.map((p) => p.score));
  });
});
