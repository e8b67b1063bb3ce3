import { assertLength, assertPeriod, outFor } from './checks.ts';
import { trueRange, wilderStep } from './math.ts';

/**
 * Wilder ATR into `out`: the first bar's true range is high-low, the average is seeded by the SMA of
 * the first `period` true ranges (bar 0 included, as trading-signals does) and reported from bar
 * period-1. Throws RangeError on a bad period or arrays (or `out`) of different lengths.
 */
export function atr(
  high: Float64Array, low: Float64Array, close: Float64Array, period: number, out?: Float64Array,
): Float64Array {
  assertPeriod('period', period);
  const n = close.length;
  assertLength(n, ['high', 'low'], [high, low]);
  const dst = outFor(out, n);
  const k = 1 / period;
  let sum = 0;
  let a = 0; // read only once assigned; a NaN start would keep it tagged (boxed every bar)
  for (let i = 0; i < n; i++) {
    const tr = i === 0 ? high[0] - low[0] : trueRange(high[i], low[i], close[i - 1]);
    const count = i + 1;
    if (count <= period) {
      sum += tr;
      if (count === period) a = sum / period;
    } else {
      a = wilderStep(a, tr, k);
    }
    if (count >= period) dst[i] = a;
    else dst[i] = NaN;
  }
  return dst;
}

/** Incremental Wilder ATR, bit-identical to `atr`; the constructor throws RangeError on a bad period. */
export class AtrState {
  /** Smoothing length in bars. */
  readonly period: number;
  /** Latest value (NaN until warm). */
  value = NaN;
  private readonly k: number;
  private prevClose = NaN;
  private count = 0;
  private sum = 0;
  private a = NaN;

  /** Creates an empty state for `period` bars. */
  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.k = 1 / period;
  }

  /** Adds one bar and returns the newest ATR (NaN for the first period-1 bars); never throws. */
  update(high: number, low: number, close: number): number {
    const tr = this.count === 0 ? high - low : trueRange(high, low, this.prevClose);
    this.prevClose = close;
    const count = ++this.count;
    if (count <= this.period) {
      this.sum += tr;
      if (count === this.period) this.a = this.sum / this.period;
    } else {
      this.a = wilderStep(this.a, tr, this.k);
    }
    if (count >= this.period) this.value = this.a;
    return this.value;
  }
}
