import type { Db } from './db.ts';

/**
 * PRAGMA data_version (it moves when another connection commits), read at most once per event-loop
 * turn: on a WAL file each read opens a read transaction (~2 µs), and the closed-bar path asks several
 * times per bar. Another connection's commit is therefore seen from the next turn on. Repositories
 * that remember rows between writes compare it to drop their memo.
 */
export class DataVersion {
  private readonly stmt;
  private version = -1;
  private fresh = false;

  /** Prepares the probe on `db`; throws only on a broken connection. */
  constructor(db: Db) {
    this.stmt = db.prepare('PRAGMA data_version').pluck();
  }

  /** The current data version (at most one read per event-loop turn); throws only on a broken connection. */
  current(): number {
    if (!this.fresh) {
      this.version = this.stmt.get() as number;
      this.fresh = true;
      setImmediate(() => {
        this.fresh = false;
      }).unref();
    }
    return this.version;
  }
}
