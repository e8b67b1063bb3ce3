import type { Side } from '../schemas.ts';
import type { Candidate } from './strategy.ts';

/**
 * True when `c` has tradeable geometry: finite positive prices, 1..3 targets, the stop on the losing
 * side of entry and every target on the winning side, strictly ordered away from entry; never throws.
 */
export function levelsValid(c: Candidate): boolean {
  const { entry, stop, targets } = c;
  if (!(entry > 0) || !(stop > 0) || !Number.isFinite(entry) || !Number.isFinite(stop)) return false;
  if (!Array.isArray(targets) || targets.length < 1 || targets.length > 3) return false;
  const dir = c.side === 'long' ? 1 : -1;
  if (!((entry - stop) * dir > 0)) return false;
  let prev = entry;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (!(t > 0) || !Number.isFinite(t) || !((t - prev) * dir > 0)) return false;
    prev = t;
  }
  return true;
}

/** Reward-to-risk to the last target (e.g. 2 = the final target is twice as far as the stop); NaN if invalid. */
export function rewardRisk(c: Candidate): number {
  const risk = Math.abs(c.entry - c.stop);
  const last = c.targets[c.targets.length - 1];
  if (!(risk > 0) || last === undefined) return NaN;
  return Math.abs(last - c.entry) / risk;
}

/**
 * The stop for `side`: the farther (more protective) of `entry ∓ atrMult·atr` and the bar extreme
 * pushed out by `bufferAtr·atr` (`extreme` = bar low for a long, bar high for a short); NaN inputs give NaN.
 */
export function atrStop(side: Side, entry: number, extreme: number, atr: number, atrMult: number, bufferAtr: number): number {
  return side === 'long'
    ? Math.min(entry - atrMult * atr, extreme - bufferAtr * atr)
    : Math.max(entry + atrMult * atr, extreme + bufferAtr * atr);
}

/** Targets at `multiples` of the risk (entry-to-stop distance) away from entry on the winning side; never throws. */
export function riskMultipleTargets(side: Side, entry: number, stop: number, multiples: readonly number[]): number[] {
  const d = (side === 'long' ? 1 : -1) * Math.abs(entry - stop);
  // 1..3 targets as array literals: one right-sized double array instead of push growth.
  const n = multiples.length;
  if (n === 1) return [entry + d * multiples[0]];
  if (n === 2) return [entry + d * multiples[0], entry + d * multiples[1]];
  if (n === 3) return [entry + d * multiples[0], entry + d * multiples[1], entry + d * multiples[2]];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(entry + d * multiples[i]);
  return out;
}

/**
 * Builds a Candidate and returns it only if its levels are valid (levelsValid), else null — so a
 * strategy never hands the scanner a stop on the wrong side, even on odd or not-yet-warm features.
 */
export function candidate(strategy: string, side: Side, entry: number, stop: number, targets: number[], reason: string): Candidate | null {
  const c: Candidate = { strategy, side, entry, stop, targets, reason };
  return levelsValid(c) ? c : null;
}
