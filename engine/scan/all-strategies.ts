import type { Strategy } from './strategy.ts';
import { bbGridLong } from './strategies/bb-grid-long.ts';
import { bbGridShort } from './strategies/bb-grid-short.ts';
import { rsiBbReversion } from './strategies/rsi-bb-reversion.ts';
import { fundingFade } from './strategies/funding-fade.ts';
import { bbSqueezeBreakout } from './strategies/bb-squeeze-breakout.ts';
import { haWavetrendReversal } from './strategies/ha-wavetrend-reversal.ts';

/** Every built-in strategy, in evaluation order (names are unique kebab-case ids). */
export const ALL_STRATEGIES: readonly Strategy[] = Object.freeze([
  bbGridLong,
  bbGridShort,
  rsiBbReversion,
  fundingFade,
  bbSqueezeBreakout,
  haWavetrendReversal,
]);

/** The built-in strategy called `name`, or undefined; never throws. */
export function strategyByName(name: string): Strategy | undefined {
  return ALL_STRATEGIES.find((s) => s.name === name);
}
