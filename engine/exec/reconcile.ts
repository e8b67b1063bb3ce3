import type { Broker } from './broker.ts';
import type { Store } from '../store/store.ts';
import type { DeskEvent } from '../events.ts';
import type { DeskLogger } from '../log.ts';
import { applyExecution, recoveredExecId, toPosition } from './ledger.ts';
import { randomId } from './ids.ts';

/** The catch-up reads from this long before the oldest fill that may be missing (venue and desk clocks differ a little). */
const CATCH_UP_MARGIN_MS = 60_000;
/** How long after its order a desk entry's fill may still be on its way (held, or the stream down). */
const ENTRY_FILL_PENDING_MS = 10 * 60_000;
/** How far back a catch-up reads when the ledger holds no fill, open position or unsettled order. */
const EMPTY_LEDGER_CATCH_UP_MS = 10 * 60_000;
/** How often a venue position without a stop is reported again. */
const STOPLESS_REPORT_EVERY_MS = 3_600_000;
/** A position opened this recently may be missing from the venue's answer read at the same time. */
const RECENT_MS = 10_000;

/**
 * Where the venue's execution list is read from before reconciling: the oldest of the newest recorded
 * fill, every order not yet settled, and every open position (its stop and targets fill on the venue,
 * with or without the desk), less a margin; null when the ledger holds none of them. Never throws.
 */
export function catchUpSince(store: Store, mode: 'paper' | 'live'): number | null {
  const times: number[] = [];
  const last = store.orders.lastFillAt(mode);
  if (last !== null) times.push(last);
  for (const status of ['submitting', 'unknown', 'accepted'] as const) for (const o of store.orders.byStatus(mode, status)) times.push(o.createdAt);
  for (const p of store.positions.openAll(mode)) times.push(p.openedAt);
  return times.length > 0 ? Math.min(...times) - CATCH_UP_MARGIN_MS : null;
}

/** Options of reconcile. */
export interface ReconcileOptions {
  /**
   * Desk time at which an earlier pass of this process began (the caller sets it when the whole pass
   * succeeded): executions before it (less the margin) were read then, so this pass reads from
   * there, not from the oldest open position or unsettled order again.
   */
  caughtUpTo?: number;
  /** Ids of the orders this process is placing right now: their calls settle them, reconcile leaves them alone. */
  placing?: ReadonlySet<string>;
  /**
   * When each venue position without a stop was last reported (by position id), kept by the caller
   * across passes: the report repeats once an hour, not on every pass.
   */
  stoplessReported?: Map<string, number>;
}

/**
 * Brings the ledger in line with the venue (the venue is the truth). First the venue's executions since
 * catchUpSince (on a later pass: since opts.caughtUpTo less a margin) reach the ledger through the
 * broker's sink (a stop or target that filled while the desk was down closes its position with its
 * real price and reason; exec ids already held are skipped).
 * Then orders left in 'submitting' or 'unknown' by a crash are looked up by orderLinkId (filled → what
 * the venue filled beyond the fills recorded is recorded at its average price, ended unfilled or absent
 * → cancelled, open → accepted; never re-sent; one still being placed is left alone); for a
 * live broker, DB positions the venue no longer holds are closed with a reason, venue positions the DB
 * lacks are adopted, and a position no desk order opened takes the venue's stop (or is reported
 * without one). Returns the events to emit (the caught-up fills' events go out through the sink);
 * venue errors propagate, and so does a catch-up the desk could not record (see Broker.catchUp).
 */
export async function reconcile(store: Store, broker: Broker, logger: DeskLogger, now: number, opts: ReconcileOptions = {}): Promise<DeskEvent[]> {
  const events: DeskEvent[] = [];
  const mode = broker.mode;
  // With nothing in the ledger that could miss a fill, the last minutes are still read: a live
  // broker may hold the stream's first fills until this catch-up hands them over.
  const oldest = catchUpSince(store, mode) ?? now - EMPTY_LEDGER_CATCH_UP_MS;
  const since = opts.caughtUpTo === undefined ? oldest : Math.max(oldest, opts.caughtUpTo - CATCH_UP_MARGIN_MS);
  const listed = await broker.catchUp(since);
  logger.debug({ since, listed }, 'reconcile: venue executions caught up');
  for (const status of ['submitting', 'unknown'] as const) {
    for (const o of store.orders.byStatus(mode, status)) {
      // An order this process is still placing (or one written since the pass began) is in its own
      // call, not a crash's leftover.
      if (o.createdAt > now || opts.placing?.has(o.id)) continue;
      const found = await broker.findOrder(o.orderLinkId);
      // Only what the venue filled beyond the fills already recorded (the stream or the catch-up may
      // have delivered some).
      const missing = found ? found.filledQty - store.orders.filledQtyOf(o.orderLinkId) : 0;
      if (found && missing > found.filledQty * 1e-9 && found.avgPrice !== null && !store.orders.hasFill(recoveredExecId(o.orderLinkId))) {
        // The venue filled it but its executions are not listed yet: record the fill now from the
        // order's numbers, so the position keeps its order's stop, targets, signal and actor (never
        // re-sent, never adopted blind).
        events.push(
          ...applyExecution(
            store,
            mode,
            {
              execId: recoveredExecId(o.orderLinkId),
              orderId: found.orderId,
              orderLinkId: o.orderLinkId,
              symbol: o.symbol,
              side: o.side,
              qty: missing,
              price: found.avgPrice,
              fee: 0,
              reduceOnly: o.reduceOnly,
              kind: o.reduceOnly ? 'close' : 'entry',
              quoteId: o.quoteId,
              // In the venue's time when it says (its last change: every fill so far is at or before
              // it), so the position it opens is judged against the venue's later fills in one clock.
              at: found.updatedAt ?? now,
            },
            { cooldownMs: 0 },
          ),
        );
        logger.warn({ orderLinkId: o.orderLinkId, venueStatus: found.status, filledQty: found.filledQty }, 'reconcile: fill recovered from the venue');
      } else if (found?.final && found.filledQty <= 0) {
        store.orders.setStatus(o.id, 'cancelled', now, { venueOrderId: found.orderId, errorCode: `venue_${found.status.toLowerCase()}` });
        logger.warn({ orderLinkId: o.orderLinkId, venueStatus: found.status }, 'reconcile: the venue ended the order unfilled; marked cancelled');
      } else if (found?.final) {
        store.orders.setStatus(o.id, 'filled', now, { venueOrderId: found.orderId });
        logger.info({ orderLinkId: o.orderLinkId, venueStatus: found.status }, 'reconcile: order over at the venue, its fills already recorded');
      } else if (found) {
        store.orders.setStatus(o.id, 'accepted', now, { venueOrderId: found.orderId });
        logger.info({ orderLinkId: o.orderLinkId, venueStatus: found.status }, 'reconcile: order found at venue');
      } else {
        store.orders.setStatus(o.id, 'cancelled', now, { errorCode: 'not_at_venue' });
        logger.warn({ orderLinkId: o.orderLinkId }, 'reconcile: order never reached the venue; marked cancelled');
      }
    }
  }
  if (mode !== 'live') return events;
  const venue = await broker.positions();
  // Symbols whose desk entry may have filled on its way to the ledger: still 'submitting' (a call in
  // flight: the pass above settled a crash's leftovers), or accepted / of unknown outcome recently
  // with no fill yet.
  const entryPending = new Set<string>();
  for (const status of ['submitting', 'accepted', 'unknown'] as const) {
    for (const o of store.orders.byStatus(mode, status)) {
      if (o.reduceOnly) continue;
      if (status === 'submitting' || (o.createdAt >= now - ENTRY_FILL_PENDING_MS && store.orders.filledQtyOf(o.orderLinkId) === 0)) entryPending.add(o.symbol);
    }
  }
  const stopless = new Set<string>();
  const venueBySymbol = new Map(venue.filter((p) => p.qty > 0).map((p) => [p.symbol, p]));
  for (const p of store.positions.openAll(mode)) {
    const v = venueBySymbol.get(p.symbol);
    // A position opened while the venue was being read may be missing from its answer (or show the
    // side it reversed from): next pass.
    if ((!v || v.side !== p.side) && p.openedAt >= now - RECENT_MS) {
      venueBySymbol.delete(p.symbol);
      continue;
    }
    if (!v || v.side !== p.side) {
      store.tx(() => {
        p.qty = 0;
        p.status = 'closed';
        p.closedAt = now;
        p.closeReason = 'reconcile_absent';
        store.positions.save(p);
      });
      events.push({ type: 'reconcile.mismatch', at: now, symbol: p.symbol, action: 'closed', reason: 'position absent at venue' });
      events.push({ type: 'position.closed', at: now, position: toPosition(p), reason: 'reconcile_absent' });
    } else {
      if (Math.abs(v.qty - p.qty) > 1e-9) {
        p.qty = v.qty;
        store.positions.save(p);
        events.push({ type: 'reconcile.mismatch', at: now, symbol: p.symbol, action: 'flagged', reason: 'quantity differed; venue quantity adopted' });
      }
      // A position no desk order opened (a trade made on the venue) has no stop of the desk's: its
      // stop is the venue's, and a venue position without one is reported (hourly, see opts).
      if (p.actorKind === 'system' && p.actorId === 'venue') {
        if (v.stopLoss === null) {
          stopless.add(p.id);
          const last = opts.stoplessReported?.get(p.id);
          if (last === undefined || now - last >= STOPLESS_REPORT_EVERY_MS) {
            opts.stoplessReported?.set(p.id, now);
            events.push({ type: 'reconcile.mismatch', at: now, symbol: p.symbol, action: 'flagged', reason: 'venue position WITHOUT a stop' });
          }
        } else if (Math.abs(v.stopLoss - p.stop) > Math.abs(v.stopLoss) * 1e-9) {
          p.stop = v.stopLoss;
          store.positions.save(p);
          events.push({ type: 'reconcile.mismatch', at: now, symbol: p.symbol, action: 'flagged', reason: 'venue stop adopted' });
        }
      }
    }
    venueBySymbol.delete(p.symbol);
  }
  for (const v of venueBySymbol.values()) {
    // The fill of a desk entry may be on its way to the ledger: not a stranger's position (next pass).
    if (entryPending.has(v.symbol)) continue;
    const id = randomId('p');
    store.positions.open({
      id,
      mode,
      symbol: v.symbol,
      side: v.side,
      qty: v.qty,
      entryPrice: v.entryPrice,
      stop: v.stopLoss ?? v.entryPrice,
      targets: [],
      leverage: v.leverage,
      signalId: null,
      actorKind: 'system',
      actorId: 'venue',
      // Stamped in the venue's time, just after its last change: the fills it already holds (at or
      // before that) are then older than the position and count as audit only, later ones apply,
      // whatever the skew between the venue's clock and the desk's.
      openedAt: v.updatedAt != null ? v.updatedAt + 1 : now,
    });
    events.push({ type: 'reconcile.mismatch', at: now, symbol: v.symbol, action: 'adopted', reason: v.stopLoss ? 'unknown venue position adopted' : 'unknown venue position adopted WITHOUT a stop' });
    if (!v.stopLoss) {
      stopless.add(id);
      opts.stoplessReported?.set(id, now);
    }
  }
  // Only open venue positions without a stop are remembered: a closed one, or one whose stop is back, is forgotten.
  for (const id of [...(opts.stoplessReported?.keys() ?? [])]) if (!stopless.has(id)) opts.stoplessReported!.delete(id);
  return events;
}
