// Test helper: a hand-set Features object (indicator values, not prices from a market) for unit tests
// of pure rules; real-bar tests use the bundled klines instead.
import type { Features } from '../../engine/indicators/features.ts';

/** A warm, unremarkable Features object (price mid-band, RSI 50, average volume); `over` replaces fields. */
export function neutralFeatures(over: Partial<Features> = {}): Features {
  return {
    start: Date.UTC(2024, 0, 10, 12),
    open: 100, high: 101, low: 99, close: 100, volume: 1000, prevClose: 100,
    bbMid: 100, bbUpper: 104, bbLower: 96, bandwidth: 0.08, percentB: 0.5, bandwidthMin120: 0.04,
    rsi14: 50, prevRsi14: 50, atr14: 2, atrPct: 2, ema50: 100, ema200: 100, ema200Slope: 0,
    adx14: 15, plusDi: 20, minusDi: 20, mfi14: 50, vwap: 100,
    haOpen: 100, haHigh: 101, haLow: 99, haClose: 100, prevHaOpen: 100, prevHaClose: 100,
    wt1: 0, wt2: 0, prevWt1: 0, prevWt2: 0, volSma20: 1000, streak: 0, bars: 500,
    ...over,
  };
}
