import type { Strategy } from '../strategy.ts';
import { candidate, riskMultipleTargets } from '../levels.ts';

/** Bandwidth within this multiple of its 120-bar minimum counts as "near the squeeze". */
export const SQUEEZE_NEAR_MIN = 1.5;
/** Breakout bar volume must be at least this multiple of its 20-bar average. */
export const SQUEEZE_VOLUME_MULT = 1.5;

/** Targets in multiples of the risk (allocated once, not per candidate). */
const TARGET_R: readonly number[] = [1.5, 3];

const LONG = 'close broke above the upper Bollinger band out of a squeeze (bandwidth near its 120-bar low) on 1.5× average volume';
const SHORT = 'close broke below the lower Bollinger band out of a squeeze (bandwidth near its 120-bar low) on 1.5× average volume';

/**
 * Bollinger squeeze breakout: bandwidth near its 120-bar minimum, then a close outside the band on
 * volume ≥ 1.5× its 20-bar average trades the break; stop at the middle band (a close back there
 * means the break failed) or 1 ATR, whichever is farther, targets 1.5R and 3R. Restricted to the
 * liquid Europe and US sessions. Returns null otherwise or when features are not warm.
 */
export const bbSqueezeBreakout: Strategy = {
  name: 'bb-squeeze-breakout',
  sides: ['long', 'short'],
  intervals: ['15', '60', '240', 'D'],
  regimes: ['range', 'trend-up', 'trend-down'],
  sessions: ['europe', 'us'],
  style: 'momentum',
  evaluate(f) {
    if (!(f.bandwidth <= SQUEEZE_NEAR_MIN * f.bandwidthMin120)) return null;
    if (!(f.volume >= SQUEEZE_VOLUME_MULT * f.volSma20)) return null;
    const entry = f.close;
    if (entry > f.bbUpper) {
      const stop = Math.min(f.bbMid, entry - f.atr14);
      return candidate('bb-squeeze-breakout', 'long', entry, stop, riskMultipleTargets('long', entry, stop, TARGET_R), LONG);
    }
    if (entry < f.bbLower) {
      const stop = Math.max(f.bbMid, entry + f.atr14);
      return candidate('bb-squeeze-breakout', 'short', entry, stop, riskMultipleTargets('short', entry, stop, TARGET_R), SHORT);
    }
    return null;
  },
};
