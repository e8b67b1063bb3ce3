/*
 * Scalar building blocks shared by the batch kernels, the incremental states and the fused feature
 * pass. Every implementation calls these same functions so that their arithmetic is identical bit for
 * bit; V8 inlines them. The conventions follow trading-signals@8 (the parity oracle) unless noted.
 */

/**
 * Typical price (high + low + close) / 3, evaluated left to right exactly as trading-signals does; NaN
 * in, NaN out. Kept a true division on purpose: MFI classifies bars by comparing typical prices and
 * WaveTrend divides by a deviation that is tiny on flat stretches, so a one-ulp change here can flip
 * MFI's flow sign or swing wt1 by a large amount (measured on real WIF/BNB klines).
 */
export function typicalPrice(high: number, low: number, close: number): number {
  return (high + low + close) / 3;
}

/** True range against the previous close: max(h-l, |h-pc|, |l-pc|); NaN in, NaN out. */
export function trueRange(high: number, low: number, prevClose: number): number {
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

/** One Wilder smoothing step `(x - prev) * k + prev` with k = 1/period; NaN in, NaN out. */
export function wilderStep(prev: number, x: number, k: number): number {
  return (x - prev) * k + prev;
}

/** One EMA step `x * k + prev * km` with k = 2/(period+1), km = 1-k; NaN in, NaN out. */
export function emaStep(prev: number, x: number, k: number, km: number): number {
  return x * k + prev * km;
}

/**
 * Gain part of a price change d = x - prev: d when d > 0, else 0, computed branch-free as (d+|d|)·0.5
 * (exact in IEEE arithmetic, so bit-identical to the oracle's branch; avoids mispredicted branches).
 */
export function gainOf(d: number): number {
  return (d + Math.abs(d)) * 0.5;
}

/** Loss part of a price change d = x - prev: -d when d < 0, else 0, branch-free and exact like gainOf. */
export function lossOf(d: number): number {
  return (Math.abs(d) - d) * 0.5;
}

/** RSI from Wilder averages: 100 when the average loss is 0 (even if the gain is 0 too). */
export function rsiValue(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  return 100 - 100 / (avgGain / avgLoss + 1);
}

/**
 * Directional index from smoothed +DM and -DM: |up - dn| / (up + dn) * 100, 0 when both are 0.
 * (Algebraically equal to trading-signals' |pdi - mdi| / (pdi + mdi) * 100 with the ATR cancelled;
 * one division instead of three, differs from the oracle only in the last bits.)
 */
export function dxValue(up: number, dn: number): number {
  const sum = up + dn;
  if (sum === 0) return 0;
  return (Math.abs(up - dn) / sum) * 100;
}

/** +DI or -DI in percent: 100 * dm / atr, 0 when the ATR is 0 (a perfectly flat series). */
export function diValue(dm: number, atr: number): number {
  if (atr === 0) return 0;
  return (dm / atr) * 100;
}

/**
 * +DM for a bar as trading-signals computes it: the up-move when it is positive and not smaller than
 * the down-move. Note the oracle's quirk kept on purpose: when up-move == down-move > 0 BOTH +DM and
 * -DM get the move (Wilder's text gives both 0); this is rare on real data and tested.
 */
export function plusDm(high: number, prevHigh: number, low: number, prevLow: number): number {
  const up = high - prevHigh;
  const down = prevLow - low;
  return up < 0 || up < down ? 0 : up;
}

/** -DM for a bar (mirror of plusDm, same tie convention). */
export function minusDm(high: number, prevHigh: number, low: number, prevLow: number): number {
  const up = high - prevHigh;
  const down = prevLow - low;
  return down < 0 || down < up ? 0 : down;
}

/**
 * Sum of src[from..to) with four interleaved accumulators (element j goes to accumulator (j-from) mod 4,
 * the remainder to the first), combined as (s0+s1)+(s2+s3). Breaks the add latency chain; every window
 * sum in this folder uses it, so batch, incremental and fused results stay bit-identical.
 */
export function sliceSum(src: Float64Array, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = from;
  for (; j + 3 < to; j += 4) {
    s0 += src[j];
    s1 += src[j + 1];
    s2 += src[j + 2];
    s3 += src[j + 3];
  }
  for (; j < to; j++) s0 += src[j];
  return s0 + s1 + (s2 + s3);
}

/** Sum of squared deviations from `mean` over src[from..to), same accumulator layout as sliceSum. */
export function sliceSqDev(src: Float64Array, from: number, to: number, mean: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = from;
  for (; j + 3 < to; j += 4) {
    const d0 = src[j] - mean;
    const d1 = src[j + 1] - mean;
    const d2 = src[j + 2] - mean;
    const d3 = src[j + 3] - mean;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < to; j++) {
    const d = src[j] - mean;
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Sum of src[from..to) strictly oldest first from 0 (trading-signals' order; used by MFI). */
export function sliceSumSeq(src: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) s += src[j];
  return s;
}

/**
 * Appends `x` to a double-written ring of window `p` (buf.length = 2p) at slot `pos` and returns the
 * next slot; afterwards the last p values, oldest first, are the contiguous buf[next .. next+p).
 */
export function ringPush(buf: Float64Array, p: number, pos: number, x: number): number {
  buf[pos] = x;
  buf[pos + p] = x;
  return pos + 1 === p ? 0 : pos + 1;
}

/**
 * Rolling-window mean after `xOut` leaves and `xIn` enters a window of `p` values with mean `mean`.
 * Used between anchors (see rollM2); NaN in, NaN out.
 */
export function rollMean(mean: number, xIn: number, xOut: number, p: number): number {
  return mean + (xIn - xOut) / p;
}

/**
 * Rolling-window sum of squared deviations (Welford-style window update): M2 + (xIn - xOut) ·
 * ((xIn - newMean) + (xOut - oldMean)), clamped at 0. Windowed statistics recompute mean and M2 two-pass
 * ("anchor") at every bar index i with (i + 1) % p === 0 and roll in between, so the error is bounded by
 * p-1 updates and every implementation that shares the global bar index gets bit-identical results.
 */
export function rollM2(m2: number, xIn: number, xOut: number, oldMean: number, newMean: number): number {
  const r = m2 + (xIn - xOut) * ((xIn - newMean) + (xOut - oldMean));
  return r < 0 ? 0 : r;
}

/** %B of a price inside bands: (x - lower) / (upper - lower), 0.5 when the bands collapse. */
export function percentBValue(x: number, upper: number, lower: number): number {
  const range = upper - lower;
  if (range === 0) return 0.5;
  return (x - lower) / range;
}
