// The desk's per-bar rules the fast backtest runs: the level and stop rules are the desk's own
// (engine/exec/stop-rules.ts, re-exported here), plus the synthetic quote the backtest feed prices
// fills at. The equivalence test (test/backtest/fast-desk.test.ts) holds the fast path to the desk.
import { roundToStep } from '../risk/rounding.ts';

export { tickLevels, managedStop, type DraftLevels, type ManagedPosition, type StopMove } from '../exec/stop-rules.ts';

/** The bid of the synthetic quote around `price`: half a tick below, rounded to half-tick decimals (price itself for a zero tick). */
export function quoteBid(price: number, tick: number): number {
  const half = tick / 2;
  return half > 0 ? roundToStep(price - half, half) : price;
}

/** The ask of the synthetic quote around `price`: half a tick above, rounded to half-tick decimals (price itself for a zero tick). */
export function quoteAsk(price: number, tick: number): number {
  const half = tick / 2;
  return half > 0 ? roundToStep(price + half, half) : price;
}
