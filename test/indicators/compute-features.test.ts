import { describe, expect, it } from 'vitest';
import { DAY_MS, utcDayStart } from '../../engine/clock.ts';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import type { FeatureColumns } from '../../engine/indicators/feature-columns.ts';
import { FEATURE_KEYS, createFeatures } from '../../engine/indicators/feature-object.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import { loadKlines } from './load-klines.ts';

/*
 * computeFeatures takes shortcuts FeatureState does not (three separate passes, branch-free ±DM, typical
 * prices kept from the WaveTrend pass, a candidate filter for the bandwidth minimum, a division-free
 * session scan). Real klines rarely reach their corner cases, so these series are built to: ties of the
 * up and down moves, flat and near-flat windows (bandwidth 0 or ~1e-9, the filter's exact fallback),
 * period-20 prices (every window has the same values, so many bars tie for the narrowest band), gaps,
 * signed and -0 prices, 1-minute bars (sessions of 1440 bars), a fractional start a hair before
 * midnight. At every bar count the result must equal FeatureState's bit for bit.
 */

/** Deterministic uniform [0, 1) generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Columns of `n` bars from a close path and a per-bar range, 1-minute starts from `t0`. */
function barsFrom(closes: number[], spread: (i: number, c: number) => [number, number, number], t0: number, step = 60_000): FeatureColumns {
  const n = closes.length;
  const cols: FeatureColumns = {
    start: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = closes[i];
    const [o, h, l] = spread(i, c);
    cols.start[i] = t0 + i * step;
    cols.open[i] = o;
    cols.high[i] = Math.max(h, o, c);
    cols.low[i] = Math.min(l, o, c);
    cols.close[i] = c;
    cols.volume[i] = i % 37 === 5 ? 0 : 1 + ((i * 7919) % 13);
  }
  return cols;
}

/** A positive price path with the corner cases listed above, on a 1/64 grid so ties are exact. */
function adversarial(n: number, seed: number): FeatureColumns {
  const r = rng(seed);
  const closes: number[] = [];
  let c = 100;
  for (let i = 0; i < n; i++) {
    const phase = Math.floor(i / 200) % 7;
    if (phase === 0) c += Math.round((r() - 0.5) * 64) / 64; // random walk with ties
    else if (phase === 1) c = i % 260 < 240 ? c : c + 1; // flat, then steps
    else if (phase === 2) c = 100 + ((i % 20) - 10) / 64; // period 20: equal windows
    else if (phase === 3) c = 1e6 + Math.round(r() * 6) * 2 ** -33; // near-flat: a few ulps, bandwidth ~1e-16
    else if (phase === 4) c += (r() < 0.05 ? 8 : 0) + Math.round((r() - 0.5) * 8) / 64; // gaps
    else if (phase === 5) c = 100 + ((i % 20) - 10) / 64 + (r() < 0.5 ? 0 : 2 ** -46); // period 20 + 1 ulp noise: near-tied bands
    else c = 1 + r() * 2 ** -40; // bandwidth ~1e-12: rounding is 1e-4 of it
    closes.push(Math.max(1, c));
  }
  const cols = barsFrom(closes, (i, x) => {
    const w = Math.round(r() * 4) / 64;
    return [x + (r() < 0.5 ? -w : w), x + w, x - w];
  }, Date.UTC(2024, 0, 1, 20, 0));
  for (let i = 11; i < n; i += 11) {
    // an outside bar growing by the same amount both ways: up move == down move, both DMs get it
    cols.high[i] = Math.max(cols.high[i - 1] + 0.25, cols.open[i], cols.close[i]);
    cols.low[i] = cols.low[i - 1] - (cols.high[i] - cols.high[i - 1]);
  }
  return cols;
}

/** Feeds `cols` bar by bar and checks computeFeatures over every prefix against the state. */
function expectEveryPrefixEqual(cols: FeatureColumns, skip: readonly string[] = []): void {
  const st = new FeatureState();
  const out = createFeatures();
  const n = cols.close.length;
  for (let i = 0; i < n; i++) {
    const want = st.updateAt(cols, i);
    const got = computeFeatures(cols, i + 1, out);
    for (const key of FEATURE_KEYS) {
      if (skip.includes(key)) continue;
      if (!Object.is(got[key], want[key])) expect.fail(`${key} with ${i + 1} bars: ${got[key]} vs ${want[key]}`);
    }
  }
}

describe('computeFeatures equals FeatureState on adversarial series', () => {
  it('ties, flat and near-flat windows, period-20 prices, gaps, 1-minute sessions', () => {
    for (const seed of [1, 2, 3]) expectEveryPrefixEqual(adversarial(1500, seed));
  });

  it('the bandwidth minimum takes its exact fallback on flat windows and still agrees', () => {
    const cols = adversarial(1000, 7);
    const st = new FeatureState();
    for (let i = 0; i < 400; i++) st.updateAt(cols, i);
    // bars 200..399 are flat with a step every 260 bars: the narrowest band is exactly 0
    expect(st.current.bandwidthMin120).toBe(0);
    expect(computeFeatures(cols, 400).bandwidthMin120).toBe(0);
  });

  it('signed, zero and -0 prices (±DM with -0 moves, non-positive band means)', () => {
    const r = rng(11);
    const closes: number[] = [];
    let c = 2;
    for (let i = 0; i < 700; i++) {
      c += Math.round((r() - 0.5) * 8) / 8;
      if (c > 4 || c < -4) c = 0;
      closes.push(i % 17 === 3 ? -0 : c);
    }
    const cols = barsFrom(closes, (i, x) => {
      const w = Math.round(r() * 3) / 8;
      return [x, i % 13 === 0 ? -0 : x + w, i % 19 === 0 ? -0 : x - w];
    }, Date.UTC(2024, 2, 1));
    for (let i = 0; i < cols.close.length; i++) {
      if (i % 23 === 0) cols.high[i] = -0; // a -0 high over a +0 one makes the up move -0
      if (i % 23 === 1) cols.high[i] = 0;
    }
    expectEveryPrefixEqual(cols);
  });

  it('a start one ulp before midnight stays in its day (the session scan compares starts, no division)', () => {
    const base = loadKlines('BTCUSDT-60');
    const n = 400;
    const cols: FeatureColumns = {
      start: base.start.slice(0, n), open: base.open.slice(0, n), high: base.high.slice(0, n),
      low: base.low.slice(0, n), close: base.close.slice(0, n), volume: base.volume.slice(0, n),
    };
    // move one bar to the last double before the next midnight, then continue in the next day
    const k = 300;
    const next = utcDayStart(cols.start[k]) + DAY_MS;
    let t = next - 1;
    while (next - (next - t) / 2 < next) t = next - (next - t) / 2;
    expect(t).toBeLessThan(next);
    expect(utcDayStart(t)).toBe(next - DAY_MS);
    expect(t).toBeGreaterThan(cols.start[k - 1]);
    cols.start[k] = t;
    for (let i = k + 1; i < n; i++) cols.start[i] = next + (i - k) * 3_600_000;
    expectEveryPrefixEqual(cols);
  });

  it('real klines with the longest sessions (15-minute) at every bar count', () => {
    const k = loadKlines('WIFUSDT-15');
    const n = Math.min(k.close.length, 1500);
    expectEveryPrefixEqual({
      start: k.start.subarray(0, n), open: k.open.subarray(0, n), high: k.high.subarray(0, n),
      low: k.low.subarray(0, n), close: k.close.subarray(0, n), volume: k.volume.subarray(0, n),
    });
  });
});
