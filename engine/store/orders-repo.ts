import type { Db } from './db.ts';
import type { Quote } from '../market/types.ts';
import type { Side } from '../schemas.ts';

/** An order row. */
export interface OrderRow {
  id: string;
  mode: 'paper' | 'live';
  orderLinkId: string;
  venueOrderId: string | null;
  signalId: string | null;
  positionId: string | null;
  actorKind: string;
  actorId: string;
  symbol: string;
  side: Side;
  qty: number;
  type: 'Market' | 'Limit';
  price: number | null;
  reduceOnly: boolean;
  stop: number | null;
  targets: number[];
  leverage: number;
  quoteId: number | null;
  status: 'submitting' | 'accepted' | 'filled' | 'rejected' | 'cancelled' | 'unknown';
  errorCode: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A fill row. */
export interface FillRow {
  execId: string;
  mode: 'paper' | 'live';
  orderId: string;
  orderLinkId: string;
  positionId: string | null;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  fee: number;
  kind: string;
  quoteId: number | null;
  at: number;
}

interface RawOrder {
  id: string;
  mode: string;
  order_link_id: string;
  venue_order_id: string | null;
  signal_id: string | null;
  position_id: string | null;
  actor_kind: string;
  actor_id: string;
  symbol: string;
  side: string;
  qty: number;
  type: string;
  price: number | null;
  reduce_only: number;
  stop: number | null;
  targets: string;
  leverage: number;
  quote_id: number | null;
  status: string;
  error_code: string | null;
  created_at: number;
  updated_at: number;
}

/** Quote snapshots, orders and fills: the money trail. Synchronous; throws on constraint violations. */
export class OrdersRepo {
  private readonly quoteStmt;
  private readonly getQuoteStmt;
  private readonly insertStmt;
  private readonly byLinkStmt;
  private readonly byIdStmt;
  private readonly statusStmt;
  private readonly inflightStmt;
  private readonly inflightClosesStmt;
  private readonly filledByLinkStmt;
  private readonly byStatusStmt;
  private readonly fillStmt;
  private readonly fillExistsStmt;
  private readonly lastFillAtStmt;
  private readonly fillOfStmt;
  private readonly positionOrderStmt;
  private readonly setFillQtyStmt;
  private readonly deleteFillStmt;
  private readonly fillsByPosStmt;
  private readonly entriesSinceStmt;
  private readonly entryNotionalStmt;

  /** Prepares the statements on `db`. */
  constructor(db: Db) {
    this.quoteStmt = db.prepare('INSERT INTO quotes (symbol, bid, ask, last, mark, ts, source, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.getQuoteStmt = db.prepare('SELECT id, symbol, bid, ask, last, mark, ts, source FROM quotes WHERE id = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO orders (id, mode, order_link_id, venue_order_id, signal_id, position_id, actor_kind, actor_id, symbol, side, qty, type, price,
        reduce_only, stop, targets, leverage, quote_id, status, error_code, created_at, updated_at)
       VALUES (@id, @mode, @orderLinkId, NULL, @signalId, @positionId, @actorKind, @actorId, @symbol, @side, @qty, @type, @price,
        @reduceOnly, @stop, @targets, @leverage, @quoteId, 'submitting', NULL, @now, @now)`,
    );
    this.byLinkStmt = db.prepare('SELECT * FROM orders WHERE order_link_id = ?');
    this.byIdStmt = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.statusStmt = db.prepare(
      'UPDATE orders SET status = ?, venue_order_id = COALESCE(?, venue_order_id), error_code = ?, position_id = COALESCE(?, position_id), updated_at = ? WHERE id = ?',
    );
    this.inflightStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM orders WHERE mode = ? AND symbol = ? AND reduce_only = 0 AND status IN ('submitting','accepted','unknown')`,
    );
    this.inflightClosesStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM orders WHERE position_id = ? AND reduce_only = 1
       AND (status = 'submitting' OR (status IN ('accepted','unknown') AND updated_at > ?))`,
    );
    this.filledByLinkStmt = db.prepare('SELECT COALESCE(SUM(qty), 0) AS q FROM fills WHERE order_link_id = ?');
    this.byStatusStmt = db.prepare('SELECT * FROM orders WHERE mode = ? AND status = ? ORDER BY created_at');
    this.fillStmt = db.prepare(
      `INSERT INTO fills (exec_id, mode, order_id, order_link_id, position_id, symbol, side, qty, price, fee, kind, quote_id, at)
       VALUES (@execId, @mode, @orderId, @orderLinkId, @positionId, @symbol, @side, @qty, @price, @fee, @kind, @quoteId, @at)`,
    );
    this.fillExistsStmt = db.prepare('SELECT 1 FROM fills WHERE exec_id = ?');
    this.lastFillAtStmt = db.prepare('SELECT MAX(at) FROM fills WHERE mode = ?').pluck();
    this.positionOrderStmt = db.prepare('SELECT 1 FROM fills WHERE position_id = ? AND order_id = ? AND at <= ? LIMIT 1');
    this.fillOfStmt = db.prepare('SELECT qty, position_id AS positionId, at FROM fills WHERE exec_id = ?');
    this.setFillQtyStmt = db.prepare('UPDATE fills SET qty = ? WHERE exec_id = ?');
    this.deleteFillStmt = db.prepare('DELETE FROM fills WHERE exec_id = ?');
    this.fillsByPosStmt = db.prepare('SELECT * FROM fills WHERE position_id = ? ORDER BY at, exec_id');
    this.entryNotionalStmt = db.prepare(
      `SELECT COALESCE(SUM(f.qty * f.price), 0) AS n FROM fills f JOIN orders o ON o.order_link_id = f.order_link_id
       WHERE o.mode = ? AND o.actor_kind = ? AND o.actor_id = ? AND o.reduce_only = 0 AND f.at >= ?`,
    );
    this.entriesSinceStmt = db.prepare(`SELECT COUNT(*) AS n FROM orders WHERE mode = ? AND reduce_only = 0 AND status = 'filled' AND created_at >= ?`);
  }

  /** Stores a quote snapshot taken at `takenAt`; returns its id. */
  addQuote(q: Quote, takenAt: number): number {
    return Number(this.quoteStmt.run(q.symbol, q.bid, q.ask, q.last, q.mark, q.ts, q.source, takenAt).lastInsertRowid);
  }

  /** A stored quote snapshot, or null. */
  getQuote(id: number): (Quote & { id: number }) | null {
    return (this.getQuoteStmt.get(id) as (Quote & { id: number }) | undefined) ?? null;
  }

  /** Inserts an order in status 'submitting'; throws SQLITE_CONSTRAINT_UNIQUE on a duplicate orderLinkId. */
  insert(o: Omit<OrderRow, 'venueOrderId' | 'status' | 'errorCode' | 'createdAt' | 'updatedAt'>, now: number): void {
    this.insertStmt.run({ ...o, reduceOnly: o.reduceOnly ? 1 : 0, targets: JSON.stringify(o.targets), now });
  }

  /** The order with this orderLinkId, or null. */
  byLinkId(orderLinkId: string): OrderRow | null {
    const r = this.byLinkStmt.get(orderLinkId) as RawOrder | undefined;
    return r ? toOrder(r) : null;
  }

  /** The order with this desk id, or null. */
  byId(id: string): OrderRow | null {
    const r = this.byIdStmt.get(id) as RawOrder | undefined;
    return r ? toOrder(r) : null;
  }

  /** Sets an order's status (and optionally venue id, error code, position). */
  setStatus(id: string, status: OrderRow['status'], now: number, extra: { venueOrderId?: string; errorCode?: string; positionId?: string } = {}): void {
    this.statusStmt.run(status, extra.venueOrderId ?? null, extra.errorCode ?? null, extra.positionId ?? null, now, id);
  }

  /** Entry orders on `symbol` not yet settled (submitting, accepted or unknown). */
  inflightEntries(mode: string, symbol: string): number {
    return (this.inflightStmt.get(mode, symbol) as { n: number }).n;
  }

  /**
   * Reduce-only orders of position `positionId` still being placed: submitting, or accepted / unknown
   * and touched after `since` (an older one is left to reconciliation, so it never blocks for good).
   */
  inflightCloses(positionId: string, since: number): number {
    return (this.inflightClosesStmt.get(positionId, since) as { n: number }).n;
  }

  /** Quantity recorded as filled for `orderLinkId` over all its fills (0 when none). */
  filledQtyOf(orderLinkId: string): number {
    return (this.filledByLinkStmt.get(orderLinkId) as { q: number }).q;
  }

  /** Orders of one mode in one status, oldest first. */
  byStatus(mode: string, status: OrderRow['status']): OrderRow[] {
    return (this.byStatusStmt.all(mode, status) as RawOrder[]).map(toOrder);
  }

  /** USDT notional of entry fills of orders placed by one actor, filled at or after `since`. */
  entryNotional(mode: string, actorKind: string, actorId: string, since: number): number {
    return (this.entryNotionalStmt.get(mode, actorKind, actorId, since) as { n: number }).n;
  }

  /** Filled entry orders created at or after `since`. */
  entriesSince(mode: string, since: number): number {
    return (this.entriesSinceStmt.get(mode, since) as { n: number }).n;
  }

  /** Time (the venue's, epoch ms) of the newest fill recorded in `mode`; null when there is none. */
  lastFillAt(mode: string): number | null {
    return (this.lastFillAtStmt.get(mode) as number | null) ?? null;
  }

  /** True when position `positionId` holds a fill of venue order `orderId` made at or before `at` (the order that opened it, when `at` is its opening time). */
  positionHasOrderBy(positionId: string, orderId: string, at: number): boolean {
    return this.positionOrderStmt.get(positionId, orderId, at) !== undefined;
  }

  /** The quantity, position and time of the fill `execId`; null when there is no such fill. */
  fillOf(execId: string): { qty: number; positionId: string | null; at: number } | null {
    return (this.fillOfStmt.get(execId) as { qty: number; positionId: string | null; at: number } | undefined) ?? null;
  }

  /** Sets the quantity of the fill `execId`, deleting the row when `qty` is not positive; a missing fill is a no-op. */
  setFillQty(execId: string, qty: number): void {
    if (qty > 0) this.setFillQtyStmt.run(qty, execId);
    else this.deleteFillStmt.run(execId);
  }

  /** True if an execution with this id was already recorded (fills are idempotent by exec id). */
  hasFill(execId: string): boolean {
    return this.fillExistsStmt.get(execId) !== undefined;
  }

  /** Records one fill. */
  addFill(f: FillRow): void {
    this.fillStmt.run(f);
  }

  /** Fills of a position in order. */
  fillsOf(positionId: string): FillRow[] {
    return (this.fillsByPosStmt.all(positionId) as Record<string, unknown>[]).map((r) => ({
      execId: r.exec_id as string,
      mode: r.mode as FillRow['mode'],
      orderId: r.order_id as string,
      orderLinkId: r.order_link_id as string,
      positionId: r.position_id as string | null,
      symbol: r.symbol as string,
      side: r.side as Side,
      qty: r.qty as number,
      price: r.price as number,
      fee: r.fee as number,
      kind: r.kind as string,
      quoteId: r.quote_id as number | null,
      at: r.at as number,
    }));
  }
}

function toOrder(r: RawOrder): OrderRow {
  return {
    id: r.id,
    mode: r.mode as OrderRow['mode'],
    orderLinkId: r.order_link_id,
    venueOrderId: r.venue_order_id,
    signalId: r.signal_id,
    positionId: r.position_id,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    symbol: r.symbol,
    side: r.side as Side,
    qty: r.qty,
    type: r.type as OrderRow['type'],
    price: r.price,
    reduceOnly: r.reduce_only === 1,
    stop: r.stop,
    targets: JSON.parse(r.targets) as number[],
    leverage: r.leverage,
    quoteId: r.quote_id,
    status: r.status as OrderRow['status'],
    errorCode: r.error_code,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
