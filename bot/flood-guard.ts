import type { Clock } from '../engine/index.ts';

/** Flood-guard settings: sustained updates per second per user and the burst allowed on top. */
export interface FloodGuardOptions {
  perSecond: number;
  burst: number;
}

/** Default: one update per second per user, with a burst of three (a double tap plus a command). */
export const DEFAULT_FLOOD_GUARD: FloodGuardOptions = { perSecond: 1, burst: 3 };

/**
 * A per-user token bucket in front of the handlers, so one user cannot starve the others. O(1) per
 * update, synchronous; idle buckets are forgotten. Throws RangeError on non-positive settings.
 */
export class FloodGuard {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  /** Creates a guard reading time from `clock`. */
  constructor(
    private readonly clock: Clock,
    private readonly opts: FloodGuardOptions = DEFAULT_FLOOD_GUARD,
  ) {
    if (!(opts.perSecond > 0) || !(opts.burst >= 1)) throw new RangeError('flood guard needs perSecond > 0 and burst >= 1');
  }

  /** Takes one token for `userId`; false when the user is over the limit (the update should be dropped). */
  allow(userId: string): boolean {
    const now = this.clock.now();
    this.sweep(now);
    const b = this.buckets.get(userId);
    if (!b) {
      this.buckets.set(userId, { tokens: this.opts.burst - 1, at: now });
      return true;
    }
    const refill = (Math.max(0, now - b.at) / 1000) * this.opts.perSecond;
    b.tokens = Math.min(this.opts.burst, b.tokens + refill);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const idleMs = (this.opts.burst / this.opts.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at > idleMs) this.buckets.delete(k);
  }
}
