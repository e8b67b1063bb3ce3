import type { DeskApi, DeskEvent } from '../engine/index.ts';

/**
 * A bounded ring of the desk's most recent events (what the `events://recent` resource shows).
 * Subscribes on construction; `close` unsubscribes. Never throws.
 */
export class RecentEvents {
  private readonly ring: DeskEvent[] = [];
  private readonly unsubscribe: () => void;

  /** Starts recording `desk`'s events, keeping the newest `capacity`. */
  constructor(
    desk: Pick<DeskApi, 'subscribe'>,
    private readonly capacity = 200,
  ) {
    this.unsubscribe = desk.subscribe((e) => {
      this.ring.push(e);
      if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    });
  }

  /** The newest `limit` events, newest first. */
  recent(limit = 50): DeskEvent[] {
    return this.ring.slice(-limit).reverse();
  }

  /** Stops recording. */
  close(): void {
    this.unsubscribe();
  }
}
