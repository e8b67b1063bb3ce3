import type { Db } from './db.ts';
import type { Actor, Settings } from '../schemas.ts';
import { SettingsSchema } from '../schemas.ts';

/** Settings an actor gets on first contact. */
export const DEFAULT_SETTINGS: Settings = {
  language: 'en',
  alertDetail: 'compact',
  alerts: true,
  subscriptions: [],
  mutedSymbols: [],
  riskPct: null,
};

/** A known actor row. */
export interface ActorRow {
  kind: string;
  id: string;
  role: string;
  firstSeen: number;
  lastSeen: number;
  settings: Settings;
}

/** Actors and their settings; every method is synchronous and throws only on a broken database. */
export class ActorsRepo {
  private readonly touchStmt;
  private readonly getStmt;
  private readonly setStmt;
  private readonly listStmt;
  private readonly byKindStmt;

  /** Prepares the statements on `db`. */
  constructor(db: Db) {
    this.touchStmt = db.prepare(
      `INSERT INTO actors (kind, id, role, settings, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen`,
    );
    this.getStmt = db.prepare('SELECT kind, id, role, settings, first_seen, last_seen FROM actors WHERE kind = ? AND id = ?');
    this.setStmt = db.prepare('UPDATE actors SET settings = ? WHERE kind = ? AND id = ?');
    this.listStmt = db.prepare('SELECT kind, id, role, settings, first_seen, last_seen FROM actors ORDER BY last_seen DESC LIMIT ?');
    this.byKindStmt = db.prepare('SELECT kind, id, role, settings, first_seen, last_seen FROM actors WHERE kind = ?');
  }

  /** Records that `actor` was seen at `now` (creating it with default settings). */
  touch(actor: Actor, now: number): void {
    this.touchStmt.run(actor.kind, actor.id, actor.role, JSON.stringify(DEFAULT_SETTINGS), now, now);
  }

  /** The actor's row, or null. */
  get(kind: string, id: string): ActorRow | null {
    const r = this.getStmt.get(kind, id) as RawActor | undefined;
    return r ? toRow(r) : null;
  }

  /** Replaces the actor's settings. */
  setSettings(kind: string, id: string, settings: Settings): void {
    this.setStmt.run(JSON.stringify(settings), kind, id);
  }

  /** Most recently seen actors. */
  list(limit: number): ActorRow[] {
    return (this.listStmt.all(limit) as RawActor[]).map(toRow);
  }

  /** Every actor of one front-end kind. */
  byKind(kind: string): ActorRow[] {
    return (this.byKindStmt.all(kind) as RawActor[]).map(toRow);
  }
}

interface RawActor {
  kind: string;
  id: string;
  role: string;
  settings: string;
  first_seen: number;
  last_seen: number;
}

function toRow(r: RawActor): ActorRow {
  const parsed = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(JSON.parse(r.settings) as object) });
  return {
    kind: r.kind,
    id: r.id,
    role: r.role,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    settings: parsed.success ? parsed.data : DEFAULT_SETTINGS,
  };
}
