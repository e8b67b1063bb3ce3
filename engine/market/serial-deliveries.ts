import type { IdleHandler } from './types.ts';

/**
 * The delivery queue a feed runs its bars through: tasks run one after another, never interleaved,
 * and when the last queued one settles the feed's IdleHandler (a burst is over) is called. A task's
 * rejection reaches its own caller only; a throwing IdleHandler goes to `onIdleError`. Never throws.
 */
export class SerialDeliveries {
  private chain: Promise<unknown> = Promise.resolve();
  private queued = 0;
  /** Called when nothing is queued any more (set by the feed's start()). */
  onIdle: IdleHandler | null = null;

  /** Builds an empty queue; `onIdleError` hears a throwing IdleHandler. */
  constructor(private readonly onIdleError: (err: unknown) => void) {}

  /** Runs `task` after everything queued before it; resolves or rejects as the task does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const p = this.chain.then(task).finally(() => {
      if (--this.queued > 0 || !this.onIdle) return;
      try {
        this.onIdle();
      } catch (err) {
        this.onIdleError(err);
      }
    });
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.chain;
  }
}
