import type { Features } from './features.ts';

/** Every key of Features in declaration order (for copying, columns and tests); never mutated. */
export const FEATURE_KEYS: readonly (keyof Features)[] = Object.freeze([
  'start', 'open', 'high', 'low', 'close', 'volume', 'prevClose',
  'bbMid', 'bbUpper', 'bbLower', 'bandwidth', 'percentB', 'bandwidthMin120',
  'rsi14', 'prevRsi14', 'atr14', 'atrPct', 'ema50', 'ema200', 'ema200Slope',
  'adx14', 'plusDi', 'minusDi', 'mfi14', 'vwap',
  'haOpen', 'haHigh', 'haLow', 'haClose', 'prevHaOpen', 'prevHaClose',
  'wt1', 'wt2', 'prevWt1', 'prevWt2', 'volSma20', 'streak', 'bars',
] as const);

/** A fresh Features object with every value NaN (streak and bars 0); never throws. */
export function createFeatures(): Features {
  return {
    start: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN, prevClose: NaN,
    bbMid: NaN, bbUpper: NaN, bbLower: NaN, bandwidth: NaN, percentB: NaN, bandwidthMin120: NaN,
    rsi14: NaN, prevRsi14: NaN, atr14: NaN, atrPct: NaN, ema50: NaN, ema200: NaN, ema200Slope: NaN,
    adx14: NaN, plusDi: NaN, minusDi: NaN, mfi14: NaN, vwap: NaN,
    haOpen: NaN, haHigh: NaN, haLow: NaN, haClose: NaN, prevHaOpen: NaN, prevHaClose: NaN,
    wt1: NaN, wt2: NaN, prevWt1: NaN, prevWt2: NaN, volSma20: NaN, streak: 0, bars: 0,
  };
}

/** Copies every field of `src` into `dst` (a new object when omitted) and returns it; never throws. */
export function copyFeatures(src: Readonly<Features>, dst: Features = createFeatures()): Features {
  for (const k of FEATURE_KEYS) dst[k] = src[k];
  return dst;
}
