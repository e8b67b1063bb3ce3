import type { Features } from '../indicators/features.ts';

/** Market regime of one series at one bar, as strategies' allowlists name it. */
export type Regime = 'trend-up' | 'trend-down' | 'range' | 'high-vol';

/** Every regime name. */
export const REGIMES: readonly Regime[] = ['trend-up', 'trend-down', 'range', 'high-vol'];

/** Thresholds of the regime classifier (see classifyRegime). */
export interface RegimeThresholds {
  /** ADX at or above this is trending (if the slope agrees). */
  adxTrend: number;
  /** |EMA200 10-bar slope| in ATR units (ema200Slope / atrPct) at or above this is trending. */
  slopeAtr: number;
  /** Bandwidth at or above this multiple of its 120-bar minimum is high volatility. */
  bandwidthExpansion: number;
}

/**
 * The defaults, tuned on the bundled Bybit klines (15/60/240/D): about 65 % range, 15-20 % trend,
 * 10-15 % high-vol (bandwidth ≥ 5× its 120-bar low is roughly the top 12 % of bars on every interval).
 */
export const DEFAULT_REGIME_THRESHOLDS: Readonly<RegimeThresholds> = Object.freeze({
  adxTrend: 25,
  slopeAtr: 0.3,
  bandwidthExpansion: 5,
});

/**
 * Classifies the regime from ADX, EMA200 slope and Bollinger bandwidth: 'high-vol' when the bands
 * have blown out to `bandwidthExpansion`× their 120-bar minimum, else
 * 'trend-up'/'trend-down' when ADX ≥ `adxTrend` and the EMA200 slope (in ATR units) and the DIs agree,
 * else 'range'. Features that are not warm yet (NaN) classify as 'range'; never throws.
 */
export function classifyRegime(f: Features, t: Readonly<RegimeThresholds> = DEFAULT_REGIME_THRESHOLDS): Regime {
  const expansion = f.bandwidth / f.bandwidthMin120;
  if (expansion >= t.bandwidthExpansion) return 'high-vol';
  if (f.adx14 >= t.adxTrend && f.atrPct > 0) {
    const slope = f.ema200Slope / f.atrPct;
    if (slope >= t.slopeAtr && f.plusDi > f.minusDi) return 'trend-up';
    if (slope <= -t.slopeAtr && f.minusDi > f.plusDi) return 'trend-down';
  }
  return 'range';
}
