import { assertNonNegative, assertPeriod, outFor } from './checks.ts';
import { percentBValue, ringPush, sliceSqDev, sliceSum } from './math.ts';

/** Output columns of `bollinger` (each the input's length, NaN during warm-up). */
export interface BollingerSeries {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
  /** (upper - lower) / middle. */
  bandwidth: Float64Array;
  /** (x - lower) / (upper - lower), 0.5 when the bands collapse. */
  percentB: Float64Array;
}

/**
 * Bollinger Bands of `src`: middle = SMA(period), population standard deviation (two-pass over the
 * window, as trading-signals), bands at ± mult·sd, bandwidth and %B; first value at bar period-1. Fills
 * the arrays of `out` that are given and allocates the rest. Throws RangeError on a bad period or
 * multiplier or an output array of the wrong length.
 */
export function bollinger(
  src: Float64Array, period = 20, mult = 2, out: Partial<BollingerSeries> = {},
): BollingerSeries {
  assertPeriod('period', period);
  assertNonNegative('mult', mult);
  const n = src.length;
  const res: BollingerSeries = {
    middle: outFor(out.middle, n, 'out.middle'),
    upper: outFor(out.upper, n, 'out.upper'),
    lower: outFor(out.lower, n, 'out.lower'),
    bandwidth: outFor(out.bandwidth, n, 'out.bandwidth'),
    percentB: outFor(out.percentB, n, 'out.percentB'),
  };
  const { middle, upper, lower, bandwidth, percentB } = res;
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      middle[i] = upper[i] = lower[i] = bandwidth[i] = percentB[i] = NaN;
      continue;
    }
    const from = i - period + 1;
    const mid = sliceSum(src, from, i + 1) / period;
    const sd = Math.sqrt(sliceSqDev(src, from, i + 1, mid) / period);
    const u = mid + sd * mult;
    const l = mid - sd * mult;
    middle[i] = mid;
    upper[i] = u;
    lower[i] = l;
    bandwidth[i] = (u - l) / mid;
    percentB[i] = percentBValue(src[i], u, l);
  }
  return res;
}

/** Incremental Bollinger Bands, bit-identical to `bollinger`; the constructor throws RangeError on bad arguments. */
export class BollingerState {
  /** Window length in bars. */
  readonly period: number;
  /** Band width in standard deviations. */
  readonly mult: number;
  /** Latest middle band (the value `update` returns). */
  middle = NaN;
  /** Latest upper band. */
  upper = NaN;
  /** Latest lower band. */
  lower = NaN;
  /** Latest (upper - lower) / middle. */
  bandwidth = NaN;
  /** Latest %B. */
  percentB = NaN;
  private readonly buf: Float64Array;
  private pos = 0;
  private count = 0;

  /** Creates an empty state (defaults 20 bars, 2 deviations). */
  constructor(period = 20, mult = 2) {
    assertPeriod('period', period);
    assertNonNegative('mult', mult);
    this.period = period;
    this.mult = mult;
    this.buf = new Float64Array(2 * period);
  }

  /** Adds one price, updates every band field and returns the middle band (NaN until warm); never throws. */
  update(x: number): number {
    const p = this.period;
    const from = (this.pos = ringPush(this.buf, p, this.pos, x));
    if (++this.count < p) return NaN;
    const mid = sliceSum(this.buf, from, from + p) / p;
    const sd = Math.sqrt(sliceSqDev(this.buf, from, from + p, mid) / p);
    const u = mid + sd * this.mult;
    const l = mid - sd * this.mult;
    this.middle = mid;
    this.upper = u;
    this.lower = l;
    this.bandwidth = (u - l) / mid;
    this.percentB = percentBValue(x, u, l);
    return mid;
  }
}
