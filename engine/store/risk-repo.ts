import type { Db } from './db.ts';
import { DataVersion } from './data-version.ts';

/** The desk-wide risk controls. */
export interface RiskState {
  entriesPaused: boolean;
  killSwitch: boolean;
  breakerTripped: boolean;
  dayStart: number;
  dayStartEquity: number;
  reason: string | null;
  updatedAt: number;
}

/**
 * Risk controls, cooldowns and strategy stages; synchronous. The risk state and the stages are
 * remembered between writes (the closed-bar path reads them for every bar and every draft): a write
 * method here or another connection's commit (PRAGMA data_version, seen from the next event-loop turn)
 * drops them; nothing is remembered from inside a transaction. Methods throw only on a broken database.
 */
export class RiskRepo {
  private readonly getStmt;
  private readonly setFlagsStmt;
  private readonly setDayStmt;
  private readonly cooldownSetStmt;
  private readonly cooldownGetStmt;
  private readonly stageGetStmt;
  private readonly stageSetStmt;
  /** The connection's data version, read once per event-loop turn (see DataVersion). */
  private readonly versions: DataVersion;
  private generation = 0;
  private memoKey = { generation: -1, dataVersion: -1 };
  private memoState: RiskState | null = null;
  private memoStages: Map<string, { stage: 'live' | 'shadow'; changedAt: number; reason: string }> | null = null;

  /** Prepares the statements on `db`. */
  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT * FROM risk_state WHERE id = 1');
    this.setFlagsStmt = db.prepare(
      'UPDATE risk_state SET entries_paused = ?, kill_switch = ?, breaker_tripped = ?, reason = ?, updated_at = ? WHERE id = 1',
    );
    this.setDayStmt = db.prepare('UPDATE risk_state SET day_start = ?, day_start_equity = ?, breaker_tripped = 0, updated_at = ? WHERE id = 1');
    this.cooldownSetStmt = db.prepare(
      'INSERT INTO cooldowns (mode, symbol, until) VALUES (?, ?, ?) ON CONFLICT (mode, symbol) DO UPDATE SET until = MAX(until, excluded.until)',
    );
    this.cooldownGetStmt = db.prepare('SELECT until FROM cooldowns WHERE mode = ? AND symbol = ?');
    this.stageGetStmt = db.prepare('SELECT name, stage, changed_at, reason FROM strategy_stages');
    this.stageSetStmt = db.prepare(
      'INSERT INTO strategy_stages (name, stage, changed_at, reason) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET stage = excluded.stage, changed_at = excluded.changed_at, reason = excluded.reason',
    );
    this.versions = new DataVersion(db);
  }

  /** True when the memo may be read (and filled, outside a transaction); drops it when anything wrote since. */
  private memoValid(): boolean {
    const dataVersion = this.versions.current();
    if (this.memoKey.generation === this.generation && this.memoKey.dataVersion === dataVersion) return true;
    this.memoState = null;
    this.memoStages = null;
    if (this.db.inTransaction) return false;
    this.memoKey = { generation: this.generation, dataVersion };
    return true;
  }

  /** The current risk state. */
  get(): RiskState {
    const ok = this.memoValid();
    if (ok && this.memoState) return { ...this.memoState };
    const state = this.read();
    if (ok && !this.db.inTransaction) this.memoState = { ...state };
    return state;
  }

  private read(): RiskState {
    const r = this.getStmt.get() as Record<string, number | string | null>;
    return {
      entriesPaused: r.entries_paused === 1,
      killSwitch: r.kill_switch === 1,
      breakerTripped: r.breaker_tripped === 1,
      dayStart: r.day_start as number,
      dayStartEquity: r.day_start_equity as number,
      reason: (r.reason as string | null) ?? null,
      updatedAt: r.updated_at as number,
    };
  }

  /** Sets the three flags at once. */
  setFlags(f: { entriesPaused: boolean; killSwitch: boolean; breakerTripped: boolean }, reason: string | null, now: number): void {
    this.generation++;
    this.setFlagsStmt.run(f.entriesPaused ? 1 : 0, f.killSwitch ? 1 : 0, f.breakerTripped ? 1 : 0, reason, now);
  }

  /** Starts a new UTC day: records its start equity and clears the breaker. */
  rollDay(dayStart: number, equity: number, now: number): void {
    this.generation++;
    this.setDayStmt.run(dayStart, equity, now);
  }

  /** Blocks new entries on `symbol` until `until`. */
  setCooldown(mode: string, symbol: string, until: number): void {
    this.cooldownSetStmt.run(mode, symbol, until);
  }

  /** The cooldown end for `symbol`, or 0. */
  cooldownUntil(mode: string, symbol: string): number {
    return (this.cooldownGetStmt.get(mode, symbol) as { until: number } | undefined)?.until ?? 0;
  }

  /** Stored strategy stages (strategies absent here use the configured default). */
  stages(): Map<string, { stage: 'live' | 'shadow'; changedAt: number; reason: string }> {
    const ok = this.memoValid();
    let m = ok ? this.memoStages : null;
    if (!m) {
      m = new Map();
      for (const r of this.stageGetStmt.all() as { name: string; stage: 'live' | 'shadow'; changed_at: number; reason: string }[]) {
        m.set(r.name, { stage: r.stage, changedAt: r.changed_at, reason: r.reason });
      }
      if (ok && !this.db.inTransaction) this.memoStages = m;
    }
    const out = new Map<string, { stage: 'live' | 'shadow'; changedAt: number; reason: string }>();
    for (const [k, v] of m) out.set(k, { ...v });
    return out;
  }

  /** Records a strategy's stage change. */
  setStage(name: string, stage: 'live' | 'shadow', now: number, reason: string): void {
    this.generation++;
    this.stageSetStmt.run(name, stage, now, reason);
  }
}
