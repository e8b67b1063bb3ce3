import type { Execution } from './broker.ts';
import type { Store } from '../store/store.ts';
import type { PositionRow } from '../store/positions-repo.ts';
import type { DeskEvent } from '../events.ts';
import type { Position } from '../schemas.ts';
import { randomId } from './ids.ts';

const EPS = 1e-9;

/** Turns a stored position row into the public Position shape (with unrealized PnL at its last price); never throws. */
export function toPosition(p: PositionRow): Position {
  const dir = p.side === 'long' ? 1 : -1;
  const unrealized = p.status === 'open' && p.lastPrice !== null ? (p.lastPrice - p.entryPrice) * p.qty * dir : null;
  return {
    id: p.id,
    mode: p.mode,
    symbol: p.symbol,
    side: p.side,
    qty: p.qty,
    initialQty: p.initialQty,
    entryPrice: p.entryPrice,
    stop: p.stop,
    targets: p.targets,
    targetsHit: p.targetsHit,
    leverage: p.leverage,
    breakEvenLocked: p.breakEvenLocked,
    signalId: p.signalId,
    actorKind: p.actorKind,
    actorId: p.actorId,
    openedAt: p.openedAt,
    closedAt: p.closedAt,
    closeReason: p.closeReason,
    realizedPnl: p.realizedPnl,
    fees: p.fees,
    lastPrice: p.lastPrice,
    unrealizedPnl: unrealized,
    status: p.status,
  };
}

/**
 * The exec id of a fill reconciliation recorded from an order's cumulative numbers (its venue
 * executions were not listed yet); never throws.
 */
export function recoveredExecId(orderLinkId: string): string {
  return `recon-${orderLinkId}`;
}

/**
 * How far the venue's clock may run ahead of the desk's (Bybit refuses requests 5 s off its time): a
 * stand-in is stamped with the venue's time of its order's last change when the venue gave one, with
 * the desk's clock otherwise.
 */
const VENUE_CLOCK_SLACK_MS = 5_000;

/**
 * Records `e` in place of the part of its order's recovered fill that it accounts for, and returns
 * true; false (nothing written) when `e` is not such an execution. A recovered fill stands for the
 * executions the venue had made when reconciliation read the order's totals (stamped then), so the
 * venue's own executions from before that time, listed later in venue order, take its place quantity
 * for quantity (their fee joins the position, as the stand-in had none) instead of counting a second
 * time; a later execution of the order is new.
 */
function replacesRecovered(store: Store, mode: 'paper' | 'live', e: Execution): boolean {
  if (!e.orderLinkId) return false;
  const id = recoveredExecId(e.orderLinkId);
  if (e.execId === id) return false;
  const standIn = store.orders.fillOf(id);
  if (!standIn || standIn.qty < e.qty * (1 - 1e-9) || e.at > standIn.at + VENUE_CLOCK_SLACK_MS) return false;
  const left = standIn.qty - e.qty;
  store.orders.setFillQty(id, left > standIn.qty * 1e-9 ? left : 0);
  store.orders.addFill({ ...e, mode, positionId: standIn.positionId });
  const pos = e.fee !== 0 && standIn.positionId ? store.positions.get(standIn.positionId) : null;
  if (pos) {
    pos.fees += e.fee;
    store.positions.save(pos);
  }
  return true;
}

/**
 * Applies one venue execution to the ledger in ONE transaction: the fill row (idempotent by exec id),
 * the position it opens, grows or reduces, and the order's status. Returns the events to emit after
 * commit (none for a duplicate, for an execution older than the symbol's open position and not of the
 * order that opened it, which is only recorded, nor for one that replaces part of a fill
 * reconciliation recovered for its order: see replacesRecovered). Throws only on a broken database
 * (the transaction rolls back whole).
 */
export function applyExecution(
  store: Store,
  mode: 'paper' | 'live',
  e: Execution,
  opts: { cooldownMs: number },
): DeskEvent[] {
  return store.tx(() => {
    if (store.orders.hasFill(e.execId) || replacesRecovered(store, mode, e)) return [];
    const events: DeskEvent[] = [];
    const order = e.orderLinkId ? store.orders.byLinkId(e.orderLinkId) : null;
    let pos = store.positions.openOn(mode, e.symbol);
    if (pos && e.at < pos.openedAt && order?.positionId !== pos.id && !store.orders.positionHasOrderBy(pos.id, e.orderId, pos.openedAt)) {
      // Older than the open position and not of the order that opened it (a catch-up reads weeks
      // back): it belonged to an earlier position of the symbol, or to what an adopted position
      // already holds. Kept for the audit trail only. (An earlier fill of the opening order, delivered
      // late, still counts.)
      store.orders.addFill({ ...e, mode, positionId: null });
      return [];
    }
    if (!e.reduceOnly) {
      if (pos && pos.side === e.side) {
        const qty = pos.qty + e.qty;
        pos.entryPrice = (pos.entryPrice * pos.qty + e.price * e.qty) / qty;
        pos.qty = qty;
        pos.initialQty = Math.max(pos.initialQty, qty);
        pos.fees += e.fee;
        pos.lastPrice = e.price;
        store.positions.save(pos);
      } else if (!pos) {
        const id = randomId('p');
        store.positions.open({
          id,
          mode,
          symbol: e.symbol,
          side: e.side,
          qty: e.qty,
          entryPrice: e.price,
          stop: order?.stop ?? (e.side === 'long' ? e.price * 0.95 : e.price * 1.05),
          targets: order?.targets ?? [],
          leverage: order?.leverage ?? 1,
          signalId: order?.signalId ?? null,
          actorKind: order?.actorKind ?? 'system',
          actorId: order?.actorId ?? 'venue',
          openedAt: e.at,
        });
        pos = store.positions.get(id)!;
        pos.fees = e.fee;
        store.positions.save(pos);
        events.push({ type: 'position.opened', at: e.at, position: toPosition(pos) });
      } else {
        // An entry against an opposite open position: treat as a reduce (one-way mode nets).
        return applyReduce(store, mode, pos, e, order?.id ?? null, events, opts);
      }
      store.orders.addFill({ ...e, mode, orderId: e.orderId, positionId: pos.id });
      if (order) store.orders.setStatus(order.id, 'filled', e.at, { venueOrderId: e.orderId, positionId: pos.id });
      events.push(filledEvent(e, order?.actorKind ?? 'system', order?.actorId ?? 'venue'));
      return events;
    }
    if (!pos) {
      // A reduce with nothing open: record the fill for the audit trail, change nothing else.
      store.orders.addFill({ ...e, mode, positionId: null });
      if (order) store.orders.setStatus(order.id, 'filled', e.at, { venueOrderId: e.orderId });
      events.push(filledEvent(e, order?.actorKind ?? 'system', order?.actorId ?? 'venue'));
      return events;
    }
    return applyReduce(store, mode, pos, e, order?.id ?? null, events, opts);
  });
}

function applyReduce(
  store: Store,
  mode: 'paper' | 'live',
  pos: PositionRow,
  e: Execution,
  orderId: string | null,
  events: DeskEvent[],
  opts: { cooldownMs: number },
): DeskEvent[] {
  const closed = reduceFill(pos, e.qty, e.price, e.fee, e.kind);
  if (closed) {
    pos.status = 'closed';
    pos.closedAt = e.at;
    pos.closeReason = e.kind;
    if (stopOutCools(pos, e.kind, opts.cooldownMs)) store.risk.setCooldown(mode, pos.symbol, e.at + opts.cooldownMs);
  }
  store.positions.save(pos);
  store.orders.addFill({ ...e, mode, positionId: pos.id });
  if (orderId) store.orders.setStatus(orderId, 'filled', e.at, { venueOrderId: e.orderId, positionId: pos.id });
  events.push(filledEvent(e, pos.actorKind, pos.actorId));
  if (closed) events.push({ type: 'position.closed', at: e.at, position: toPosition(pos), reason: e.kind });
  else events.push({ type: 'position.updated', at: e.at, position: toPosition(pos), change: e.kind === 'target' ? 'target' : 'partial_close' });
  return events;
}

/** The part of a position a reduce fill changes (the ledger's rows and the fast backtest's positions). */
export interface ReduciblePosition {
  side: 'long' | 'short';
  qty: number;
  entryPrice: number;
  realizedPnl: number;
  fees: number;
  lastPrice: number | null;
  targetsHit: number;
  targets: readonly number[];
}

/**
 * Applies a reduce fill of `fillQty` at `price` (fee `fee`) to `p` in place: realized PnL on the
 * quantity actually closed, fees, remaining quantity, last price, targets hit. Returns true when the
 * position is now flat (its qty set to 0). Pure arithmetic; never throws.
 */
export function reduceFill(p: ReduciblePosition, fillQty: number, price: number, fee: number, kind: string): boolean {
  const qty = Math.min(p.qty, fillQty);
  const dir = p.side === 'long' ? 1 : -1;
  p.realizedPnl += (price - p.entryPrice) * qty * dir;
  p.fees += fee;
  p.qty = Number((p.qty - qty).toFixed(12));
  p.lastPrice = price;
  if (kind === 'target') p.targetsHit = Math.min(p.targets.length, p.targetsHit + 1);
  if (p.qty > EPS) return false;
  p.qty = 0;
  return true;
}

/** True when a position just closed by `kind` starts a cooldown: a losing stop-out with a cooldown configured. */
export function stopOutCools(p: Pick<ReduciblePosition, 'realizedPnl' | 'fees'>, kind: string, cooldownMs: number): boolean {
  return kind === 'stop' && p.realizedPnl - p.fees < 0 && cooldownMs > 0;
}

function filledEvent(e: Execution, actorKind: string, actorId: string): DeskEvent {
  return { type: 'order.filled', at: e.at, orderId: e.orderId, actorKind, actorId, symbol: e.symbol, side: e.side, qty: e.qty, price: e.price, reduceOnly: e.reduceOnly };
}
