import { assertLength, outFor } from './checks.ts';

/** Output columns of `heikinAshi` (each the input's length). */
export interface HeikinAshiSeries {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/**
 * Heikin-Ashi candles: close = (o+h+l+c)/4, open = (prev HA open + prev HA close)/2 seeded with
 * (o+c)/2 on bar 0, high/low = extremes of the bar and the HA open/close. Fills given `out` arrays,
 * allocates the rest. Throws RangeError on arrays of different lengths.
 */
export function heikinAshi(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array,
  out: Partial<HeikinAshiSeries> = {},
): HeikinAshiSeries {
  const n = close.length;
  assertLength(n, ['open', 'high', 'low'], [open, high, low]);
  const res: HeikinAshiSeries = {
    open: outFor(out.open, n, 'out.open'),
    high: outFor(out.high, n, 'out.high'),
    low: outFor(out.low, n, 'out.low'),
    close: outFor(out.close, n, 'out.close'),
  };
  let haO = 0; // read only once assigned (see rsi.ts on NaN starts)
  let haC = 0;
  for (let i = 0; i < n; i++) {
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    haO = i === 0 ? (o + c) * 0.5 : (haO + haC) * 0.5;
    haC = (o + h + l + c) * 0.25;
    res.open[i] = haO;
    res.close[i] = haC;
    res.high[i] = Math.max(h, haO, haC);
    res.low[i] = Math.min(l, haO, haC);
  }
  return res;
}

/** Incremental Heikin-Ashi, bit-identical to `heikinAshi`; never throws. */
export class HeikinAshiState {
  /** Latest HA open. */
  open = NaN;
  /** Latest HA high. */
  high = NaN;
  /** Latest HA low. */
  low = NaN;
  /** Latest HA close (the value `update` returns). */
  close = NaN;
  private count = 0;

  /** Adds one bar, updates the HA fields and returns the HA close; never throws. */
  update(open: number, high: number, low: number, close: number): number {
    const haO = this.count++ === 0 ? (open + close) * 0.5 : (this.open + this.close) * 0.5;
    const haC = (open + high + low + close) * 0.25;
    this.open = haO;
    this.close = haC;
    this.high = Math.max(high, haO, haC);
    this.low = Math.min(low, haO, haC);
    return haC;
  }
}
