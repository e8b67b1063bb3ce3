import { utcDayStart } from '../clock.ts';
import { assertLength, outFor } from './checks.ts';
import { typicalPrice } from './math.ts';

/**
 * Session VWAP: cumulative hlc3 × volume / cumulative volume, restarted at the first bar of each UTC
 * day (by bar open time `start`, epoch ms, assumed ascending); NaN while the session has no volume.
 * Throws RangeError on arrays (or `out`) of different lengths.
 */
export function sessionVwap(
  start: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array,
  out?: Float64Array,
): Float64Array {
  const n = close.length;
  assertLength(n, ['start', 'high', 'low', 'volume'], [start, high, low, volume]);
  const dst = outFor(out, n);
  let session = -1; // no bar starts at -1 ms; a NaN start would keep it tagged (boxed every bar)
  let cumPv = 0;
  let cumV = 0;
  for (let i = 0; i < n; i++) {
    const day = utcDayStart(start[i]);
    if (day !== session) {
      session = day;
      cumPv = 0;
      cumV = 0;
    }
    cumPv += typicalPrice(high[i], low[i], close[i]) * volume[i];
    cumV += volume[i];
    if (cumV > 0) dst[i] = cumPv / cumV;
    else dst[i] = NaN;
  }
  return dst;
}

/** Incremental session VWAP, bit-identical to `sessionVwap`; never throws. */
export class SessionVwapState {
  /** Latest value (NaN while the session has no volume). */
  value = NaN;
  private session = NaN;
  private cumPv = 0;
  private cumV = 0;

  /** Adds one bar (open time `start`, epoch ms) and returns the session VWAP so far; never throws. */
  update(start: number, high: number, low: number, close: number, volume: number): number {
    const day = utcDayStart(start);
    if (day !== this.session) {
      this.session = day;
      this.cumPv = 0;
      this.cumV = 0;
    }
    this.cumPv += typicalPrice(high, low, close) * volume;
    this.cumV += volume;
    if (this.cumV > 0) this.value = this.cumPv / this.cumV;
    else this.value = NaN;
    return this.value;
  }
}
