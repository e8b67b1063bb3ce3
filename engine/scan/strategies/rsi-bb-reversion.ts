import type { Strategy } from '../strategy.ts';
import { atrStop, candidate, riskMultipleTargets } from '../levels.ts';

/** RSI(14) at or below this is oversold. */
export const RSI_OVERSOLD = 30;
/** RSI(14) at or above this is overbought. */
export const RSI_OVERBOUGHT = 70;

/** Targets in multiples of the risk (allocated once, not per candidate). */
const TARGET_R: readonly number[] = [1, 2];

const LONG = 'RSI(14) oversold while the low pierced the lower Bollinger band and the close came back inside';
const SHORT = 'RSI(14) overbought while the high pierced the upper Bollinger band and the close came back inside';

/**
 * RSI + Bollinger mean reversion: RSI(14) at an extreme while the bar's wick pierces the band and the
 * close comes back inside it (a rejection) fades the move; stop 1 ATR beyond entry or past the wick,
 * targets at 1R and 2R. Returns null otherwise or when features are not warm.
 */
export const rsiBbReversion: Strategy = {
  name: 'rsi-bb-reversion',
  sides: ['long', 'short'],
  intervals: ['15', '60', '240', 'D'],
  regimes: ['range', 'high-vol'],
  style: 'reversion',
  evaluate(f) {
    const entry = f.close;
    if (f.rsi14 <= RSI_OVERSOLD && f.low < f.bbLower && entry > f.bbLower) {
      const stop = atrStop('long', entry, f.low, f.atr14, 1, 0.25);
      return candidate('rsi-bb-reversion', 'long', entry, stop, riskMultipleTargets('long', entry, stop, TARGET_R), LONG);
    }
    if (f.rsi14 >= RSI_OVERBOUGHT && f.high > f.bbUpper && entry < f.bbUpper) {
      const stop = atrStop('short', entry, f.high, f.atr14, 1, 0.25);
      return candidate('rsi-bb-reversion', 'short', entry, stop, riskMultipleTargets('short', entry, stop, TARGET_R), SHORT);
    }
    return null;
  },
};
