import type { Strategy } from '../strategy.ts';
import { atrStop, candidate, riskMultipleTargets } from '../levels.ts';

/** WaveTrend level beyond which the oscillator is in an extreme zone (LazyBear's ±53). */
export const WT_EXTREME = 53;

/** Targets in multiples of the risk (allocated once, not per candidate). */
const TARGET_R: readonly number[] = [1, 2, 3];

const LONG = 'Heikin-Ashi turned green as WaveTrend crossed up out of the oversold zone';
const SHORT = 'Heikin-Ashi turned red as WaveTrend crossed down out of the overbought zone';

/**
 * Heikin-Ashi + WaveTrend reversal: the HA candle flips colour (red→green for a long) on the same bar
 * as wt1 crosses wt2 upward from the oversold zone (previous wt1 ≤ −53; mirror for a short); stop
 * 1.5 ATR beyond entry or past the bar extreme, targets at 1R, 2R and 3R. Returns null otherwise or
 * when features are not warm.
 */
export const haWavetrendReversal: Strategy = {
  name: 'ha-wavetrend-reversal',
  sides: ['long', 'short'],
  intervals: ['5', '15', '60', '240', 'D'],
  regimes: ['range', 'high-vol', 'trend-up', 'trend-down'],
  style: 'reversion',
  evaluate(f) {
    const entry = f.close;
    const flipUp = f.haClose > f.haOpen && f.prevHaClose < f.prevHaOpen;
    const flipDown = f.haClose < f.haOpen && f.prevHaClose > f.prevHaOpen;
    if (flipUp && f.prevWt1 <= f.prevWt2 && f.wt1 > f.wt2 && f.prevWt1 <= -WT_EXTREME) {
      const stop = atrStop('long', entry, f.low, f.atr14, 1.5, 0.25);
      return candidate(
        'ha-wavetrend-reversal',
        'long',
        entry,
        stop,
        riskMultipleTargets('long', entry, stop, TARGET_R),
        LONG,
      );
    }
    if (flipDown && f.prevWt1 >= f.prevWt2 && f.wt1 < f.wt2 && f.prevWt1 >= WT_EXTREME) {
      const stop = atrStop('short', entry, f.high, f.atr14, 1.5, 0.25);
      return candidate(
        'ha-wavetrend-reversal',
        'short',
        entry,
        stop,
        riskMultipleTargets('short', entry, stop, TARGET_R),
        SHORT,
      );
    }
    return null;
  },
};
