/*
 * Steady-state loops of computeFeatures over the recursive indicators (the ones that need every bar of
 * the history). They are split in three groups, each its own loop over the bars, so that each loop keeps
 * its running values and constants in registers: one fused loop over all of them has ~30 live doubles
 * for V8's 15 allocatable XMM registers and spends its time spilling, and it measured slower than the
 * three loops together.
 *
 * Exactness: every line computes, operation by operation in the same order, what the math.ts helper
 * named beside it computes (which is what FeatureState calls), so the results are bit-identical. The
 * helpers are written out instead of called because a function imported from another module and inlined
 * into a hot loop still costs a module-cell load, a hole check and an identity check per call per bar
 * (about a third of the loop's instructions here). The one rewritten expression is the directional
 * movement: plusDm/minusDm branch on data (mispredicted on about every other bar); here the same value
 * (up to the sign of a zero no output can see) is selected arithmetically, see passDirectional.
 * test/indicators/ checks FeatureState == computeFeatures bit for bit at every bar count on real klines
 * (incremental.test.ts) and on series built to hit the corner cases (compute-features.test.ts).
 *
 * State lives in a Float64Array (slots below), read at loop entry and written at loop exit, so a pass can
 * be run in segments (computeFeatures stops at the bars whose values it snapshots) and no double crosses
 * a call boundary (which would box it).
 */
import type { FeatureColumns } from './feature-columns.ts';

/** Slot of the RSI(14) Wilder average gain in a pass state vector. */
export const S_AVG_GAIN = 0;
/** Slot of the RSI(14) Wilder average loss. */
export const S_AVG_LOSS = 1;
/** Slot of the ATR(14) Wilder average. */
export const S_ATR = 2;
/** Slot of EMA(50). */
export const S_E50 = 3;
/** Slot of EMA(200). */
export const S_E200 = 4;
/** Slot of the Heikin-Ashi open of the last bar passed. */
export const S_HA_OPEN = 5;
/** Slot of the Heikin-Ashi close of the last bar passed. */
export const S_HA_CLOSE = 6;
/** Slot of the Wilder-smoothed +DM (ADX's "up"). */
export const S_UP = 7;
/** Slot of the Wilder-smoothed -DM (ADX's "dn"). */
export const S_DN = 8;
/** Slot of ADX(14). */
export const S_ADX = 9;
/** Slot of WaveTrend's ESA (EMA10 of the typical price). */
export const S_ESA = 10;
/** Slot of WaveTrend's deviation (EMA10 of |tp - esa|). */
export const S_DEV = 11;
/** Slot of WaveTrend's wt1 (EMA21 of the channel index). */
export const S_WT = 12;
/** Length of a pass state vector (slots 13.. are free for the caller's snapshots). */
export const PASS_STATE_LENGTH = 24;

/**
 * RSI(14), ATR(14), EMA(50), EMA(200) and Heikin-Ashi over bars [from, to) of `cols`, continuing the
 * state in `st`. Valid only in the steady state (from >= 15: RSI and ATR seeded) and from >= 1; the
 * caller guarantees 1 <= from <= to <= length. Never throws; out-of-range bars would read NaN.
 */
export function passMomentum(cols: FeatureColumns, st: Float64Array, from: number, to: number): void {
  const K14 = 1 / 14;
  const K50 = 2 / 51;
  const KM50 = 1 - K50;
  const K200 = 2 / 201;
  const KM200 = 1 - K200;
  const open = cols.open;
  const high = cols.high;
  const low = cols.low;
  const close = cols.close;
  let pc = close[from - 1];
  let avgGain = st[S_AVG_GAIN];
  let avgLoss = st[S_AVG_LOSS];
  let atr = st[S_ATR];
  let e50 = st[S_E50];
  let e200 = st[S_E200];
  let haO = st[S_HA_OPEN];
  let haC = st[S_HA_CLOSE];
  for (let i = from; i < to; i++) {
    const c = close[i];
    const h = high[i];
    const l = low[i];
    const d = c - pc;
    const ad = Math.abs(d);
    avgGain = ((d + ad) * 0.5 - avgGain) * K14 + avgGain; // wilderStep(avgGain, gainOf(d), K14)
    avgLoss = ((ad - d) * 0.5 - avgLoss) * K14 + avgLoss; // wilderStep(avgLoss, lossOf(d), K14)
    atr = (Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc)) - atr) * K14 + atr; // wilderStep(atr, trueRange(h, l, pc), K14)
    e50 = c * K50 + e50 * KM50; // emaStep(e50, c, K50, KM50)
    e200 = c * K200 + e200 * KM200; // emaStep(e200, c, K200, KM200)
    haO = (haO + haC) * 0.5;
    haC = (open[i] + h + l + c) * 0.25;
    pc = c;
  }
  st[S_AVG_GAIN] = avgGain;
  st[S_AVG_LOSS] = avgLoss;
  st[S_ATR] = atr;
  st[S_E50] = e50;
  st[S_E200] = e200;
  st[S_HA_OPEN] = haO;
  st[S_HA_CLOSE] = haC;
}

/**
 * Smoothed ±DM and ADX(14) over bars [from, to), continuing `st`. Valid only in the steady state
 * (from >= 27: ±DM seeded at bar 13, ADX at bar 26); the caller guarantees from <= to <= length.
 * Never throws.
 *
 * +DM is `up·[up >= down and up >= 0]` instead of plusDm's `up < 0 || up < down ? 0 : up`: for
 * non-NaN moves the condition is the same and `up·1` is exact; only `up·0` differs, -0 for a masked
 * negative (or -0) move where plusDm gives +0. Both zeros give the same Wilder step ((±0 - prev)·k +
 * prev, prev never -0) and the same seed sum (s + ±0 = s, +0 + -0 = +0), so every output is unchanged. The mask comes from comparisons turned into 0/1 integers, so
 * there is no data-dependent branch (those mispredicted on about half the bars and cost more than all
 * the arithmetic of this loop). Keep `Number(a >= b)`:
 * a `cond ? 1 : 0` compiles back into a branch (measured twice as slow).
 */
export function passDirectional(cols: FeatureColumns, st: Float64Array, from: number, to: number): void {
  if (from >= to) return;
  const K14 = 1 / 14;
  const high = cols.high;
  const low = cols.low;
  let up = st[S_UP];
  let dn = st[S_DN];
  let adx = st[S_ADX];
  // Software-pipelined: the loop smooths bar i-1's ±DM while it selects bar i's, so the selection's
  // latency (compare, set, convert, multiply) overlaps the Wilder chains instead of feeding them.
  let h = high[from];
  let l = low[from];
  let upMove = h - high[from - 1];
  let downMove = low[from - 1] - l;
  let pdm = upMove * (Number(upMove >= downMove) & Number(upMove >= 0)); // plusDm(h, ph, l, pl)
  let mdm = downMove * (Number(downMove >= upMove) & Number(downMove >= 0)); // minusDm(h, ph, l, pl)
  for (let i = from + 1; i < to; i++) {
    up = (pdm - up) * K14 + up; // wilderStep(up, pdm, K14)
    dn = (mdm - dn) * K14 + dn; // wilderStep(dn, mdm, K14)
    const sum = up + dn;
    const dx = sum === 0 ? 0 : (Math.abs(up - dn) / sum) * 100; // dxValue(up, dn)
    adx = (dx - adx) * K14 + adx; // wilderStep(adx, dx, K14)
    const hi = high[i];
    const lo = low[i];
    upMove = hi - h;
    downMove = l - lo;
    pdm = upMove * (Number(upMove >= downMove) & Number(upMove >= 0));
    mdm = downMove * (Number(downMove >= upMove) & Number(downMove >= 0));
    h = hi;
    l = lo;
  }
  up = (pdm - up) * K14 + up;
  dn = (mdm - dn) * K14 + dn;
  const sum = up + dn;
  st[S_UP] = up;
  st[S_DN] = dn;
  st[S_ADX] = ((sum === 0 ? 0 : (Math.abs(up - dn) / sum) * 100) - adx) * K14 + adx;
}

/**
 * WaveTrend's ESA, deviation and wt1 over bars [from, to), continuing `st` (steady from bar 1: the
 * EMAs are seeded at bar 0). The caller guarantees 1 <= from <= to <= length. Never throws.
 */
export function passWave(cols: FeatureColumns, st: Float64Array, from: number, to: number): void {
  const K10 = 2 / 11;
  const KM10 = 1 - K10;
  const K21 = 2 / 22;
  const KM21 = 1 - K21;
  const high = cols.high;
  const low = cols.low;
  const close = cols.close;
  let esa = st[S_ESA];
  let dev = st[S_DEV];
  let wt = st[S_WT];
  for (let i = from; i < to; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3; // typicalPrice
    esa = tp * K10 + esa * KM10; // emaStep(esa, tp, K10, KM10)
    const ad = Math.abs(tp - esa);
    dev = ad * K10 + dev * KM10; // emaStep(dev, ad, K10, KM10)
    const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    wt = ci * K21 + wt * KM21; // emaStep(wt, ci, K21, KM21)
  }
  st[S_ESA] = esa;
  st[S_DEV] = dev;
  st[S_WT] = wt;
}

/**
 * passWave over bars [from, to) that also keeps each bar's typical price and wt1: bar i goes to
 * tpOut[i - base] and wtOut[i - base] (the windowed tails read them instead of dividing again). The
 * caller guarantees 1 <= from, base <= from, to <= length and outputs long enough. Never throws.
 */
export function passWaveKeep(
  cols: FeatureColumns, st: Float64Array, from: number, to: number, tpOut: Float64Array, wtOut: Float64Array, base: number,
): void {
  const K10 = 2 / 11;
  const KM10 = 1 - K10;
  const K21 = 2 / 22;
  const KM21 = 1 - K21;
  const high = cols.high;
  const low = cols.low;
  const close = cols.close;
  let esa = st[S_ESA];
  let dev = st[S_DEV];
  let wt = st[S_WT];
  for (let i = from; i < to; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3; // typicalPrice
    esa = tp * K10 + esa * KM10;
    const ad = Math.abs(tp - esa);
    dev = ad * K10 + dev * KM10;
    const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    wt = ci * K21 + wt * KM21;
    tpOut[i - base] = tp;
    wtOut[i - base] = wt;
  }
  st[S_ESA] = esa;
  st[S_DEV] = dev;
  st[S_WT] = wt;
}
