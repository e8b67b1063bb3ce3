import { assertPeriod, outFor } from './checks.ts';
import { emaStep } from './math.ts';

/**
 * Exponential moving average (k = 2/(period+1)) of `src` into `out`, seeded with the first value as
 * trading-signals does (e0 = x0·k + x0·(1-k)); reported from bar period-1, NaN before. A NaN input
 * poisons every later value. Throws RangeError on a bad period or an `out` of the wrong length.
 */
export function ema(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = src.length;
  const dst = outFor(out, n);
  if (n === 0) return dst;
  const k = 2 / (period + 1);
  const km = 1 - k;
  let e = src[0];
  for (let i = 0; i < n; i++) {
    e = emaStep(e, src[i], k, km);
    if (i >= period - 1) dst[i] = e;
    else dst[i] = NaN;
  }
  return dst;
}

/** Incremental EMA, bit-identical to `ema` on the same inputs; the constructor throws RangeError on a bad period. */
export class EmaState {
  /** Smoothing length in bars. */
  readonly period: number;
  /** Latest reported value (NaN until warm). */
  value = NaN;
  private readonly k: number;
  private readonly km: number;
  private e = NaN;
  private count = 0;

  /** Creates an empty state for `period` bars. */
  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.k = 2 / (period + 1);
    this.km = 1 - this.k;
  }

  /** Adds one value and returns the newest EMA (NaN for the first period-1 values); never throws. */
  update(x: number): number {
    if (this.count === 0) this.e = x;
    this.e = emaStep(this.e, x, this.k, this.km);
    this.count++;
    if (this.count >= this.period) this.value = this.e;
    return this.value;
  }
}
