import type { Interval, Side } from '../schemas.ts';
import type { Features } from '../indicators/features.ts';
import type { Regime } from './regime.ts';
import type { Session } from './session.ts';
import type { ScoreStyle } from './score.ts';

/** What a strategy knows besides the features: the series and the funding rate in force (null = unknown). */
export interface StrategyContext {
  symbol: string;
  interval: Interval;
  /** Funding rate per funding interval as a fraction (0.0001 = 0.01 %), or null when unknown. */
  funding: number | null;
}

/**
 * A raw trade idea from one strategy on one bar, before scoring and veto. `entry` is the bar close;
 * for a long `stop < entry < targets[0] < targets[1] ...`, for a short the mirror image.
 */
export interface Candidate {
  strategy: string;
  side: Side;
  entry: number;
  stop: number;
  /** 1..3 take-profit levels, ordered away from entry. */
  targets: number[];
  /**
   * One short human sentence: why this fired (shown in alerts and logs). A constant per strategy and
   * side — the numbers behind it are in the signal's levels and score parts (no formatting on the hot path).
   */
  reason: string;
}

/**
 * A signal generator. `evaluate` is pure and cheap: it reads the features of the bar that just closed
 * and returns a Candidate or null (null on anything not warm yet); it must not throw.
 */
export interface Strategy {
  /** Stable kebab-case id (config lists, stats, signal rows). */
  readonly name: string;
  /** Sides it may emit. */
  readonly sides: readonly Side[];
  /** Kline intervals it may run on; the scanner skips it elsewhere. */
  readonly intervals: readonly Interval[];
  /** Regimes it is allowed to trade in (veto otherwise). */
  readonly regimes: readonly Regime[];
  /**
   * Optional UTC session allowlist (asia 00-08, europe 07-16, us 13-21; overlaps count for both);
   * absent or empty = any hour. Checked against the decision time, not the bar open.
   */
  readonly sessions?: readonly Session[];
  /**
   * How the score reads band position, RSI and streak: 'reversion' (default; a long likes the lower
   * band, low RSI, a down streak) or 'momentum' (a long likes a close above the upper band, strong RSI,
   * an up streak — breakouts).
   */
  readonly style?: ScoreStyle;
  /** True when the strategy never fires without a funding rate. */
  readonly needsFunding?: boolean;
  /** The candidate for this bar, or null. */
  evaluate(f: Features, ctx: StrategyContext): Candidate | null;
}
