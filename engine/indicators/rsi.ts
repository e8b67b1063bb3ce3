import { assertPeriod, outFor } from './checks.ts';
import { gainOf, lossOf, rsiValue, wilderStep } from './math.ts';

/**
 * Wilder RSI of `src` into `out`: average gain/loss seeded by the SMA of the first `period` changes,
 * then Wilder smoothing; 100 when the average loss is 0 (trading-signals' convention). First value at
 * bar `period`, NaN before. Throws RangeError on a bad period or an `out` of the wrong length.
 */
export function rsi(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = src.length;
  const dst = outFor(out, n);
  if (n === 0) return dst;
  const k = 1 / period;
  let gainSum = 0;
  let lossSum = 0;
  // Loop-carried doubles start at 0, not NaN (read only once assigned): a NaN start makes TurboFan
  // keep them tagged, which boxes every bar.
  let avgGain = 0;
  let avgLoss = 0;
  dst[0] = NaN;
  for (let i = 1; i < n; i++) {
    const d = src[i] - src[i - 1];
    const g = gainOf(d);
    const lo = lossOf(d);
    if (i <= period) {
      gainSum += g;
      lossSum += lo;
      if (i === period) {
        avgGain = gainSum / period;
        avgLoss = lossSum / period;
      }
    } else {
      avgGain = wilderStep(avgGain, g, k);
      avgLoss = wilderStep(avgLoss, lo, k);
    }
    if (i >= period) dst[i] = rsiValue(avgGain, avgLoss);
    else dst[i] = NaN;
  }
  return dst;
}

/** Incremental Wilder RSI, bit-identical to `rsi`; the constructor throws RangeError on a bad period. */
export class RsiState {
  /** Smoothing length in bars. */
  readonly period: number;
  /** Latest value (NaN until warm). */
  value = NaN;
  private readonly k: number;
  private prev = NaN;
  private count = 0;
  private gainSum = 0;
  private lossSum = 0;
  private avgGain = NaN;
  private avgLoss = NaN;

  /** Creates an empty state for `period` bars. */
  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.k = 1 / period;
  }

  /** Adds one price and returns the newest RSI (NaN for the first `period` prices); never throws. */
  update(x: number): number {
    const i = this.count++;
    const pc = this.prev;
    this.prev = x;
    if (i === 0) return (this.value = NaN);
    const g = gainOf(x - pc);
    const lo = lossOf(x - pc);
    if (i <= this.period) {
      this.gainSum += g;
      this.lossSum += lo;
      if (i === this.period) {
        this.avgGain = this.gainSum / this.period;
        this.avgLoss = this.lossSum / this.period;
      }
    } else {
      this.avgGain = wilderStep(this.avgGain, g, this.k);
      this.avgLoss = wilderStep(this.avgLoss, lo, this.k);
    }
    if (i >= this.period) this.value = rsiValue(this.avgGain, this.avgLoss);
    return this.value;
  }
}
