import type { Db } from './db.ts';

/**
 * Runs functions in SQLite transactions on one connection through one prepared better-sqlite3
 * transaction function (building a new one per call costs more than a small write), nested calls
 * becoming savepoints. It counts rollbacks, so repositories that remember rows can trust what they
 * read inside a transaction until one is undone.
 */
export class Transactions {
  private readonly run;
  private undone = 0;

  /** Prepares the transaction function on `db`; throws only on a closed connection. */
  constructor(db: Db) {
    this.run = db.transaction((fn: () => unknown) => fn());
  }

  /** Transactions and savepoints rolled back so far (a memo taken before a rollback may hold undone rows). */
  get rollbacks(): number {
    return this.undone;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT (a savepoint when nested); rethrows what `fn` or the COMMIT throws, after the rollback. */
  immediate<T>(fn: () => T): T {
    try {
      return this.run.immediate(fn) as T;
    } catch (err) {
      this.undone++;
      throw err;
    }
  }
}
