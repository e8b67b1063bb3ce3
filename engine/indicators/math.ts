/*
 * Scalar building blocks shared by the batch kernels, the incremental states and the fused feature
 * pass. Every implementation calls these same functions so that their arithmetic is identical bit for
 * bit; V8 inlines them. The conventions follow trading-signals@8 (the parity oracle) unless noted.
 */

/** Typical price (high + low + close) / 3, evaluated left to right; NaN in, NaN out. */
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

/** Sum of src[from..to) oldest first starting from 0 (the order trading-signals' getAverage uses). */
export function sliceSum(src: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) s += src[j];
  return s;
}

/** Sum of squared deviations from `mean` over src[from..to), oldest first. */
export function sliceSqDev(src: Float64Array, from: number, to: number, mean: number): number {
  let s = 0;
  for (let j = from; j < to; j++) {
    const d = src[j] - mean;
    s += d * d;
  }
  return s;
}

/** Sum of a full ring buffer read oldest first, the oldest element sitting at index `head`. */
export function ringSum(buf: Float64Array, head: number): number {
  const p = buf.length;
  let s = 0;
  for (let j = head; j < p; j++) s += buf[j];
  for (let j = 0; j < head; j++) s += buf[j];
  return s;
}

/** Sum of squared deviations from `mean` over a full ring buffer, oldest first from `head`. */
export function ringSqDev(buf: Float64Array, head: number, mean: number): number {
  const p = buf.length;
  let s = 0;
  for (let j = head; j < p; j++) {
    const d = buf[j] - mean;
    s += d * d;
  }
  for (let j = 0; j < head; j++) {
    const d = buf[j] - mean;
    s += d * d;
  }
  return s;
}

/** %B of a price inside bands: (x - lower) / (upper - lower), 0.5 when the bands collapse. */
export function percentBValue(x: number, upper: number, lower: number): number {
  const range = upper - lower;
  if (range === 0) return 0.5;
  return (x - lower) / range;
}
