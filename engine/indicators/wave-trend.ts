import { assertLength, assertPeriod, outFor } from './checks.ts';
import { emaStep, ringPush, sliceSum, typicalPrice } from './math.ts';

/** Output columns of `waveTrend` (each the input's length, NaN during warm-up). */
export interface WaveTrendSeries {
  wt1: Float64Array;
  /** SMA(4) of wt1. */
  wt2: Float64Array;
}

/** Length of the wt2 signal SMA (LazyBear's 4). */
export const WAVE_TREND_SIGNAL = 4;

/**
 * LazyBear WaveTrend: ap = hlc3, esa = EMA(ap, channel), d = EMA(|ap-esa|, channel), ci =
 * (ap-esa)/(0.015·d) (0 when d is 0), wt1 = EMA(ci, average), wt2 = SMA(wt1, 4). EMAs are seeded with
 * their first input (trading-signals' WaveTrend); values reported from bar max(channel, average, 4)-1.
 * Fills given `out` arrays, allocates the rest. Throws RangeError on bad lengths or periods.
 */
export function waveTrend(
  high: Float64Array, low: Float64Array, close: Float64Array, channel = 10, average = 21,
  out: Partial<WaveTrendSeries> = {},
): WaveTrendSeries {
  assertPeriod('channel', channel);
  assertPeriod('average', average);
  const n = close.length;
  assertLength(n, ['high', 'low'], [high, low]);
  const res: WaveTrendSeries = { wt1: outFor(out.wt1, n, 'out.wt1'), wt2: outFor(out.wt2, n, 'out.wt2') };
  const { wt1, wt2 } = res;
  const kc = 2 / (channel + 1);
  const kcm = 1 - kc;
  const ka = 2 / (average + 1);
  const kam = 1 - ka;
  const warm = Math.max(channel, average, WAVE_TREND_SIGNAL) - 1;
  if (n === 0) return res;
  // Bar 0 seeds each EMA with its own first input (peeled, so the loop has no seed branches).
  const ap0 = typicalPrice(high[0], low[0], close[0]);
  let esa = emaStep(ap0, ap0, kc, kcm);
  const ad0 = Math.abs(ap0 - esa);
  let dev = emaStep(ad0, ad0, kc, kcm);
  const ci0 = dev === 0 ? 0 : (ap0 - esa) / (0.015 * dev);
  let wt = emaStep(ci0, ci0, ka, kam);
  wt1[0] = wt;
  // wt1 is written for every bar first (the SMA reads the raw, pre-warm values too), then masked.
  for (let i = 1; i < n; i++) {
    const ap = typicalPrice(high[i], low[i], close[i]);
    esa = emaStep(esa, ap, kc, kcm);
    const ad = Math.abs(ap - esa);
    dev = emaStep(dev, ad, kc, kcm);
    const ci = dev === 0 ? 0 : (ap - esa) / (0.015 * dev);
    wt = emaStep(wt, ci, ka, kam);
    wt1[i] = wt;
  }
  for (let i = 0; i < n; i++) {
    if (i >= warm) wt2[i] = sliceSum(wt1, i - WAVE_TREND_SIGNAL + 1, i + 1) / WAVE_TREND_SIGNAL;
    else wt2[i] = NaN;
  }
  for (let i = 0; i < n && i < warm; i++) wt1[i] = NaN;
  return res;
}

/** Incremental WaveTrend, bit-identical to `waveTrend`; the constructor throws RangeError on bad periods. */
export class WaveTrendState {
  /** Channel (esa/d) EMA length. */
  readonly channel: number;
  /** wt1 EMA length. */
  readonly average: number;
  /** Latest wt1 (the value `update` returns; NaN until warm). */
  wt1 = NaN;
  /** Latest wt2 = SMA(4) of wt1 (NaN until warm). */
  wt2 = NaN;
  private readonly kc: number;
  private readonly kcm: number;
  private readonly ka: number;
  private readonly kam: number;
  private readonly warm: number;
  private readonly buf = new Float64Array(2 * WAVE_TREND_SIGNAL);
  private pos = 0;
  private count = 0;
  private esa = NaN;
  private dev = NaN;
  private wt = NaN;

  /** Creates an empty state (defaults 10 and 21). */
  constructor(channel = 10, average = 21) {
    assertPeriod('channel', channel);
    assertPeriod('average', average);
    this.channel = channel;
    this.average = average;
    this.kc = 2 / (channel + 1);
    this.kcm = 1 - this.kc;
    this.ka = 2 / (average + 1);
    this.kam = 1 - this.ka;
    this.warm = Math.max(channel, average, WAVE_TREND_SIGNAL) - 1;
  }

  /** Adds one bar, updates wt1/wt2 and returns wt1 (NaN until warm); never throws. */
  update(high: number, low: number, close: number): number {
    const first = this.count === 0;
    const ap = typicalPrice(high, low, close);
    if (first) this.esa = ap;
    const esa = emaStep(this.esa, ap, this.kc, this.kcm);
    const ad = Math.abs(ap - esa);
    if (first) this.dev = ad;
    const dev = emaStep(this.dev, ad, this.kc, this.kcm);
    const ci = dev === 0 ? 0 : (ap - esa) / (0.015 * dev);
    if (first) this.wt = ci;
    const wt = emaStep(this.wt, ci, this.ka, this.kam);
    this.esa = esa;
    this.dev = dev;
    this.wt = wt;
    this.pos = ringPush(this.buf, WAVE_TREND_SIGNAL, this.pos, wt);
    if (this.count++ < this.warm) return NaN;
    this.wt1 = wt;
    this.wt2 = sliceSum(this.buf, this.pos, this.pos + WAVE_TREND_SIGNAL) / WAVE_TREND_SIGNAL;
    return wt;
  }
}
