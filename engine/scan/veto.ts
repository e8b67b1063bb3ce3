import type { Candidate, Strategy } from './strategy.ts';
import type { Regime } from './regime.ts';
import { levelsValid, rewardRisk } from './levels.ts';
import { sessionAllowed } from './session.ts';

/**
 * Why a candidate was dropped (for logs, metrics and backtest stats):
 * - 'levels': stop/targets on the wrong side, not finite, or not 1..3 targets (a strategy bug guard);
 * - 'regime': the current regime is not in the strategy's allowlist;
 * - 'session': the decision time is outside the strategy's session allowlist;
 * - 'reward-risk': the last target is closer than `minRewardRisk` × the stop distance;
 * - 'threshold': the score is below the threshold.
 */
export type VetoReason = 'levels' | 'regime' | 'session' | 'reward-risk' | 'threshold';

/** Every veto reason code, in the order veto() checks them. */
export const VETO_REASONS: readonly VetoReason[] = ['levels', 'regime', 'session', 'reward-risk', 'threshold'];

/** Default minimum reward-to-risk to the final target. */
export const DEFAULT_MIN_REWARD_RISK = 1;

/** Everything veto() looks at for one candidate. */
export interface VetoInput {
  candidate: Candidate;
  strategy: Pick<Strategy, 'regimes' | 'sessions'>;
  score: number;
  regime: Regime;
  /** Decision time (epoch ms, UTC) — the session check uses it. */
  now: number;
  /** Minimum score to survive (config DESK_SCORE_THRESHOLD, default 5.5). */
  threshold: number;
  /** Minimum reward-to-risk to the final target (default 1). */
  minRewardRisk?: number;
}

/**
 * The rules that need no score (levels, regime, session, reward-risk), in VETO_REASONS order: the first
 * reason to drop the candidate, or null. Lets the scanner skip scoring what is dropped anyway. Pure;
 * never throws.
 */
export function vetoBeforeScore(v: Omit<VetoInput, 'score' | 'threshold'>): VetoReason | null {
  return vetoRules(v.candidate, v.strategy, v.regime, v.now, v.minRewardRisk ?? DEFAULT_MIN_REWARD_RISK);
}

/** vetoBeforeScore with positional arguments (no argument object on the scanner's hot path); never throws. */
export function vetoRules(c: Candidate, strategy: Pick<Strategy, 'regimes' | 'sessions'>, regime: Regime, now: number, minRewardRisk: number): VetoReason | null {
  if (!levelsValid(c)) return 'levels';
  if (!strategy.regimes.includes(regime)) return 'regime';
  if (!sessionAllowed(strategy.sessions, now)) return 'session';
  if (!(rewardRisk(c) >= minRewardRisk)) return 'reward-risk';
  return null;
}

/**
 * The T2 rules veto: returns the first reason (in VETO_REASONS order) the candidate must be dropped,
 * or null when it survives. A NaN score is vetoed as 'threshold'. Pure; never throws.
 */
export function veto(v: VetoInput): VetoReason | null {
  const early = vetoBeforeScore(v);
  if (early !== null) return early;
  if (!(v.score >= v.threshold)) return 'threshold';
  return null;
}
