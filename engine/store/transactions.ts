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
  /** Undo hooks per open level (0: the outermost transaction), run if that level rolls back. */
  private readonly undo: (() => void)[][] = [];

  /** Prepares the transaction function on `db`; throws only on a closed connection. */
  constructor(db: Db) {
    this.run = db.transaction((fn: () => unknown) => fn());
  }

  /** Transactions and savepoints rolled back so far (a memo taken before a rollback may hold undone rows). */
  get rollbacks(): number {
    return this.undone;
  }

  /**
   * Runs `fn` if the innermost transaction or savepoint open through this runner rolls back (a
   * savepoint that is released hands its hooks to the level around it); a no-op when none is open.
   * For in-memory state a write changed: the database undoes itself, the hook undoes the rest.
   */
  onRollback(fn: () => void): void {
    this.undo[this.undo.length - 1]?.push(fn);
  }

  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT (a savepoint when nested); rethrows what `fn` or the COMMIT throws, after the rollback and its undo hooks (latest first; a failing hook is skipped). */
  immediate<T>(fn: () => T): T {
    this.undo.push([]);
    let result: T;
    try {
      result = this.run.immediate(fn) as T;
    } catch (err) {
      this.undone++;
      const hooks = this.undo.pop() ?? [];
      for (let i = hooks.length - 1; i >= 0; i--) {
        try {
          hooks[i]!();
        } catch {
          // An undo hook must not hide the error that rolled the transaction back.
        }
      }
      throw err;
    }
    const released = this.undo.pop() ?? [];
    const parent = this.undo[this.undo.length - 1];
    if (parent) for (const h of released) parent.push(h);
    return result;
  }
}
