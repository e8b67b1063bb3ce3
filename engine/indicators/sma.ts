import { assertPeriod, outFor } from './checks.ts';
import { ringPush, sliceSum } from './math.ts';

/**
 * Simple moving average of `src` over `period` bars into `out` (new array when omitted); NaN for the
 * first period-1 bars. Each window is summed directly, oldest first (O(period) per bar, never drifts,
 * within an ulp or two of trading-signals' SMA). Throws RangeError on a bad period or an `out` of the wrong length.
 */
export function sma(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = src.length;
  const dst = outFor(out, n);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) dst[i] = NaN;
  for (let i = period - 1; i < n; i++) dst[i] = sliceSum(src, i - period + 1, i + 1) / period;
  return dst;
}

/** Incremental SMA, bit-identical to `sma` on the same inputs; the constructor throws RangeError on a bad period. */
export class SmaState {
  /** Window length in bars. */
  readonly period: number;
  /** Latest value (NaN until warm). */
  value = NaN;
  private readonly buf: Float64Array;
  private pos = 0;
  private count = 0;

  /** Creates an empty state for `period` bars. */
  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.buf = new Float64Array(2 * period);
  }

  /** Adds one value and returns the newest SMA (NaN until `period` values were seen); never throws. */
  update(x: number): number {
    const p = this.period;
    this.pos = ringPush(this.buf, p, this.pos, x);
    this.count++;
    if (this.count >= p) this.value = sliceSum(this.buf, this.pos, this.pos + p) / p;
    return this.value;
  }
}
