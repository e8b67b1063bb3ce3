// The desk's stop and level rules as pure functions: the desk (signal levels), the exit manager
// (break-even and trailing) and the fast backtest all call these, so there is one definition.
import type { Side } from '../schemas.ts';
import { ceilToStep, floorToStep, roundToStep } from '../risk/rounding.ts';

/** A draft's price levels before they are put on the instrument's tick. */
export interface DraftLevels {
  side: Side;
  entry: number;
  stop: number;
  targets: readonly number[];
}

/**
 * A draft's levels on the instrument's tick, as the desk stores a signal: entry to the nearest tick,
 * the stop rounded AWAY from entry (never tighter than the strategy asked), targets to the nearest tick
 * with any that collapse onto entry or the previous target dropped. Null when the stop lands on or
 * through entry or no target survives; levels unchanged when `tick` is unknown. Throws RangeError on
 * a non-positive finite tick (rounding).
 */
export function tickLevels(dr: DraftLevels, tick: number | undefined): { entry: number; stop: number; targets: number[] } | null {
  if (!tick) return { entry: dr.entry, stop: dr.stop, targets: [...dr.targets] };
  const long = dr.side === 'long';
  const entry = roundToStep(dr.entry, tick);
  const stop = long ? floorToStep(dr.stop, tick) : ceilToStep(dr.stop, tick);
  if (long ? stop >= entry : stop <= entry) return null;
  const targets: number[] = [];
  let prev = entry;
  for (const t of dr.targets) {
    const r = roundToStep(t, tick);
    if (long ? r > prev : r < prev) {
      targets.push(r);
      prev = r;
    }
  }
  return targets.length > 0 ? { entry, stop, targets } : null;
}

/** What the exit manager reads of an open position. */
export interface ManagedPosition {
  side: Side;
  entryPrice: number;
  stop: number;
  initialStop: number;
  targetsHit: number;
  breakEvenLocked: boolean;
  leverage: number;
}

/** A stop move the exit manager makes: the new stop and the rule that set it (the desk's position.updated change). */
export interface StopMove {
  stop: number;
  change: 'break_even' | 'trailing';
}

/**
 * Where the desk's exit manager moves the stop after a bar closing at `close`: to entry once the first
 * target is hit (break-even, once — until the lock is set), and, for positions at or above
 * `trailMinLeverage`, one initial-risk distance behind the close (trailing) when that is tighter;
 * rounded to `tick` (a non-positive tick gives null). Returns the move (change = break_even when that rule fired, even if trailing
 * tightened further), or null when the stop stays (it is never loosened); either way the caller sets
 * the break-even lock once targetsHit ≥ 1. Pure; allocates only for a move.
 */
export function managedStop(p: ManagedPosition, close: number, trailMinLeverage: number, tick: number): StopMove | null {
  const long = p.side === 'long';
  let target = p.stop;
  let change: StopMove['change'] | null = null;
  if (p.targetsHit >= 1 && !p.breakEvenLocked && (long ? p.entryPrice > p.stop : p.entryPrice < p.stop)) {
    target = p.entryPrice;
    change = 'break_even';
  }
  if (p.leverage >= trailMinLeverage) {
    const dist = Math.abs(p.entryPrice - p.initialStop);
    const trail = long ? close - dist : close + dist;
    if (dist > 0 && (long ? trail > target : trail < target)) {
      target = trail;
      change = change ?? 'trailing';
    }
  }
  if (change === null) return null;
  if (!(tick > 0)) return null;
  target = roundToStep(target, tick);
  return (long ? target > p.stop : target < p.stop) ? { stop: target, change } : null;
}
