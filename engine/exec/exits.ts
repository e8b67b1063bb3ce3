import type { Broker } from './broker.ts';
import type { Store } from '../store/store.ts';
import type { DeskEvent } from '../events.ts';
import type { Bar } from '../market/types.ts';
import { toPosition } from './ledger.ts';
import { roundToStep } from '../risk/rounding.ts';

/**
 * Moves stops after a closed bar: the break-even lock once the first target is hit (idempotent: a
 * flag plus "only ever tighten"), and a trailing stop one initial-risk distance behind the close for
 * positions at or above `trailMinLeverage`. The venue is told first (broker.setStop), then the ledger;
 * a venue refusal leaves the ledger unchanged and is rethrown as the broker's DeskError.
 */
export async function manageExits(
  store: Store,
  broker: Broker,
  bar: Bar,
  opts: { trailMinLeverage: number; tickOf: (symbol: string) => number; now: number },
): Promise<DeskEvent[]> {
  const events: DeskEvent[] = [];
  const pos = store.positions.openOn(broker.mode, bar.symbol);
  if (!pos) return events;
  const long = pos.side === 'long';
  const tighter = (a: number, b: number) => (long ? a > b : a < b);
  let target = pos.stop;
  let change: 'break_even' | 'trailing' | null = null;
  if (pos.targetsHit >= 1 && !pos.breakEvenLocked && tighter(pos.entryPrice, pos.stop)) {
    target = pos.entryPrice;
    change = 'break_even';
  }
  if (pos.leverage >= opts.trailMinLeverage) {
    const dist = Math.abs(pos.entryPrice - pos.initialStop);
    const trail = long ? bar.close - dist : bar.close + dist;
    if (dist > 0 && tighter(trail, target)) {
      target = trail;
      change = change ?? 'trailing';
    }
  }
  const tick = opts.tickOf(pos.symbol);
  target = roundToStep(target, tick);
  if (change === null || !tighter(target, pos.stop)) {
    if (pos.targetsHit >= 1 && !pos.breakEvenLocked) {
      pos.breakEvenLocked = true;
      store.positions.save(pos);
    }
    return events;
  }
  await broker.setStop(pos.symbol, pos.side, target);
  const fresh = store.positions.get(pos.id);
  if (!fresh || fresh.status !== 'open') return events;
  fresh.stop = target;
  if (fresh.targetsHit >= 1) fresh.breakEvenLocked = true;
  store.positions.save(fresh);
  events.push({ type: 'position.updated', at: opts.now, position: toPosition(fresh), change });
  return events;
}
