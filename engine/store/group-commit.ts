import type { Store } from './store.ts';

/** One queued write: runs inside the group transaction and returns what to do once it is committed. */
export type GroupWrite = () => (() => void) | void;

/**
 * Group commit for the closed-bar path: writes queued during one event-loop turn run together in ONE
 * SQLite transaction at the end of the turn (setImmediate), and their after-commit callbacks (event
 * emission) run only once that transaction is committed. On a WAL file a commit costs 20-70 µs of
 * syscalls, so a burst of 200 closed bars with 120 new signals pays for one commit instead of 240.
 * Writes are keyed (by symbol): queueing a key that is already pending flushes first, so one series'
 * writes never reorder. A batch also commits once its oldest urgent write has waited `maxWaitMs`, or
 * once it holds `maxUrgent` urgent writes (checked as writes come in, and by flushIfDue), so a burst
 * that takes long to process, or that signals on many symbols, does not hold back what was computed
 * early in it. If the batch fails (a write throws, or the COMMIT), it is rolled back whole and
 * every write is run again in its own transaction, so one bad write loses only itself; each failure is
 * reported to `onError`. Writes must therefore be safe to run again after a rollback.
 */
export class GroupCommit {
  private jobs: { key: string; write: GroupWrite }[] = [];
  private readonly keys = new Set<string>();
  private scheduled: NodeJS.Immediate | null = null;
  /** performance.now() when the oldest queued urgent write was added; null while none is queued. */
  private since: number | null = null;
  /** Urgent writes queued. */
  private urgent = 0;

  /**
   * Builds an empty batch over `store`; `onError` hears every failed write or commit (never throws);
   * `closing`, if given, runs once at the end of every non-empty batch, inside its transaction (work
   * that is per batch, not per write); a batch whose oldest urgent write is `maxWaitMs` old, or that
   * holds `maxUrgent` urgent writes, commits at the next add() or flushIfDue().
   */
  constructor(
    private readonly store: Pick<Store, 'tx'>,
    private readonly onError: (err: unknown, key: string | null) => void,
    private readonly closing?: GroupWrite,
    private readonly maxWaitMs = 1,
    private readonly maxUrgent = Number.POSITIVE_INFINITY,
  ) {}

  /** Writes queued and not yet committed. */
  get pending(): number {
    return this.jobs.length;
  }

  /** Commits now if a write under `key` is queued (see flush); never throws. */
  flushFor(key: string): void {
    if (this.keys.has(key)) this.flush();
  }

  /** Commits now if the oldest queued urgent write has waited `maxWaitMs` or more, or `maxUrgent` are queued; never throws. */
  flushIfDue(): void {
    if (this.since !== null && (this.urgent >= this.maxUrgent || performance.now() - this.since >= this.maxWaitMs)) this.flush();
  }

  /**
   * Queues `write` under `key` for the end of this turn (flushing first if `key` is already queued);
   * never throws. Only an `urgent` write (one whose after-commit news someone waits for, such as a new
   * signal) starts the `maxWaitMs` clock; the others ride along with the next commit.
   */
  add(key: string, write: GroupWrite, urgent = true): void {
    this.flushFor(key);
    this.flushIfDue();
    if (urgent) {
      this.since ??= performance.now();
      this.urgent++;
    }
    this.jobs.push({ key, write });
    this.keys.add(key);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /**
   * Runs every queued write in one transaction now, then the after-commit callbacks in queue order;
   * a no-op when nothing is queued. Never throws: failures go to `onError`.
   */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.jobs.length === 0) return;
    const jobs = this.jobs;
    this.jobs = [];
    this.since = null;
    this.urgent = 0;
    this.keys.clear();
    const all = this.closing ? [...jobs, { key: null, write: this.closing }] : jobs;
    let after: (() => void)[] = [];
    try {
      this.store.tx(() => {
        for (const j of all) {
          const done = j.write();
          if (done) after.push(done);
        }
      });
    } catch {
      // Rolled back whole: find the bad write by running each on its own.
      after = [];
      for (const j of all) this.alone(j.write, j.key, after);
    }
    for (const fn of after) {
      try {
        fn();
      } catch (err) {
        this.onError(err, null);
      }
    }
  }

  /** Runs one write in its own transaction: if it throws, only its own changes are undone and it is reported. */
  private alone(write: GroupWrite, key: string | null, after: (() => void)[]): void {
    try {
      const done = this.store.tx(write);
      if (done) after.push(done);
    } catch (err) {
      this.onError(err, key);
    }
  }
}
