import type { Interval } from '../schemas.ts';
import type { Bar, OhlcvColumns } from './types.ts';
import { DeskError } from '../errors.ts';
import { barProblem, type KlineColumns } from './csv.ts';
import { barAt } from './bar-at.ts';

/**
 * The most recent bars of one symbol × interval as Float64Array views, oldest → newest. The views
 * alias the store's buffer: they stay correct until the next append to this series (copy what you keep).
 */
export interface SeriesView extends KlineColumns {
  symbol: string;
  interval: Interval;
}

const COLS = 6;

/** Spare slots per column beyond `cap`: a quarter of it (at least one), so one compaction per cap/4 appends. */
function slotsFor(cap: number): number {
  return cap + Math.ceil(cap / 4);
}

// One series: a single Float64Array holding six sliding windows of `slots` (≈ 1.25 × capacity) each.
// Column c lives at [c × slots, (c + 1) × slots); the newest `count` bars are the contiguous range
// [end - count, end) of every column. A bar is written at `end`; when `end` has reached `slots`, the
// newest cap - 1 values of every column are first moved to the front (one copyWithin per column, once
// per slots - cap appends: amortized O(1)), so the window then ends at cap - 1 and the new bar lands there.
class SlidingWindow {
  readonly buf: Float64Array;
  readonly cap: number;
  readonly slots: number;
  end = 0; // next slot to write, per column
  count = 0;
  lastStart = -Infinity;

  constructor(cap: number) {
    this.cap = cap;
    this.slots = slotsFor(cap);
    this.buf = new Float64Array(COLS * this.slots);
  }

  private compact(): void {
    const n = this.slots;
    const keep = this.cap - 1;
    const b = this.buf;
    for (let c = 0, base = 0; c < COLS; c++, base += n) b.copyWithin(base, base + n - keep, base + n);
    this.end = keep;
    if (this.count > keep) this.count = keep;
  }

  push(start: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.end === this.slots) this.compact();
    const n = this.slots;
    const p = this.end;
    const b = this.buf;
    b[p] = start;
    b[n + p] = open;
    b[2 * n + p] = high;
    b[3 * n + p] = low;
    b[4 * n + p] = close;
    b[5 * n + p] = volume;
    this.end = p + 1;
    if (this.count < this.cap) this.count++;
    this.lastStart = start;
  }

  col(c: number): Float64Array {
    const to = c * this.slots + this.end;
    return this.buf.subarray(to - this.count, to);
  }

  at(c: number, fromEnd: number): number {
    return this.buf[c * this.slots + this.end - 1 - fromEnd] as number;
  }
}

/** Options of a KlineStore. */
export interface KlineStoreOptions {
  /** Bars kept per symbol × interval (older ones drop off); integer 1..1_000_000. */
  capacity: number;
}

/**
 * Closed bars per symbol × interval in typed-array sliding windows of ≈ 1.25 × capacity slots per
 * column: amortized O(1) append, the last `capacity` bars always one contiguous view per column (no
 * copying for batch kernels). Not thread-shared. The constructor and the appends refuse bad input with DeskError VALIDATION.
 */
export class KlineStore {
  /** Bars kept per series. */
  readonly capacity: number;
  private readonly windows = new Map<string, SlidingWindow>();

  /** Creates an empty store; throws DeskError VALIDATION on a capacity that is not an integer in 1..1e6. */
  constructor(opts: KlineStoreOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1 || opts.capacity > 1_000_000) {
      throw new DeskError('VALIDATION', { field: 'capacity', reason: 'expected an integer 1..1000000' });
    }
    this.capacity = opts.capacity;
  }

  private static key(symbol: string, interval: string): string {
    return `${symbol}\u0000${interval}`;
  }

  private find(symbol: string, interval: string, create: boolean): SlidingWindow | undefined {
    const k = KlineStore.key(symbol, interval);
    let r = this.windows.get(k);
    if (!r && create) {
      r = new SlidingWindow(this.capacity);
      this.windows.set(k, r);
    }
    return r;
  }

  /**
   * Appends one closed bar in amortized O(1). Returns true when stored, false for a duplicate (same start as
   * the last bar: ignored). Throws DeskError VALIDATION {symbol, interval, start, reason} for a bar
   * older than the last one or an insane bar (non-finite, price ≤ 0, high/low not bracketing,
   * negative volume); nothing is stored then.
   */
  append(bar: Bar): boolean {
    const problem = barProblem(bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume);
    if (problem) {
      throw new DeskError('VALIDATION', { symbol: bar.symbol, interval: bar.interval, start: bar.start, reason: problem }, `bar refused: ${problem}`);
    }
    const existing = this.find(bar.symbol, bar.interval, false);
    if (existing) {
      if (bar.start === existing.lastStart) return false;
      if (bar.start < existing.lastStart) {
        throw new DeskError(
          'VALIDATION',
          { symbol: bar.symbol, interval: bar.interval, start: bar.start, reason: `older than the last bar (${existing.lastStart})` },
          'bar refused: older than the last stored bar',
        );
      }
    }
    const r = existing ?? (this.find(bar.symbol, bar.interval, true) as SlidingWindow);
    r.push(bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume);
    return true;
  }

  /**
   * Appends rows [from, to) of parsed columns (e.g. a loaded CSV) to one series; rows whose start is
   * ≤ the series' last start are skipped. Returns how many were stored. Throws like append on an
   * insane row; rows before it stay stored.
   */
  appendColumns(
    symbol: string,
    interval: Interval,
    cols: OhlcvColumns,
    from = 0,
    to: number = cols.start.length,
  ): number {
    let n = 0;
    for (let i = Math.max(0, from); i < Math.min(to, cols.start.length); i++) {
      const start = cols.start[i] as number;
      const r = this.find(symbol, interval, false);
      if (r && start <= r.lastStart) continue;
      const ok = this.append(barAt(cols, i, symbol, interval));
      if (ok) n++;
    }
    return n;
  }

  /** Contiguous views of the series' bars (oldest → newest), or null for a series never appended to. */
  series(symbol: string, interval: Interval): SeriesView | null {
    const r = this.find(symbol, interval, false);
    if (!r) return null;
    return {
      symbol,
      interval,
      start: r.col(0),
      open: r.col(1),
      high: r.col(2),
      low: r.col(3),
      close: r.col(4),
      volume: r.col(5),
      length: r.count,
    };
  }

  /** The newest bar of the series as a fresh object, or null when the series is empty or unknown. */
  last(symbol: string, interval: Interval): Bar | null {
    const r = this.find(symbol, interval, false);
    if (!r || r.count === 0) return null;
    return {
      symbol,
      interval,
      start: r.at(0, 0),
      open: r.at(1, 0),
      high: r.at(2, 0),
      low: r.at(3, 0),
      close: r.at(4, 0),
      volume: r.at(5, 0),
    };
  }

  /** Start (epoch ms) of the newest bar of the series, or null when unknown. */
  lastStart(symbol: string, interval: Interval): number | null {
    const r = this.find(symbol, interval, false);
    return r && r.count > 0 ? r.lastStart : null;
  }

  /** Number of bars held for the series (0..capacity); 0 when unknown. */
  size(symbol: string, interval: Interval): number {
    return this.find(symbol, interval, false)?.count ?? 0;
  }

  /** Every series held, as {symbol, interval} pairs in insertion order. */
  keys(): Array<{ symbol: string; interval: Interval }> {
    const out: Array<{ symbol: string; interval: Interval }> = [];
    for (const k of this.windows.keys()) {
      const [symbol, interval] = k.split('\u0000') as [string, Interval];
      out.push({ symbol, interval });
    }
    return out;
  }

  /** Bytes held by the typed arrays: 6 columns × 8 bytes × (capacity + ⌈capacity / 4⌉) slots per series. */
  bytes(): number {
    return this.windows.size * COLS * 8 * slotsFor(this.capacity);
  }

  /** Forgets one series (e.g. after a gap that cannot be filled); returns whether it existed. */
  drop(symbol: string, interval: Interval): boolean {
    return this.windows.delete(KlineStore.key(symbol, interval));
  }
}
