import type { Broker } from './broker.ts';
import type { Store } from '../store/store.ts';
import type { DeskEvent } from '../events.ts';
import type { Bar } from '../market/types.ts';
import { toPosition } from './ledger.ts';
import { managedStop } from './stop-rules.ts';

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
  const move = managedStop(pos, bar.close, opts.trailMinLeverage, opts.tickOf(pos.symbol));
  if (move === null) {
    if (pos.targetsHit >= 1 && !pos.breakEvenLocked) {
      pos.breakEvenLocked = true;
      store.positions.save(pos);
    }
    return events;
  }
  const { stop: target, change } = move;
  await broker.setStop(pos.symbol, pos.side, target);
  const fresh = store.positions.get(pos.id);
  if (!fresh || fresh.status !== 'open') return events;
  fresh.stop = target;
  if (fresh.targetsHit >= 1) fresh.breakEvenLocked = true;
  store.positions.save(fresh);
  events.push({ type: 'position.updated', at: opts.now, position: toPosition(fresh), change });
  return events;
}
