import type { Strategy } from '../strategy.ts';
import { atrStop, candidate } from '../levels.ts';

/** %B at or above which a close counts as "at or through" the upper band. */
export const GRID_UPPER_PERCENT_B = 0.98;

const REASON = 'first close at/through the upper Bollinger band in a range; targets the middle, then the lower band';

/**
 * Bollinger grid, short leg: in a range, the first close at or through the upper band (20, 2) — the
 * previous close was still below it — sells the band for a return to the middle and then the lower
 * band; stop 1.5 ATR above entry or just over the bar high, whichever is farther. Returns null when
 * the close is below the band, was already there, or features are not warm.
 */
export const bbGridShort: Strategy = {
  name: 'bb-grid-short',
  sides: ['short'],
  intervals: ['15', '60', '240', 'D'],
  regimes: ['range'],
  style: 'reversion',
  evaluate(f) {
    // This bar brought the close to the band (the previous close was below today's upper band).
    if (!(f.percentB >= GRID_UPPER_PERCENT_B) || !(f.prevClose < f.bbUpper)) return null;
    const entry = f.close;
    const stop = atrStop('short', entry, f.high, f.atr14, 1.5, 0.25);
    return candidate('bb-grid-short', 'short', entry, stop, [f.bbMid, f.bbLower], REASON);
  },
};
