import type { Side } from '../schemas.ts';
import { FUNDING_STALE_MS } from '../market/funding-store.ts';

/**
 * Funding paid by a position at one settlement: qty × mark × rate, positive when the holder pays
 * (longs pay a positive rate, shorts receive it; the mirror for a negative rate). Throws RangeError
 * on a non-finite or negative qty/mark or a non-finite rate.
 */
export function fundingPayment(side: Side, qty: number, mark: number, rate: number): number {
  if (!(qty >= 0) || !Number.isFinite(qty) || !(mark >= 0) || !Number.isFinite(mark) || !Number.isFinite(rate)) {
    throw new RangeError('funding needs a finite qty ≥ 0, mark ≥ 0 and rate');
  }
  const paid = qty * mark * rate;
  return side === 'long' ? paid : -paid;
}

/**
 * Walks one symbol's settlement times in order: `due(t)` returns the rates of every settlement in
 * (previous t, t] and advances; settlements at or before `from` are skipped. Never throws.
 */
export class FundingSchedule {
  private i = 0;

  /** Builds the walk over `time`/`rate` (ascending, equal length), starting after `from`. */
  constructor(
    private readonly time: ArrayLike<number>,
    private readonly rate: ArrayLike<number>,
    from: number,
  ) {
    while (this.i < time.length && (time[this.i] as number) <= from) this.i++;
  }

  /** The rate of the next settlement in (last call, t], advancing past it; NaN when none (no allocation). */
  next(t: number): number {
    if (this.i < this.time.length && (this.time[this.i] as number) <= t) return this.rate[this.i++] as number;
    return NaN;
  }

  /** Rates (with their settlement times) falling in (last call, t]; [] when none. */
  due(t: number): { at: number; rate: number }[] {
    const out: { at: number; rate: number }[] = [];
    while (this.i < this.time.length && (this.time[this.i] as number) <= t) {
      out.push({ at: this.time[this.i] as number, rate: this.rate[this.i] as number });
      this.i++;
    }
    return out;
  }
}

/**
 * FundingStore.rateAt for one symbol walked forward in time: `at(t)` is the last settled rate with
 * time ≤ t, null before the first settlement or more than FUNDING_STALE_MS after the last — the same
 * answer as rateAt, found by advancing a cursor instead of a keyed binary search (O(1) amortized for
 * non-decreasing t; an earlier t restarts the walk). Times must be ascending. Never throws.
 */
export class FundingCursor {
  private i = -1;

  /** Walks the first `length` settlements of `time`/`rate`. */
  constructor(
    private readonly time: ArrayLike<number>,
    private readonly rate: ArrayLike<number>,
    private readonly length: number,
  ) {}

  /** The rate in force at `t`, or null (see the class). */
  at(t: number): number | null {
    const time = this.time;
    const n = this.length;
    if (n === 0 || !(t >= (time[0] as number))) return null;
    if (t - (time[n - 1] as number) > FUNDING_STALE_MS) return null;
    let i = this.i;
    if (i >= 0 && (time[i] as number) > t) i = -1;
    while (i + 1 < n && (time[i + 1] as number) <= t) i++;
    this.i = i;
    return this.rate[i] as number;
  }
}
