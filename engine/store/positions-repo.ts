import type { Db } from './db.ts';
import type { Transactions } from './transactions.ts';
import { DataVersion } from './data-version.ts';
import type { Position, Side } from '../schemas.ts';

/** A position row as stored (Position minus the live-price fields, plus the initial stop). */
export interface PositionRow extends Omit<Position, 'unrealizedPnl'> {
  initialStop: number;
}

interface RawPosition {
  id: string;
  mode: string;
  symbol: string;
  side: string;
  qty: number;
  initial_qty: number;
  entry_price: number;
  initial_stop: number;
  stop: number;
  targets: string;
  targets_hit: number;
  leverage: number;
  break_even_locked: number;
  signal_id: string | null;
  actor_kind: string;
  actor_id: string;
  opened_at: number;
  closed_at: number | null;
  close_reason: string | null;
  realized_pnl: number;
  fees: number;
  last_price: number | null;
  status: string;
}

/** A closed position as a strategy's track record counts it. */
export interface ClosedTrade {
  id: string;
  /** Realized PnL net of fees, USDT. */
  net: number;
  /** Entry price × the quantity first filled, USDT. */
  notional: number;
}

/** What the repo remembers per mode between writes: the open rows (oldest first) and the realized net. */
interface ModeMemo {
  open: PositionRow[] | null;
  realized: number | null;
}

/**
 * Positions of both ledgers (paper and live never mix: every query names its mode). The open rows and
 * the realized net of each mode are remembered between writes (the closed-bar path reads them for every
 * bar): every write method here moves a generation, another connection's commit moves PRAGMA
 * data_version, and either drops the memo (a foreign commit from the next event-loop turn); nothing is
 * remembered from inside a transaction.
 */
export class PositionsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly strategyStmt;
  private readonly openBySymbolStmt;
  private readonly openStmt;
  private readonly listStmt;
  private readonly updateStmt;
  private readonly closedSinceStmt;
  private readonly closedOfStrategyStmt;
  private readonly lastPriceStmt;
  private readonly realizedStmt;
  /** The connection's data version, read once per event-loop turn (see DataVersion). */
  private readonly versions: DataVersion;
  private generation = 0;
  private memoKey = { generation: -1, dataVersion: -1 };
  private readonly memo = new Map<string, ModeMemo>();
  /** Marks taken by stageMark and not yet committed, by mode, then symbol: every read here applies them. */
  private readonly staged = new Map<string, Map<string, number>>();

  /** Prepares the statements on `db`; `txs` is the connection's transaction runner (a rollback restores the staged marks its writes dropped). */
  constructor(
    private readonly db: Db,
    private readonly txs: Transactions,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO positions (id, mode, symbol, side, qty, initial_qty, entry_price, initial_stop, stop, targets, targets_hit, leverage,
        break_even_locked, signal_id, strategy, actor_kind, actor_id, opened_at, closed_at, close_reason, realized_pnl, fees, last_price, status)
       VALUES (@id, @mode, @symbol, @side, @qty, @initialQty, @entryPrice, @initialStop, @stop, @targets, 0, @leverage, 0, @signalId,
        (SELECT strategy FROM signals WHERE id = @signalId), @actorKind, @actorId, @openedAt, NULL, NULL, 0, 0, @entryPrice, 'open')`,
    );
    this.getStmt = db.prepare('SELECT * FROM positions WHERE id = ?');
    this.strategyStmt = db.prepare('SELECT strategy FROM positions WHERE id = ?').pluck();
    this.openBySymbolStmt = db.prepare(`SELECT * FROM positions WHERE mode = ? AND symbol = ? AND status = 'open'`);
    this.openStmt = db.prepare(`SELECT * FROM positions WHERE mode = ? AND status = 'open' ORDER BY opened_at`);
    this.listStmt = db.prepare(
      `SELECT * FROM positions WHERE mode = ? AND (? = 'all' OR status = ?) ORDER BY COALESCE(closed_at, opened_at) DESC, id DESC LIMIT ?`,
    );
    this.updateStmt = db.prepare(
      `UPDATE positions SET qty = @qty, entry_price = @entryPrice, initial_qty = @initialQty, stop = @stop, targets_hit = @targetsHit,
        break_even_locked = @breakEvenLocked, realized_pnl = @realizedPnl, fees = @fees, last_price = @lastPrice, status = @status,
        closed_at = @closedAt, close_reason = @closeReason WHERE id = @id`,
    );
    this.closedSinceStmt = db.prepare(`SELECT * FROM positions WHERE mode = ? AND status = 'closed' AND closed_at >= ? ORDER BY closed_at`);
    this.closedOfStrategyStmt = db.prepare(
      `SELECT id, realized_pnl - fees AS net, entry_price * initial_qty AS notional FROM positions
       WHERE mode = ? AND status = 'closed' AND strategy = ? ORDER BY closed_at DESC, rowid DESC LIMIT ?`,
    );
    this.lastPriceStmt = db.prepare(`UPDATE positions SET last_price = ? WHERE mode = ? AND symbol = ? AND status = 'open'`);
    this.realizedStmt = db.prepare('SELECT COALESCE(SUM(realized_pnl - fees), 0) AS net FROM positions WHERE mode = ?');
    this.versions = new DataVersion(db);
  }

  /** The memo of `mode` if it may be read and filled now; null inside a transaction whose writes it cannot see. */
  private memoOf(mode: string): ModeMemo | null {
    const dataVersion = this.versions.current();
    if (this.memoKey.generation !== this.generation || this.memoKey.dataVersion !== dataVersion) {
      this.memo.clear();
      if (this.db.inTransaction) return null;
      this.memoKey = { generation: this.generation, dataVersion };
    }
    let m = this.memo.get(mode);
    if (!m) {
      m = { open: null, realized: null };
      this.memo.set(mode, m);
    }
    return m;
  }

  /** The open rows of `mode` as remembered (shared: callers get copies), or fresh from the database. */
  private openRows(mode: string): PositionRow[] {
    const m = this.memoOf(mode);
    if (m?.open) return m.open;
    const rows = (this.openStmt.all(mode) as RawPosition[]).map(toRow);
    for (const p of rows) this.applyStaged(p);
    if (m && !this.db.inTransaction) m.open = rows;
    return rows;
  }

  /** Gives an open row read from the database the mark staged for it, if any; returns the row. */
  private applyStaged(p: PositionRow): PositionRow {
    if (p.status !== 'open') return p;
    const price = this.staged.get(p.mode)?.get(p.symbol);
    if (price !== undefined) p.lastPrice = price;
    return p;
  }

  /** Forgets the staged mark of `symbol` (a position opened or saved there: its row says what is true). */
  private dropStaged(mode: string, symbol: string): void {
    const bySymbol = this.staged.get(mode);
    const price = bySymbol?.get(symbol);
    if (!bySymbol || price === undefined) return;
    bySymbol.delete(symbol);
    // Inside a transaction the write that dropped it may yet be rolled back: then the mark stands again
    // (unless a newer one was staged meanwhile).
    this.txs.onRollback(() => {
      if (!bySymbol.has(symbol)) bySymbol.set(symbol, price);
    });
  }

  /** Opens a position; throws SQLITE_CONSTRAINT_UNIQUE if one is already open on the symbol. */
  open(p: {
    id: string;
    mode: 'paper' | 'live';
    symbol: string;
    side: Side;
    qty: number;
    entryPrice: number;
    stop: number;
    targets: number[];
    leverage: number;
    signalId: string | null;
    actorKind: string;
    actorId: string;
    openedAt: number;
  }): void {
    this.generation++;
    this.insertStmt.run({ ...p, initialQty: p.qty, initialStop: p.stop, targets: JSON.stringify(p.targets) });
    this.dropStaged(p.mode, p.symbol);
  }

  /** One position or null. */
  get(id: string): PositionRow | null {
    const r = this.getStmt.get(id) as RawPosition | undefined;
    return r ? this.applyStaged(toRow(r)) : null;
  }

  /** The strategy of the signal position `id` was opened from; null for an unknown id or a position no signal opened. */
  strategyOf(id: string): string | null {
    return (this.strategyStmt.get(id) as string | null | undefined) ?? null;
  }

  /** The open position on `symbol` in `mode`, or null. */
  openOn(mode: string, symbol: string): PositionRow | null {
    if (this.db.inTransaction) {
      const r = this.openBySymbolStmt.get(mode, symbol) as RawPosition | undefined;
      return r ? this.applyStaged(toRow(r)) : null;
    }
    for (const p of this.openRows(mode)) if (p.symbol === symbol) return copyRow(p);
    return null;
  }

  /** Every open position of `mode`, oldest first. */
  openAll(mode: string): PositionRow[] {
    return this.openRows(mode).map(copyRow);
  }

  /** Every open position of `mode`, oldest first, as read-only rows (no copies: for arithmetic on the hot path). */
  openView(mode: string): readonly Readonly<PositionRow>[] {
    return this.openRows(mode);
  }

  /** How many positions of `mode` are open (no rows copied). */
  openCount(mode: string): number {
    return this.openRows(mode).length;
  }

  /** Positions of `mode` filtered by status, newest first. */
  list(mode: string, status: 'open' | 'closed' | 'all', limit: number): PositionRow[] {
    return (this.listStmt.all(mode, status, status, limit) as RawPosition[]).map((r) => this.applyStaged(toRow(r)));
  }

  /** Writes back the mutable fields of `p`. */
  save(p: PositionRow): void {
    this.generation++;
    this.updateStmt.run({
      id: p.id,
      qty: p.qty,
      entryPrice: p.entryPrice,
      initialQty: p.initialQty,
      stop: p.stop,
      targetsHit: p.targetsHit,
      breakEvenLocked: p.breakEvenLocked ? 1 : 0,
      realizedPnl: p.realizedPnl,
      fees: p.fees,
      lastPrice: p.lastPrice,
      status: p.status,
      closedAt: p.closedAt,
      closeReason: p.closeReason,
    });
    // The row written says what is true now, its lastPrice included (an exit's fill price, or the
    // staged mark it was read with): as if the mark had been written when it was taken.
    this.dropStaged(p.mode, p.symbol);
  }

  /** Positions of `mode` closed at or after `since`, oldest first. */
  closedSince(mode: string, since: number): PositionRow[] {
    return (this.closedSinceStmt.all(mode, since) as RawPosition[]).map(toRow);
  }

  /**
   * The last `limit` (default: all) positions of `mode` closed that were opened from a signal of
   * `strategy`, oldest first, as their net results (one indexed query, no whole rows: auto-demotion
   * reads 30 of them on every close).
   */
  closedTradesOfStrategy(mode: string, strategy: string, limit = -1): ClosedTrade[] {
    return (this.closedOfStrategyStmt.all(mode, strategy, limit) as ClosedTrade[]).reverse();
  }

  /** Marks the last seen price on the open position of `symbol` (for unrealized PnL). */
  markPrice(mode: string, symbol: string, price: number): void {
    this.dropStaged(mode, symbol);
    if (this.db.inTransaction) {
      this.generation++;
      this.lastPriceStmt.run(price, mode, symbol);
      return;
    }
    const open = this.openRows(mode).find((p) => p.symbol === symbol);
    if (!open) return; // no open row on the symbol: the UPDATE would change nothing
    this.lastPriceStmt.run(price, mode, symbol);
    open.lastPrice = price; // the remembered row now says what the database says
  }

  /**
   * Marks the last seen price on the open position of `symbol` for every read of this repo at once,
   * and leaves the row's UPDATE to writeStagedMark (the closed-bar path's group commit), so a burst
   * of bars does not pay one SQLite commit per held symbol. A crash before that commit loses only
   * the mark, which the symbol's next bar sets again. Never throws.
   */
  stageMark(mode: string, symbol: string, price: number): void {
    let bySymbol = this.staged.get(mode);
    if (!bySymbol) this.staged.set(mode, (bySymbol = new Map()));
    bySymbol.set(symbol, price);
    const open = this.memo.get(mode)?.open;
    if (open) for (const p of open) if (p.symbol === symbol) p.lastPrice = price;
  }

  /**
   * Writes the staged mark of `symbol` (inside the caller's transaction) and returns what forgets it
   * once that transaction is committed, so a rolled-back batch leaves the mark staged; null when
   * nothing is staged. Throws what the UPDATE throws.
   */
  writeStagedMark(mode: string, symbol: string): (() => void) | null {
    const price = this.staged.get(mode)?.get(symbol);
    if (price === undefined) return null;
    this.lastPriceStmt.run(price, mode, symbol);
    return () => {
      const bySymbol = this.staged.get(mode);
      if (bySymbol?.get(symbol) === price) bySymbol.delete(symbol);
    };
  }

  /** Sum of realized PnL net of fees over every position of `mode` (open ones included). */
  realizedNet(mode: string): number {
    const m = this.memoOf(mode);
    if (m && m.realized !== null) return m.realized;
    const net = (this.realizedStmt.get(mode) as { net: number }).net;
    if (m && !this.db.inTransaction) m.realized = net;
    return net;
  }
}

function copyRow(p: PositionRow): PositionRow {
  return { ...p, targets: [...p.targets] };
}

function toRow(r: RawPosition): PositionRow {
  return {
    id: r.id,
    mode: r.mode as PositionRow['mode'],
    symbol: r.symbol,
    side: r.side as Side,
    qty: r.qty,
    initialQty: r.initial_qty,
    entryPrice: r.entry_price,
    initialStop: r.initial_stop,
    stop: r.stop,
    targets: JSON.parse(r.targets) as number[],
    targetsHit: r.targets_hit,
    leverage: r.leverage,
    breakEvenLocked: r.break_even_locked === 1,
    signalId: r.signal_id,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    realizedPnl: r.realized_pnl,
    fees: r.fees,
    lastPrice: r.last_price,
    status: r.status as PositionRow['status'],
  };
}
