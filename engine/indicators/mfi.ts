import { assertLength, assertPeriod, outFor } from './checks.ts';
import { ringPush, sliceSumSeq, typicalPrice } from './math.ts';

/**
 * Money Flow Index on typical price (hlc3 × volume): positive/negative flows of the last `period` bars
 * summed oldest first, 50 when both are 0 (trading-signals' convention); first value at bar `period`.
 * Throws RangeError on a bad period or arrays (or `out`) of different lengths.
 */
export function mfi(
  high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, period = 14,
  out?: Float64Array,
): Float64Array {
  assertPeriod('period', period);
  const n = close.length;
  assertLength(n, ['high', 'low', 'volume'], [high, low, volume]);
  const dst = outFor(out, n);
  for (let i = 0; i < n; i++) {
    if (i < period) {
      dst[i] = NaN;
      continue;
    }
    let pos = 0;
    let neg = 0;
    let tpPrev = typicalPrice(high[i - period], low[i - period], close[i - period]);
    for (let j = i - period + 1; j <= i; j++) {
      const tp = typicalPrice(high[j], low[j], close[j]);
      const flow = tp * volume[j];
      pos += tp > tpPrev ? flow : 0;
      neg += tp < tpPrev ? flow : 0;
      tpPrev = tp;
    }
    const total = pos + neg;
    dst[i] = total === 0 ? 50 : (100 * pos) / total;
  }
  return dst;
}

/** Incremental MFI, bit-identical to `mfi`; the constructor throws RangeError on a bad period. */
export class MfiState {
  /** Window length in bars. */
  readonly period: number;
  /** Latest value (NaN until warm). */
  value = NaN;
  private readonly posBuf: Float64Array;
  private readonly negBuf: Float64Array;
  private pos = 0;
  private count = 0;
  private prevTp = NaN;

  /** Creates an empty state (default 14 bars). */
  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
    this.posBuf = new Float64Array(2 * period);
    this.negBuf = new Float64Array(2 * period);
  }

  /** Adds one bar and returns the newest MFI (NaN for the first `period` bars); never throws. */
  update(high: number, low: number, close: number, volume: number): number {
    const tp = typicalPrice(high, low, close);
    const i = this.count++;
    const prev = this.prevTp;
    this.prevTp = tp;
    if (i === 0) return NaN;
    const flow = tp * volume;
    const p = this.period;
    ringPush(this.negBuf, p, this.pos, tp < prev ? flow : 0);
    const from = (this.pos = ringPush(this.posBuf, p, this.pos, tp > prev ? flow : 0));
    if (i < p) return NaN;
    const pos = sliceSumSeq(this.posBuf, from, from + p);
    const neg = sliceSumSeq(this.negBuf, from, from + p);
    const total = pos + neg;
    this.value = total === 0 ? 50 : (100 * pos) / total;
    return this.value;
  }
}
