import { assertLength, assertPeriod, outFor } from './checks.ts';
import { diValue, dxValue, minusDm, plusDm, trueRange, wilderStep } from './math.ts';

/** Output columns of `adx` (each the input's length, NaN during warm-up). */
export interface AdxSeries {
  adx: Float64Array;
  /** +DI in percent (trading-signals' `pdi` × 100). */
  plusDi: Float64Array;
  /** -DI in percent. */
  minusDi: Float64Array;
  /** DX in percent (the series ADX smooths). */
  dx: Float64Array;
}

/**
 * Wilder ADX with +DI/-DI/DX, trading-signals' conventions: bar 0 contributes TR = high-low and zero
 * DMs, ATR/DM averages are SMA-seeded over `period` bars (DI/DX from bar period-1), ADX is the Wilder
 * average of DX from bar 2·period-2. Ties (up-move == down-move > 0) count for both DMs, as the oracle
 * does. Fills given `out` arrays, allocates the rest. Throws RangeError on a bad period or lengths.
 */
export function adx(
  high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out: Partial<AdxSeries> = {},
): AdxSeries {
  assertPeriod('period', period);
  const n = close.length;
  assertLength(n, ['high', 'low'], [high, low]);
  const res: AdxSeries = {
    adx: outFor(out.adx, n, 'out.adx'),
    plusDi: outFor(out.plusDi, n, 'out.plusDi'),
    minusDi: outFor(out.minusDi, n, 'out.minusDi'),
    dx: outFor(out.dx, n, 'out.dx'),
  };
  const { adx: adxOut, plusDi, minusDi, dx: dxOut } = res;
  const k = 1 / period;
  let trSum = 0;
  let upSum = 0;
  let dnSum = 0;
  let dxSum = 0;
  // Read only once assigned; a NaN start would keep these tagged (boxed every bar).
  let a = 0;
  let up = 0;
  let dn = 0;
  let ax = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const tr = i === 0 ? h - l : trueRange(h, l, close[i - 1]);
    const pdm = i === 0 ? 0 : plusDm(h, high[i - 1], l, low[i - 1]);
    const mdm = i === 0 ? 0 : minusDm(h, high[i - 1], l, low[i - 1]);
    const count = i + 1;
    if (count <= period) {
      trSum += tr;
      upSum += pdm;
      dnSum += mdm;
      if (count === period) {
        a = trSum / period;
        up = upSum / period;
        dn = dnSum / period;
      }
    } else {
      a = wilderStep(a, tr, k);
      up = wilderStep(up, pdm, k);
      dn = wilderStep(dn, mdm, k);
    }
    if (count < period) {
      adxOut[i] = plusDi[i] = minusDi[i] = dxOut[i] = NaN;
      continue;
    }
    const dx = dxValue(up, dn);
    const dxCount = count - period + 1;
    if (dxCount <= period) {
      dxSum += dx;
      if (dxCount === period) ax = dxSum / period;
    } else {
      ax = wilderStep(ax, dx, k);
    }
    plusDi[i] = diValue(up, a);
    minusDi[i] = diValue(dn, a);
    dxOut[i] = dx;
    if (dxCount >= period) adxOut[i] = ax;
    else adxOut[i] = NaN;
  }
  return res;
}

/** Incremental ADX/DI/DX, bit-identical to `adx`; the constructor throws RangeError on a bad period. */
export class AdxState {
  /** Smoothing length in bars. */
  readonly period: number;
  /** Latest ADX (the value `update` returns). */
  value = NaN;
  /** Latest +DI in percent. */
  plusDi = NaN;
  /** Latest -DI in percent. */
  minusDi = NaN;
  /** Latest DX in percent. */
  dx = NaN;
  private readonly k: number;
  private count = 0;
  private pHigh = NaN;
  private pLow = NaN;
  private pClose = NaN;
  private trSum = 0;
  private upSum = 0;
  private dnSum = 0;
  private dxSum = 0;
  private a = NaN;
  private up = NaN;
  private dn = NaN;
  private ax = NaN;

  /** Creates an empty state (default 14 bars). */
  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
    this.k = 1 / period;
  }

  /** Adds one bar, updates DI/DX fields and returns the newest ADX (NaN until warm); never throws. */
  update(high: number, low: number, close: number): number {
    const first = this.count === 0;
    const tr = first ? high - low : trueRange(high, low, this.pClose);
    const pdm = first ? 0 : plusDm(high, this.pHigh, low, this.pLow);
    const mdm = first ? 0 : minusDm(high, this.pHigh, low, this.pLow);
    this.pHigh = high;
    this.pLow = low;
    this.pClose = close;
    const p = this.period;
    const count = ++this.count;
    if (count <= p) {
      this.trSum += tr;
      this.upSum += pdm;
      this.dnSum += mdm;
      if (count === p) {
        this.a = this.trSum / p;
        this.up = this.upSum / p;
        this.dn = this.dnSum / p;
      }
    } else {
      this.a = wilderStep(this.a, tr, this.k);
      this.up = wilderStep(this.up, pdm, this.k);
      this.dn = wilderStep(this.dn, mdm, this.k);
    }
    if (count < p) return NaN;
    const dx = dxValue(this.up, this.dn);
    const dxCount = count - p + 1;
    if (dxCount <= p) {
      this.dxSum += dx;
      if (dxCount === p) this.ax = this.dxSum / p;
    } else {
      this.ax = wilderStep(this.ax, dx, this.k);
    }
    this.plusDi = diValue(this.up, this.a);
    this.minusDi = diValue(this.dn, this.a);
    this.dx = dx;
    if (dxCount >= p) this.value = this.ax;
    return this.value;
  }
}
