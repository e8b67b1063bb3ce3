import type { Db } from './db.ts';

/** Outcome of one check-and-count. */
export interface LimitHit {
  allowed: boolean;
  used: number;
  max: number;
  resetAt: number;
}

/**
 * Fixed-window per-actor rate limits, checked AND counted by one SQL statement (an upsert whose
 * update only happens below the limit), so concurrent callers can never overshoot.
 */
export class LimitsRepo {
  private readonly hitStmt;
  private readonly peekStmt;

  /** Prepares the statements on `db`. */
  constructor(db: Db) {
    this.hitStmt = db.prepare(
      `INSERT INTO rate_limits (actor_key, name, window_start, count) VALUES (?, ?, ?, 1)
       ON CONFLICT (actor_key, name) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
         window_start = excluded.window_start
       WHERE rate_limits.window_start <> excluded.window_start OR rate_limits.count < ?
       RETURNING count`,
    );
    this.peekStmt = db.prepare('SELECT window_start, count FROM rate_limits WHERE actor_key = ? AND name = ?');
  }

  /**
   * Counts one use of limit `name` for `actorKey` in the window starting at `windowStart` if fewer
   * than `max` were used; returns whether it was allowed and the usage after the call.
   */
  hit(actorKey: string, name: string, windowStart: number, windowMs: number, max: number): LimitHit {
    const resetAt = windowStart + windowMs;
    if (max <= 0) return { allowed: false, used: 0, max, resetAt };
    const row = this.hitStmt.get(actorKey, name, windowStart, max) as { count: number } | undefined;
    if (row) return { allowed: true, used: row.count, max, resetAt };
    return { allowed: false, used: max, max, resetAt };
  }

  /** Usage of limit `name` in the current window, without counting. */
  peek(actorKey: string, name: string, windowStart: number, windowMs: number, max: number): LimitHit {
    const row = this.peekStmt.get(actorKey, name) as { window_start: number; count: number } | undefined;
    const used = row && row.window_start === windowStart ? row.count : 0;
    return { allowed: used < max, used, max, resetAt: windowStart + windowMs };
  }
}
