import { assertNonNegative, assertPeriod, outFor } from './checks.ts';
import { percentBValue, ringPush, rollM2, rollMean, sliceSqDev, sliceSum } from './math.ts';

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
 * Bollinger Bands of `src`: middle = SMA(period), population standard deviation, bands at ± mult·sd,
 * bandwidth and %B; first value at bar period-1. O(1) per bar: mean and squared deviations are computed
 * two-pass at every bar i with (i + 1) % period === 0 and rolled in between (see rollM2). Fills
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
  let mean = 0; // read only once assigned (see rsi.ts on NaN starts)
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      middle[i] = upper[i] = lower[i] = bandwidth[i] = percentB[i] = NaN;
      continue;
    }
    if ((i + 1) % period === 0) {
      mean = sliceSum(src, i - period + 1, i + 1) / period;
      m2 = sliceSqDev(src, i - period + 1, i + 1, mean);
    } else {
      const m = rollMean(mean, src[i], src[i - period], period);
      m2 = rollM2(m2, src[i], src[i - period], mean, m);
      mean = m;
    }
    const mid = mean;
    const sd = Math.sqrt(m2 / period);
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
  private mean = NaN;
  private m2 = NaN;

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
    const leaving = this.buf[this.pos];
    const from = (this.pos = ringPush(this.buf, p, this.pos, x));
    const count = ++this.count;
    if (count < p) return NaN;
    if (count % p === 0) {
      this.mean = sliceSum(this.buf, from, from + p) / p;
      this.m2 = sliceSqDev(this.buf, from, from + p, this.mean);
    } else {
      const m = rollMean(this.mean, x, leaving, p);
      this.m2 = rollM2(this.m2, x, leaving, this.mean, m);
      this.mean = m;
    }
    const mid = this.mean;
    const sd = Math.sqrt(this.m2 / p);
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
