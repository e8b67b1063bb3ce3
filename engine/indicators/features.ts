/**
 * The per-bar feature vector of one series (symbol × interval) that strategies and the scorer read.
 * Every field is a plain number; NaN means "not warmed up yet". Produced both incrementally
 * (FeatureState.update, one closed bar at a time) and by full recompute (computeFeatures over arrays);
 * the two must agree exactly on the same bars.
 */
export interface Features {
  /** Bar open time (epoch ms) of the bar these features describe. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  prevClose: number;
  /** Bollinger(20, 2): middle (SMA20), upper, lower, bandwidth = (upper-lower)/middle, %B. */
  bbMid: number;
  bbUpper: number;
  bbLower: number;
  bandwidth: number;
  percentB: number;
  /** Lowest bandwidth over the last 120 bars (squeeze reference). */
  bandwidthMin120: number;
  /** RSI(14), Wilder smoothing, and its previous value. */
  rsi14: number;
  prevRsi14: number;
  /** ATR(14), Wilder smoothing, and ATR as % of close. */
  atr14: number;
  atrPct: number;
  /** EMA(50), EMA(200), and EMA200 slope = % change of EMA200 over the last 10 bars. */
  ema50: number;
  ema200: number;
  ema200Slope: number;
  /** ADX(14) with +DI and -DI. */
  adx14: number;
  plusDi: number;
  minusDi: number;
  /** Money Flow Index(14). */
  mfi14: number;
  /** Session VWAP (resets at each UTC day start). */
  vwap: number;
  /** Heikin-Ashi candle of this bar and the previous HA close/open. */
  haOpen: number;
  haHigh: number;
  haLow: number;
  haClose: number;
  prevHaOpen: number;
  prevHaClose: number;
  /** WaveTrend (channel 10, average 21): wt1, wt2 = SMA4(wt1), and their previous values. */
  wt1: number;
  wt2: number;
  prevWt1: number;
  prevWt2: number;
  /** SMA(20) of volume. */
  volSma20: number;
  /** Consecutive closes up (>0) or down (<0) ending at this bar; 0 if unchanged. */
  streak: number;
  /** Number of bars this state has seen. */
  bars: number;
}
