import { statSync } from 'node:fs';
import type { Db } from './db.ts';
import { QuietTimer } from '../quiet-timer.ts';

/** When QuietCheckpoints runs a checkpoint. */
export interface QuietCheckpointOptions {
  /** Quiet time after the last burst before checkpointing, ms (default 50). */
  quietMs?: number;
  /** Checkpoint only once the WAL file is at least this big, bytes (default 1 MiB). */
  minWalBytes?: number;
  /** Longest time between checks when no burst ends (writes from front-ends alone), ms (default 10 000). */
  everyMs?: number;
  /** Hears a failed checkpoint (a short SQLite code; never a path or a secret). */
  onError?: (code: string) => void;
}

/** SQLite's default: a commit that leaves the WAL past this many pages checkpoints on the committing thread. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Checkpoints the WAL when the desk is quiet instead of inside a commit. SQLite's default runs a
 * checkpoint (copy WAL pages into the database, then fsync it: milliseconds) in whichever commit
 * pushes the WAL past 1000 pages, and on the desk that is often a commit on the closed-bar path, in
 * the middle of a 200-symbol burst. Here `db` stops checkpointing on commit; a PASSIVE checkpoint
 * runs `quietMs` after the last burstOver() (bars arrive in bursts at bar closes), and a timer every
 * `everyMs` covers writes that come with no bars. Either runs only if the WAL has grown past
 * `minWalBytes`. PASSIVE never waits for readers or writers. In-memory databases are left alone.
 * Never throws: a failed checkpoint is reported and tried again at the next occasion.
 */
export class QuietCheckpoints {
  private readonly quiet: QuietTimer;
  private readonly timer: NodeJS.Timeout | null = null;
  private readonly walPath: string | null;
  private readonly minWalBytes: number;
  private stopped = false;

  /** Takes checkpointing over for `db`, whose file is `path` (nothing to do for ':memory:'); throws only on a closed connection. */
  constructor(
    private readonly db: Db,
    path: string,
    private readonly opts: QuietCheckpointOptions = {},
  ) {
    this.quiet = new QuietTimer(opts.quietMs ?? 50, () => this.checkpoint());
    this.minWalBytes = opts.minWalBytes ?? 1 << 20;
    this.walPath = path === ':memory:' || db.memory ? null : `${path}-wal`;
    if (!this.walPath) return;
    db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => this.checkpoint(), opts.everyMs ?? 10_000);
    this.timer.unref();
  }

  /** Says a burst of writes just ended: a checkpoint follows after `quietMs` unless another burst ends first; never throws. */
  burstOver(): void {
    if (!this.walPath || this.stopped) return;
    this.quiet.poke();
  }

  /** Runs a PASSIVE checkpoint now if the WAL is past the threshold; returns whether one ran; never throws. */
  checkpoint(): boolean {
    if (!this.walPath || this.stopped || !this.db.open) return false;
    let size: number;
    try {
      size = statSync(this.walPath).size;
    } catch {
      return false; // no WAL file yet
    }
    if (size < this.minWalBytes) return false;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      return true;
    } catch (err) {
      this.opts.onError?.((err as { code?: unknown }).code === undefined ? 'CHECKPOINT_FAILED' : String((err as { code?: unknown }).code));
      return false;
    }
  }

  /** Stops the timers and gives checkpointing back to SQLite (on commit); idempotent, never throws. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.quiet.stop();
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.walPath && this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    } catch {
      /* the connection is closing */
    }
  }
}
