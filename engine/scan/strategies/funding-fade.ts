import type { Strategy } from '../strategy.ts';
import { atrStop, candidate, riskMultipleTargets } from '../levels.ts';

/**
 * Funding rate (fraction per funding interval, Bybit's usual 8 h) beyond which the crowd is "extreme":
 * above +0.0005 (+0.05 %) longs are paying heavily → short bias; below −0.0005 → long bias.
 * The rate is taken as reported; symbols on a 4 h funding interval are not rescaled.
 */
export const FUNDING_EXTREME = 0.0005;

/** Targets in multiples of the risk (allocated once, not per candidate). */
const TARGET_R: readonly number[] = [1, 2];

const SHORT = 'funding above +0.05 % (crowded longs) and a down bar with RSI(14) turning lower';
const LONG = 'funding below -0.05 % (crowded shorts) and an up bar with RSI(14) turning higher';

/**
 * Funding fade: with funding beyond ±FUNDING_EXTREME, fade the crowded side once the bar confirms it
 * (a down bar with RSI falling for a short, an up bar with RSI rising for a long); stop 2 ATR beyond
 * entry or past the bar extreme, targets at 1R and 2R. Returns null without funding, without
 * confirmation, or when features are not warm.
 */
export const fundingFade: Strategy = {
  name: 'funding-fade',
  sides: ['long', 'short'],
  intervals: ['15', '60', '240', 'D'],
  regimes: ['range', 'high-vol', 'trend-up', 'trend-down'],
  style: 'reversion',
  needsFunding: true,
  evaluate(f, ctx) {
    const rate = ctx.funding;
    if (rate === null || !Number.isFinite(rate)) return null;
    const entry = f.close;
    if (rate > FUNDING_EXTREME && entry < f.open && f.rsi14 < f.prevRsi14) {
      const stop = atrStop('short', entry, f.high, f.atr14, 2, 0.25);
      return candidate(
        'funding-fade',
        'short',
        entry,
        stop,
        riskMultipleTargets('short', entry, stop, TARGET_R),
        SHORT,
      );
    }
    if (rate < -FUNDING_EXTREME && entry > f.open && f.rsi14 > f.prevRsi14) {
      const stop = atrStop('long', entry, f.low, f.atr14, 2, 0.25);
      return candidate(
        'funding-fade',
        'long',
        entry,
        stop,
        riskMultipleTargets('long', entry, stop, TARGET_R),
        LONG,
      );
    }
    return null;
  },
};
