/** The injected time source: UTC epoch milliseconds; nothing in the engine reads Date.now() directly. */
export interface Clock {
  /** Current UTC time in epoch milliseconds. */
  now(): number;
}

/** The wall clock; never throws. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand; `set` and `advance` reject non-finite values. */
export class ManualClock implements Clock {
  private t: number;

  /** Starts the clock at `start` epoch ms. */
  constructor(start: number) {
    this.t = start;
  }

  /** Current manual time. */
  now(): number {
    return this.t;
  }

  /** Sets the time; throws RangeError on a non-finite value. */
  set(t: number): void {
    if (!Number.isFinite(t)) throw new RangeError('clock time must be finite');
    this.t = t;
  }

  /** Moves the time forward by `ms`; throws RangeError on a non-finite value. */
  advance(ms: number): void {
    this.set(this.t + ms);
  }
}

/** Milliseconds in one UTC day. */
export const DAY_MS = 86_400_000;

/** Start of the UTC day containing `t` (epoch ms); NaN for a non-finite `t`, never throws. */
export function utcDayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Start of the UTC ISO week (Monday 00:00) containing `t`; NaN for a non-finite `t`, never throws. */
export function utcWeekStart(t: number): number {
  const day = utcDayStart(t);
  const dow = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - dow * DAY_MS;
}
