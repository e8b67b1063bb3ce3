import { utcDayStart } from '../clock.ts';
import { copyFeatures, createFeatures } from './feature-object.ts';
import type { Features } from './features.ts';
import {
  diValue, dxValue, emaStep, gainOf, lossOf, minusDm, percentBValue, plusDm, ringPush, rollM2, rollMean, rsiValue, sliceSqDev, sliceSum, sliceSumSeq, trueRange,
  typicalPrice, wilderStep,
} from './math.ts';

/** Bollinger / volume SMA window of the Features vector. */
const BB_N = 20;
/** Bollinger band width in standard deviations. */
const BB_MULT = 2;
/** Squeeze reference window (bars of bandwidth). */
const BW_N = 120;
/** RSI, ATR, ADX and MFI period. */
const P14 = 14;
/** Wilder factor 1/14. */
const K14 = 1 / P14;
/** EMA200 slope lookback in bars. */
const SLOPE_N = 10;
/** WaveTrend channel length, average length and signal SMA length (LazyBear defaults). */
const WT_CH = 10;
const WT_AVG = 21;
const WT_SIG = 4;
/** Bar index from which WaveTrend is reported (trading-signals: max of the three lengths - 1). */
const WT_WARM = Math.max(WT_CH, WT_AVG, WT_SIG) - 1;

const K50 = 2 / 51;
const KM50 = 1 - K50;
const K200 = 2 / 201;
const KM200 = 1 - K200;
const K10 = 2 / (WT_CH + 1);
const KM10 = 1 - K10;
const K21 = 2 / (WT_AVG + 1);
const KM21 = 1 - K21;

/**
 * Incremental indicator state of one series (symbol × interval): feed it each CLOSED bar once, oldest
 * first, and it returns that bar's Features. O(1) amortised per bar, no allocation after construction
 * (small typed-array rings and a monotonic deque for the 120-bar bandwidth minimum).
 *
 * The returned object is REUSED and overwritten by the next update: callers that keep features beyond
 * the next update must copy them (copyFeatures). Values are bit-identical to computeFeatures over the
 * same bars and to the batch kernels (sma, ema, rsi, atr, bollinger, adx, mfi, sessionVwap, heikinAshi,
 * waveTrend) at the same bar.
 */
export class FeatureState {
  private readonly f: Features = createFeatures();
  private n = 0;
  private lastStart = -Infinity;
  private pClose = NaN;
  private pHigh = NaN;
  private pLow = NaN;
  private pTp = NaN;
  // 20-bar double-written rings of close and volume: the window is buf[pos20 .. pos20+20).
  private readonly closeBuf = new Float64Array(2 * BB_N);
  private readonly volBuf = new Float64Array(2 * BB_N);
  private pos20 = 0;
  // Bollinger window mean and sum of squared deviations (anchored rolling, see rollM2).
  private bbMean = NaN;
  private bbM2 = NaN;
  // Monotonic deque of (bar index, bandwidth) for the 120-bar minimum.
  private readonly dqVal = new Float64Array(BW_N);
  private readonly dqIdx = new Float64Array(BW_N);
  private dqHead = 0;
  private dqSize = 0;
  private bwCount = 0;
  // RSI(14) Wilder.
  private gainSum = 0;
  private lossSum = 0;
  private avgGain = NaN;
  private avgLoss = NaN;
  // ATR(14) Wilder and ADX(14).
  private trSum = 0;
  private atr = NaN;
  private upSum = 0;
  private dnSum = 0;
  private up = NaN;
  private dn = NaN;
  private dxSum = 0;
  private adx = NaN;
  // EMAs and the EMA200 ring for the slope (value 10 bars ago at pos10).
  private e50 = NaN;
  private e200 = NaN;
  private readonly e200Buf = new Float64Array(SLOPE_N);
  private pos10 = 0;
  // MFI(14) rings of positive / negative raw money flow (0 when the flow went the other way).
  private readonly posBuf = new Float64Array(2 * P14);
  private readonly negBuf = new Float64Array(2 * P14);
  private pos14 = 0;
  // Session VWAP.
  private session = NaN;
  private cumPv = 0;
  private cumV = 0;
  // Heikin-Ashi.
  private haO = NaN;
  private haC = NaN;
  // WaveTrend.
  private esa = NaN;
  private dev = NaN;
  private wt = NaN;
  private readonly wtBuf = new Float64Array(2 * WT_SIG);
  private pos4 = 0;
  private streak = 0;

  /** Number of bars fed so far; never throws. */
  get bars(): number {
    return this.n;
  }

  /** Open time of the last bar fed (-Infinity before the first); never throws. */
  get lastBarStart(): number {
    return this.lastStart;
  }

  /** The Features of the last bar fed (the same reused object update returns); all NaN before the first. */
  get current(): Readonly<Features> {
    return this.f;
  }

  /** Forgets every bar so the state can be fed a series again from scratch (keeps its Features object); never throws. */
  reset(): void {
    const f = this.f;
    Object.assign(this, new FeatureState(), { f });
    copyFeatures(createFeatures(), f);
  }

  /**
   * Feeds one closed bar and returns its Features (a reused object — copy what you keep). Throws
   * RangeError, leaving the state untouched, when a value is not finite or `start` is not strictly
   * after the previous bar's start (a duplicate or out-of-order bar).
   */
  update(start: number, open: number, high: number, low: number, close: number, volume: number): Features {
    if (!(start > this.lastStart) || !Number.isFinite(start)) {
      throw new RangeError(`bar start ${String(start)} is not after the previous bar (${String(this.lastStart)})`);
    }
    if (!(Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) && Number.isFinite(volume))) {
      throw new RangeError('bar values must be finite numbers');
    }
    const f = this.f;
    const i = this.n;
    const count = i + 1;
    const tp = typicalPrice(high, low, close);
    const pc = this.pClose;

    // Rolling 20-bar windows: Bollinger(20, 2), bandwidth minimum, volume SMA.
    const leaving = this.closeBuf[this.pos20];
    ringPush(this.volBuf, BB_N, this.pos20, volume);
    const p = (this.pos20 = ringPush(this.closeBuf, BB_N, this.pos20, close));
    if (count >= BB_N) {
      let mid: number;
      let m2: number;
      if (count % BB_N === 0) {
        mid = sliceSum(this.closeBuf, p, p + BB_N) / BB_N;
        m2 = sliceSqDev(this.closeBuf, p, p + BB_N, mid);
      } else {
        mid = rollMean(this.bbMean, close, leaving, BB_N);
        m2 = rollM2(this.bbM2, close, leaving, this.bbMean, mid);
      }
      this.bbMean = mid;
      this.bbM2 = m2;
      const sd = Math.sqrt(m2 / BB_N);
      const upper = mid + sd * BB_MULT;
      const lower = mid - sd * BB_MULT;
      const bw = (upper - lower) / mid;
      f.bbMid = mid;
      f.bbUpper = upper;
      f.bbLower = lower;
      f.bandwidth = bw;
      f.percentB = percentBValue(close, upper, lower);
      f.volSma20 = sliceSum(this.volBuf, p, p + BB_N) / BB_N;
      this.pushBandwidth(i, bw);
      f.bandwidthMin120 = this.bwCount >= BW_N ? this.dqVal[this.dqHead] : NaN;
    }

    // RSI(14), Wilder, seeded by the SMA of the first 14 changes.
    f.prevRsi14 = f.rsi14;
    if (i >= 1) {
      const g = gainOf(close - pc);
      const lo = lossOf(close - pc);
      if (i <= P14) {
        this.gainSum += g;
        this.lossSum += lo;
        if (i === P14) {
          this.avgGain = this.gainSum / P14;
          this.avgLoss = this.lossSum / P14;
        }
      } else {
        this.avgGain = wilderStep(this.avgGain, g, K14);
        this.avgLoss = wilderStep(this.avgLoss, lo, K14);
      }
      if (i >= P14) f.rsi14 = rsiValue(this.avgGain, this.avgLoss);
    }

    // ATR(14) and ADX(14), Wilder; the first bar's TR is high-low and its DMs are 0.
    const tr = i === 0 ? high - low : trueRange(high, low, pc);
    const pdm = i === 0 ? 0 : plusDm(high, this.pHigh, low, this.pLow);
    const mdm = i === 0 ? 0 : minusDm(high, this.pHigh, low, this.pLow);
    if (count <= P14) {
      this.trSum += tr;
      this.upSum += pdm;
      this.dnSum += mdm;
      if (count === P14) {
        this.atr = this.trSum / P14;
        this.up = this.upSum / P14;
        this.dn = this.dnSum / P14;
      }
    } else {
      this.atr = wilderStep(this.atr, tr, K14);
      this.up = wilderStep(this.up, pdm, K14);
      this.dn = wilderStep(this.dn, mdm, K14);
    }
    if (count >= P14) {
      const atr = this.atr;
      f.atr14 = atr;
      f.atrPct = (atr / close) * 100;
      f.plusDi = diValue(this.up, atr);
      f.minusDi = diValue(this.dn, atr);
      const dx = dxValue(this.up, this.dn);
      const dxCount = count - P14 + 1;
      if (dxCount <= P14) {
        this.dxSum += dx;
        if (dxCount === P14) this.adx = this.dxSum / P14;
      } else {
        this.adx = wilderStep(this.adx, dx, K14);
      }
      if (dxCount >= P14) f.adx14 = this.adx;
    }

    // EMA(50), EMA(200) seeded by the first close; EMA200 slope over 10 bars.
    this.e50 = emaStep(i === 0 ? close : this.e50, close, K50, KM50);
    const e200 = emaStep(i === 0 ? close : this.e200, close, K200, KM200);
    this.e200 = e200;
    const old = this.e200Buf[this.pos10];
    this.e200Buf[this.pos10] = e200;
    this.pos10 = this.pos10 + 1 === SLOPE_N ? 0 : this.pos10 + 1;
    if (count >= 50) f.ema50 = this.e50;
    if (count >= 200) f.ema200 = e200;
    if (count >= 200 + SLOPE_N) f.ema200Slope = ((e200 - old) / old) * 100;

    // MFI(14) on typical price.
    if (i >= 1) {
      const flow = tp * volume;
      ringPush(this.negBuf, P14, this.pos14, tp < this.pTp ? flow : 0);
      const q = (this.pos14 = ringPush(this.posBuf, P14, this.pos14, tp > this.pTp ? flow : 0));
      if (i >= P14) {
        const pos = sliceSumSeq(this.posBuf, q, q + P14);
        const neg = sliceSumSeq(this.negBuf, q, q + P14);
        const total = pos + neg;
        f.mfi14 = total === 0 ? 50 : (100 * pos) / total;
      }
    }

    // Session VWAP, reset at each UTC day start.
    const day = utcDayStart(start);
    if (day !== this.session) {
      this.session = day;
      this.cumPv = 0;
      this.cumV = 0;
    }
    this.cumPv += tp * volume;
    this.cumV += volume;
    f.vwap = this.cumV > 0 ? this.cumPv / this.cumV : NaN;

    // Heikin-Ashi.
    const prevHaO = this.haO;
    const prevHaC = this.haC;
    const haC = (open + high + low + close) * 0.25;
    const haO = i === 0 ? (open + close) * 0.5 : (prevHaO + prevHaC) * 0.5;
    this.haO = haO;
    this.haC = haC;
    f.prevHaOpen = prevHaO;
    f.prevHaClose = prevHaC;
    f.haOpen = haO;
    f.haClose = haC;
    f.haHigh = Math.max(high, haO, haC);
    f.haLow = Math.min(low, haO, haC);

    // WaveTrend (LazyBear) on hlc3.
    const esa = emaStep(i === 0 ? tp : this.esa, tp, K10, KM10);
    const ad = Math.abs(tp - esa);
    const dev = emaStep(i === 0 ? ad : this.dev, ad, K10, KM10);
    const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    const wt = emaStep(i === 0 ? ci : this.wt, ci, K21, KM21);
    this.esa = esa;
    this.dev = dev;
    this.wt = wt;
    this.pos4 = ringPush(this.wtBuf, WT_SIG, this.pos4, wt);
    f.prevWt1 = f.wt1;
    f.prevWt2 = f.wt2;
    if (i >= WT_WARM) {
      f.wt1 = wt;
      f.wt2 = sliceSum(this.wtBuf, this.pos4, this.pos4 + WT_SIG) / WT_SIG;
    }

    // Close streak.
    let s = 0;
    if (close > pc) s = this.streak > 0 ? this.streak + 1 : 1;
    else if (close < pc) s = this.streak < 0 ? this.streak - 1 : -1;
    this.streak = s;

    f.start = start;
    f.open = open;
    f.high = high;
    f.low = low;
    f.close = close;
    f.volume = volume;
    f.prevClose = pc;
    f.streak = s;
    f.bars = count;

    this.pClose = close;
    this.pHigh = high;
    this.pLow = low;
    this.pTp = tp;
    this.lastStart = start;
    this.n = count;
    return f;
  }

  /** Pushes bandwidth `bw` of bar `i` into the monotonic min-deque, evicting bars older than 120. */
  private pushBandwidth(i: number, bw: number): void {
    const val = this.dqVal;
    const idx = this.dqIdx;
    let head = this.dqHead;
    let size = this.dqSize;
    while (size > 0 && idx[head] <= i - BW_N) {
      head = head + 1 === BW_N ? 0 : head + 1;
      size--;
    }
    while (size > 0) {
      let back = head + size - 1;
      if (back >= BW_N) back -= BW_N;
      if (val[back] >= bw) size--;
      else break;
    }
    let slot = head + size;
    if (slot >= BW_N) slot -= BW_N;
    val[slot] = bw;
    idx[slot] = i;
    this.dqHead = head;
    this.dqSize = size + 1;
    this.bwCount++;
  }
}
