import type { Strategy } from '../strategy.ts';
import { atrStop, candidate, riskMultipleTargets } from '../levels.ts';
import { fmt } from './format.ts';

/** WaveTrend level beyond which the oscillator is in an extreme zone (LazyBear's ±53). */
export const WT_EXTREME = 53;

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
    const from = f.prevWt1;
    const flipUp = f.haClose > f.haOpen && f.prevHaClose < f.prevHaOpen;
    const flipDown = f.haClose < f.haOpen && f.prevHaClose > f.prevHaOpen;
    if (flipUp && f.prevWt1 <= f.prevWt2 && f.wt1 > f.wt2 && f.prevWt1 <= -WT_EXTREME) {
      const stop = atrStop('long', entry, f.low, f.atr14, 1.5, 0.25);
      return candidate(
        'ha-wavetrend-reversal',
        'long',
        entry,
        stop,
        riskMultipleTargets('long', entry, stop, [1, 2, 3]),
        () => `Heikin-Ashi turned green and WaveTrend crossed up from ${fmt(from)} (oversold)`,
      );
    }
    if (flipDown && f.prevWt1 >= f.prevWt2 && f.wt1 < f.wt2 && f.prevWt1 >= WT_EXTREME) {
      const stop = atrStop('short', entry, f.high, f.atr14, 1.5, 0.25);
      return candidate(
        'ha-wavetrend-reversal',
        'short',
        entry,
        stop,
        riskMultipleTargets('short', entry, stop, [1, 2, 3]),
        () => `Heikin-Ashi turned red and WaveTrend crossed down from ${fmt(from)} (overbought)`,
      );
    }
    return null;
  },
};
