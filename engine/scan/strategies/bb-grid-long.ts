import type { Strategy } from '../strategy.ts';
import { atrStop, candidate } from '../levels.ts';

/** %B at or below which a close counts as "at or through" the lower band. */
export const GRID_LOWER_PERCENT_B = 0.02;

const REASON = 'first close at/through the lower Bollinger band in a range; targets the middle, then the upper band';

/**
 * Bollinger grid, long leg: in a range, the first close at or through the lower band (20, 2) — the
 * previous close was still above it — buys the band for a return to the middle and then the upper
 * band; stop 1.5 ATR below entry or just under the bar low, whichever is farther. Returns null when
 * the close is above the band, was already there, or features are not warm.
 */
export const bbGridLong: Strategy = {
  name: 'bb-grid-long',
  sides: ['long'],
  intervals: ['15', '60', '240', 'D'],
  regimes: ['range'],
  style: 'reversion',
  evaluate(f) {
    // This bar brought the close to the band (the previous close was above today's lower band).
    if (!(f.percentB <= GRID_LOWER_PERCENT_B) || !(f.prevClose > f.bbLower)) return null;
    const entry = f.close;
    const stop = atrStop('long', entry, f.low, f.atr14, 1.5, 0.25);
    return candidate('bb-grid-long', 'long', entry, stop, [f.bbMid, f.bbUpper], REASON);
  },
};
