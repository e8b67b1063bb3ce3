import type { Db } from './db.ts';
import { DataVersion } from './data-version.ts';
import type { Transactions } from './transactions.ts';
import type { Signal } from '../schemas.ts';

interface RawSignal {
  id: string;
  symbol: string;
  interval: string;
  side: string;
  strategy: string;
  score: number;
  score_parts: string;
  entry: number;
  stop: number;
  targets: string;
  bar_time: number;
  created_at: number;
  expires_at: number;
  status: string;
  stage: string;
  regime: string;
}

const COLS = 'id, symbol, interval, side, strategy, score, score_parts, entry, stop, targets, bar_time, created_at, expires_at, status, stage, regime';

/**
 * Lower bounds on what the live signals could expire: the smallest expires_at, and per symbol and
 * interval the smallest bar_time. An insert lowers them; an expiry re-reads the bound it touched. They
 * are read inside transactions too (the connection sees its own writes), so they are dropped whenever
 * another connection commits or a transaction or savepoint on this one is rolled back.
 */
interface LiveBounds {
  dataVersion: number;
  rollbacks: number;
  minExpiresAt: number;
  minBarTime: Map<string, Map<string, number>>;
}

/**
 * Signals; at most one live signal per symbol/side/strategy is enforced by a unique partial index.
 * expire() and expireSeries() run their UPDATE only when a remembered lower bound says a live signal
 * may be due (every signal write goes through this repo; another connection's commit drops the bounds
 * from the next event-loop turn). Methods throw only on a broken database or a violated constraint.
 */
export class SignalsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listLiveStmt;
  private readonly listAllStmt;
  private readonly expireStmt;
  private readonly expireSeriesStmt;
  private readonly countSinceStmt;
  private readonly countLiveStmt;
  /** The connection's data version, read once per event-loop turn (see DataVersion). */
  private readonly versions: DataVersion;
  private readonly boundsStmt;
  private readonly minExpiresStmt;
  private readonly minBarTimeStmt;
  private bounds: LiveBounds | null = null;
  private readonly nextExpiryStmt;
  private writes = 0;
  private liveCount: { n: number; at: number; until: number; writes: number; dataVersion: number } | null = null;

  /** Prepares the statements on `db`; `txs` is the connection's transaction runner (its rollbacks drop the bounds). */
  constructor(
    private readonly db: Db,
    private readonly txs: Transactions,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO signals (${COLS}) VALUES (@id, @symbol, @interval, @side, @strategy, @score, @score_parts, @entry, @stop, @targets,
       @bar_time, @created_at, @expires_at, @status, @stage, @regime) ON CONFLICT DO NOTHING`,
    );
    this.getStmt = db.prepare(`SELECT ${COLS} FROM signals WHERE id = ?`);
    this.listLiveStmt = db.prepare(
      `SELECT ${COLS} FROM signals WHERE status = 'live' AND expires_at > ? AND (? IS NULL OR symbol = ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
    this.listAllStmt = db.prepare(`SELECT ${COLS} FROM signals WHERE (? IS NULL OR symbol = ?) ORDER BY created_at DESC, id DESC LIMIT ?`);
    this.expireStmt = db.prepare(`UPDATE signals SET status = 'expired' WHERE status = 'live' AND expires_at <= ? RETURNING id`);
    this.expireSeriesStmt = db.prepare(
      `UPDATE signals SET status = 'expired' WHERE status = 'live' AND symbol = ? AND interval = ? AND bar_time <= ? RETURNING id`,
    );
    this.countSinceStmt = db.prepare('SELECT COUNT(*) AS n FROM signals WHERE created_at >= ?');
    this.countLiveStmt = db.prepare(`SELECT COUNT(*) AS n FROM signals WHERE status = 'live' AND expires_at > ?`);
    this.versions = new DataVersion(db);
    this.boundsStmt = db.prepare(
      `SELECT symbol, interval, MIN(bar_time) AS bar_time, MIN(expires_at) AS expires_at FROM signals WHERE status = 'live' GROUP BY symbol, interval`,
    );
    this.minExpiresStmt = db.prepare(`SELECT MIN(expires_at) FROM signals WHERE status = 'live'`).pluck();
    this.nextExpiryStmt = db.prepare(`SELECT MIN(expires_at) FROM signals WHERE status = 'live' AND expires_at > ?`).pluck();
    this.minBarTimeStmt = db.prepare(`SELECT MIN(bar_time) FROM signals WHERE status = 'live' AND symbol = ? AND interval = ?`).pluck();
  }

  /** The bounds, re-read when missing, after another connection committed, or after a rollback on this one. */
  private liveBounds(): LiveBounds {
    const dataVersion = this.versions.current();
    const rollbacks = this.txs.rollbacks;
    if (this.bounds && this.bounds.dataVersion === dataVersion && this.bounds.rollbacks === rollbacks) return this.bounds;
    const b: LiveBounds = { dataVersion, rollbacks, minExpiresAt: Number.POSITIVE_INFINITY, minBarTime: new Map() };
    for (const r of this.boundsStmt.all() as { symbol: string; interval: string; bar_time: number; expires_at: number }[]) {
      if (r.expires_at < b.minExpiresAt) b.minExpiresAt = r.expires_at;
      let bySymbol = b.minBarTime.get(r.symbol);
      if (!bySymbol) b.minBarTime.set(r.symbol, (bySymbol = new Map()));
      bySymbol.set(r.interval, r.bar_time);
    }
    this.bounds = b;
    return b;
  }

  /** Inserts `s` unless a live signal for its symbol/side/strategy exists; returns true if inserted. */
  insert(s: Signal): boolean {
    const r = this.insertStmt.run({
      id: s.id,
      symbol: s.symbol,
      interval: s.interval,
      side: s.side,
      strategy: s.strategy,
      score: s.score,
      score_parts: JSON.stringify(s.scoreParts),
      entry: s.entry,
      stop: s.stop,
      targets: JSON.stringify(s.targets),
      bar_time: s.barTime,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      status: s.status,
      stage: s.stage,
      regime: s.regime,
    });
    if (r.changes !== 1) return false;
    this.writes++;
    const b = this.bounds;
    if (b) {
      if (s.expiresAt < b.minExpiresAt) b.minExpiresAt = s.expiresAt;
      let bySymbol = b.minBarTime.get(s.symbol);
      if (!bySymbol) b.minBarTime.set(s.symbol, (bySymbol = new Map()));
      const cur = bySymbol.get(s.interval);
      if (cur === undefined || s.barTime < cur) bySymbol.set(s.interval, s.barTime);
    }
    return true;
  }

  /** One signal or null. */
  get(id: string): Signal | null {
    const r = this.getStmt.get(id) as RawSignal | undefined;
    return r ? toSignal(r) : null;
  }

  /** Live, unexpired signals newest first. */
  listLive(now: number, symbol: string | null, limit: number): Signal[] {
    return (this.listLiveStmt.all(now, symbol, symbol, limit) as RawSignal[]).map(toSignal);
  }

  /** Any signals newest first. */
  listAll(symbol: string | null, limit: number): Signal[] {
    return (this.listAllStmt.all(symbol, symbol, limit) as RawSignal[]).map(toSignal);
  }

  /** False when expire(now) certainly expires nothing (the remembered bound says so); no write. */
  mayExpire(now: number): boolean {
    return now >= this.liveBounds().minExpiresAt;
  }

  /** False when expireSeries(symbol, interval, barTime) certainly expires nothing; no write. */
  mayExpireSeries(symbol: string, interval: string, barTime: number): boolean {
    return barTime >= (this.liveBounds().minBarTime.get(symbol)?.get(interval) ?? Number.POSITIVE_INFINITY);
  }

  /** Marks every live signal past its expiry as expired; returns their ids. */
  expire(now: number): string[] {
    if (!this.mayExpire(now)) return [];
    const b = this.liveBounds();
    const ids = (this.expireStmt.all(now) as { id: string }[]).map((r) => r.id);
    if (ids.length > 0) this.writes++;
    b.minExpiresAt = (this.minExpiresStmt.get() as number | null) ?? Number.POSITIVE_INFINITY;
    return ids;
  }

  /** Expires live signals of one series whose bar started at or before `barTime` (market-time TTL); returns their ids. */
  expireSeries(symbol: string, interval: string, barTime: number): string[] {
    if (!this.mayExpireSeries(symbol, interval, barTime)) return [];
    const bySymbol = this.liveBounds().minBarTime.get(symbol);
    const ids = (this.expireSeriesStmt.all(symbol, interval, barTime) as { id: string }[]).map((r) => r.id);
    if (ids.length > 0) this.writes++;
    if (bySymbol) {
      const min = this.minBarTimeStmt.get(symbol, interval) as number | null;
      if (min === null) bySymbol.delete(interval);
      else bySymbol.set(interval, min);
    }
    return ids;
  }

  /** Signals created at or after `since`. */
  countSince(since: number): number {
    return (this.countSinceStmt.get(since) as { n: number }).n;
  }

  /**
   * Live, unexpired signals. The count is remembered until a write through this repo, another
   * connection's commit, or the next live signal's expiry time (status polls ask it on every call).
   */
  countLive(now: number): number {
    const dataVersion = this.versions.current();
    const c = this.liveCount;
    if (c && c.writes === this.writes && c.dataVersion === dataVersion && now >= c.at && now < c.until && !this.db.inTransaction) return c.n;
    const n = (this.countLiveStmt.get(now) as { n: number }).n;
    if (this.db.inTransaction) return n;
    const next = (this.nextExpiryStmt.get(now) as number | null) ?? Number.POSITIVE_INFINITY;
    this.liveCount = { n, at: now, until: next, writes: this.writes, dataVersion };
    return n;
  }
}

function toSignal(r: RawSignal): Signal {
  const live = r.status === 'live';
  return {
    id: r.id,
    symbol: r.symbol,
    interval: r.interval as Signal['interval'],
    side: r.side as Signal['side'],
    strategy: r.strategy,
    score: r.score,
    scoreParts: JSON.parse(r.score_parts) as Signal['scoreParts'],
    entry: r.entry,
    stop: r.stop,
    targets: JSON.parse(r.targets) as number[],
    barTime: r.bar_time,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    status: (live ? 'live' : r.status) as Signal['status'],
    stage: r.stage as Signal['stage'],
    regime: r.regime,
  };
}
