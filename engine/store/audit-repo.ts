import type { Db } from './db.ts';
import type { Actor } from '../schemas.ts';

/** One audit entry. */
export interface AuditEntry {
  seq: number;
  at: number;
  actorKind: string;
  actorId: string;
  action: string;
  outcome: string;
  detail: Record<string, unknown>;
}

/** The append-only audit log (UPDATE and DELETE are refused by triggers). */
export class AuditRepo {
  private readonly addStmt;
  private readonly recentStmt;

  /** Prepares the statements on `db`. */
  constructor(db: Db) {
    this.addStmt = db.prepare('INSERT INTO audit (at, actor_kind, actor_id, action, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)');
    this.recentStmt = db.prepare('SELECT seq, at, actor_kind, actor_id, action, outcome, detail FROM audit ORDER BY seq DESC LIMIT ?');
  }

  /** Appends one entry; `detail` must hold no secrets (callers pass ids, codes and numbers only). */
  add(at: number, actor: Pick<Actor, 'kind' | 'id'>, action: string, outcome: string, detail: Record<string, unknown> = {}): void {
    this.addStmt.run(at, actor.kind, actor.id, action, outcome, JSON.stringify(detail));
  }

  /** The newest entries first. */
  recent(limit: number): AuditEntry[] {
    return (this.recentStmt.all(limit) as { seq: number; at: number; actor_kind: string; actor_id: string; action: string; outcome: string; detail: string }[]).map(
      (r) => ({ seq: r.seq, at: r.at, actorKind: r.actor_kind, actorId: r.actor_id, action: r.action, outcome: r.outcome, detail: JSON.parse(r.detail) as Record<string, unknown> }),
    );
  }
}
