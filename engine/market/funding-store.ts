import { DeskError } from '../errors.ts';

/** How far past the last known settlement a rate is still considered in force (one 8h funding period). */
export const FUNDING_STALE_MS = 8 * 3_600_000;

interface Series {
  time: Float64Array;
  rate: Float64Array;
  length: number;
}

/**
 * Funding-rate history per symbol (settlement time → rate), answering "which rate was in force at t"
 * by binary search. Times are strictly increasing per symbol; set() and add() refuse bad data with DeskError VALIDATION.
 */
export class FundingStore {
  private readonly bySymbol = new Map<string, Series>();

  /**
   * Replaces a symbol's history with `time`/`rate` (copied; strictly increasing times). Throws
   * DeskError VALIDATION {symbol, reason} on length mismatch, non-finite values or unordered times.
   */
  set(symbol: string, time: ArrayLike<number>, rate: ArrayLike<number>): void {
    if (time.length !== rate.length) throw new DeskError('VALIDATION', { symbol, reason: 'time and rate lengths differ' });
    const n = time.length;
    const s: Series = { time: new Float64Array(Math.max(8, n)), rate: new Float64Array(Math.max(8, n)), length: 0 };
    for (let i = 0; i < n; i++) {
      const t = time[i] as number;
      const r = rate[i] as number;
      if (!Number.isFinite(t) || !Number.isFinite(r)) throw new DeskError('VALIDATION', { symbol, reason: `row ${i} is not finite` });
      if (i > 0 && t <= (time[i - 1] as number)) throw new DeskError('VALIDATION', { symbol, reason: `row ${i} time is not increasing` });
      s.time[i] = t;
      s.rate[i] = r;
    }
    s.length = n;
    this.bySymbol.set(symbol, s);
  }

  /**
   * Adds one settlement (e.g. from a live stream): returns true when stored, false when `time` equals
   * the last one (duplicate). Throws DeskError VALIDATION for non-finite values or an older time.
   */
  add(symbol: string, time: number, rate: number): boolean {
    if (!Number.isFinite(time) || !Number.isFinite(rate)) throw new DeskError('VALIDATION', { symbol, reason: 'funding is not finite' });
    let s = this.bySymbol.get(symbol);
    if (!s) {
      s = { time: new Float64Array(8), rate: new Float64Array(8), length: 0 };
      this.bySymbol.set(symbol, s);
    }
    if (s.length > 0) {
      const last = s.time[s.length - 1] as number;
      if (time === last) return false;
      if (time < last) throw new DeskError('VALIDATION', { symbol, reason: 'funding time older than the last one' });
    }
    if (s.length === s.time.length) {
      const t2 = new Float64Array(s.time.length * 2);
      const r2 = new Float64Array(s.time.length * 2);
      t2.set(s.time);
      r2.set(s.rate);
      s.time = t2;
      s.rate = r2;
    }
    s.time[s.length] = time;
    s.rate[s.length] = rate;
    s.length++;
    return true;
  }

  /**
   * The last settled rate with time ≤ `t`, or null when the symbol is unknown, `t` is before its
   * first settlement, or `t` is more than FUNDING_STALE_MS past its last one. Never throws.
   */
  rateAt(symbol: string, t: number): number | null {
    const s = this.bySymbol.get(symbol);
    if (!s || s.length === 0 || !(t >= (s.time[0] as number))) return null;
    if (t - (s.time[s.length - 1] as number) > FUNDING_STALE_MS) return null;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((s.time[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return s.rate[lo] as number;
  }

  /** Symbols with funding history. */
  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /** Number of settlements held for `symbol` (0 when unknown). */
  size(symbol: string): number {
    return this.bySymbol.get(symbol)?.length ?? 0;
  }
}
