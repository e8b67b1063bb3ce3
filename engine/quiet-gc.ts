import { QuietTimer } from './quiet-timer.ts';

/** Runs one young-generation collection of V8 now; throws only if the engine refuses. */
export type MinorGc = () => void;

/** When QuietGc collects. */
export interface QuietGcOptions {
  /** Quiet time after the last burst before collecting, ms (default 10). */
  quietMs?: number;
  /** The collection to run; default: V8's own when node runs with --expose-gc, else none (QuietGc is then a no-op). */
  gc?: MinorGc | null;
  /** Hears a collection that threw (never thrown further). */
  onError?: (err: unknown) => void;
}

/**
 * V8's minor collection as node exposes it with --expose-gc (`gc({ type: 'minor' })`), or null when
 * the flag is off. Never throws.
 */
export function exposedMinorGc(): MinorGc | null {
  const gc = (globalThis as { gc?: (opts?: { type: 'minor' | 'major' }) => unknown }).gc;
  if (typeof gc !== 'function') return null;
  return () => {
    gc({ type: 'minor' });
  };
}

/**
 * Empties V8's young generation in the quiet after a burst of closed bars. A burst allocates (parsed
 * messages, bars, drafts, rows) and a scavenge starts whenever the young generation fills up: left to
 * V8, that is in the middle of a burst about every other bar close, holding every bar behind it for
 * 0.5-2 ms. Collected right after the burst instead, the next burst starts with an empty young
 * generation and, being smaller than it, runs through without a pause. The cost is the same kind of
 * scavenge (its time grows with the objects that survive, not with the garbage), moved to where
 * nothing waits. A no-op without a collection to run (node without --expose-gc). Never throws.
 */
export class QuietGc {
  private readonly gc: MinorGc | null;
  private readonly quiet: QuietTimer;
  private runs = 0;

  /** Builds the scheduler; nothing runs until burstOver(). */
  constructor(private readonly opts: QuietGcOptions = {}) {
    this.gc = opts.gc === undefined ? exposedMinorGc() : opts.gc;
    this.quiet = new QuietTimer(opts.quietMs ?? 10, () => this.collect());
  }

  /** Whether a collection is available (node runs with --expose-gc, or one was given). */
  get enabled(): boolean {
    return this.gc !== null;
  }

  /** Collections run so far. */
  get collections(): number {
    return this.runs;
  }

  /** Says a burst just ended: a collection follows after `quietMs` unless another burst ends first; never throws. */
  burstOver(): void {
    if (this.gc) this.quiet.poke();
  }

  /** Stops the timer; idempotent, never throws. */
  stop(): void {
    this.quiet.stop();
  }

  private collect(): void {
    if (!this.gc) return;
    try {
      this.gc();
      this.runs++;
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
