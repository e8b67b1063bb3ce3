import { utcDayStart } from '../clock.ts';
import type { FeatureColumns } from './feature-columns.ts';
import { copyFeatures, createFeatures } from './feature-object.ts';
import type { Features } from './features.ts';
import {
  diValue, dxValue, emaStep, gainOf, lossOf, minusDm, percentBValue, plusDm, ringPush, rollM2, rollMean, rsiValue, sliceSqDev, sliceSum, sliceSumSeq, trueRange,
  typicalPrice, wilderStep,
} from './math.ts';

/** Slots of FeatureState.input: start, open, high, low, close, volume. */
const IS = 0;
const IO = 1;
const IH = 2;
const IL = 3;
const IC = 4;
const IV = 5;
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

/** The OHLCV fields of one closed bar (engine/market Bar satisfies it). */
export interface OhlcvBar {
  /** Bar open time, UTC epoch ms. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The RangeError for a bar that does not start after the previous one (kept out of the hot path). */
function startError(start: number, last: number): RangeError {
  return new RangeError(`bar start ${String(start)} is not after the previous bar (${String(last)})`);
}

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
  /** The bar being fed, as [start, open, high, low, close, volume]: typed-array stores never box. */
  private readonly input = new Float64Array(6);
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
   * after the previous bar's start (a duplicate or out-of-order bar). Same as updateBar.
   */
  update(start: number, open: number, high: number, low: number, close: number, volume: number): Features {
    const b = this.input;
    b[IS] = start;
    b[IO] = open;
    b[IH] = high;
    b[IL] = low;
    b[IC] = close;
    b[IV] = volume;
    return this.advance();
  }

  /** Feeds bar `i` of column arrays (no allocation); same contract and errors as update. */
  updateAt(cols: FeatureColumns, i: number): Features {
    const b = this.input;
    b[IS] = cols.start[i];
    b[IO] = cols.open[i];
    b[IH] = cols.high[i];
    b[IL] = cols.low[i];
    b[IC] = cols.close[i];
    b[IV] = cols.volume[i];
    return this.advance();
  }

  /** Feeds one closed bar object (e.g. a market Bar); same contract and errors as update. */
  updateBar(bar: Readonly<OhlcvBar>): Features {
    const b = this.input;
    b[IS] = bar.start;
    b[IO] = bar.open;
    b[IH] = bar.high;
    b[IL] = bar.low;
    b[IC] = bar.close;
    b[IV] = bar.volume;
    return this.advance();
  }

  /** Validates the bar in `input` and advances every indicator by it (see update). */
  private advance(): Features {
    const b = this.input;
    const start = b[IS];
    // `x - x === 0` is the finiteness test (false for NaN and ±Infinity); Number.isFinite would be a
    // generic builtin call here that boxes its argument on every bar.
    if (!(start > this.lastStart) || !(start - start === 0)) throw startError(start, this.lastStart);
    const o = b[IO];
    const h = b[IH];
    const l = b[IL];
    const c = b[IC];
    const v = b[IV];
    if (!(o - o === 0 && h - h === 0 && l - l === 0 && c - c === 0 && v - v === 0)) {
      throw new RangeError('bar values must be finite numbers');
    }
    // Split by indicator group so each method gets its own inlining budget and no double crosses a
    // call boundary (a non-inlined call taking or returning a double boxes it, i.e. allocates).
    const i = this.n;
    this.stepBands(i);
    this.stepDirectional(i);
    this.stepAverages(i);
    this.stepCandles(i);

    const f = this.f;
    f.start = start;
    f.open = o;
    f.high = h;
    f.low = l;
    f.close = c;
    f.volume = v;
    f.prevClose = this.pClose;
    f.bars = i + 1;
    this.pClose = c;
    this.pHigh = h;
    this.pLow = l;
    this.pTp = typicalPrice(h, l, c);
    this.lastStart = start;
    this.n = i + 1;
    return f;
  }

  /** Bollinger(20, 2) (anchored rolling), its 120-bar bandwidth minimum and the volume SMA(20). */
  private stepBands(i: number): void {
    const inp = this.input;
    const f = this.f;
    const close = inp[IC];
    const count = i + 1;
    const leaving = this.closeBuf[this.pos20];
    ringPush(this.volBuf, BB_N, this.pos20, inp[IV]);
    const p = (this.pos20 = ringPush(this.closeBuf, BB_N, this.pos20, close));
    if (count < BB_N) return;
    // Results go straight to fields in each branch: a phi merging the anchor's (possibly non-inlined,
    // tagged) sums with the rolled float64 values would box on every bar.
    if (count % BB_N === 0) {
      const a = sliceSum(this.closeBuf, p, p + BB_N) / BB_N;
      this.bbMean = a;
      this.bbM2 = sliceSqDev(this.closeBuf, p, p + BB_N, a);
    } else {
      const m = rollMean(this.bbMean, close, leaving, BB_N);
      this.bbM2 = rollM2(this.bbM2, close, leaving, this.bbMean, m);
      this.bbMean = m;
    }
    const mid = this.bbMean;
    const m2 = this.bbM2;
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

    // Monotonic deque of (bar index, bandwidth): evict bars older than 120, drop larger tails, push.
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
    if (this.bwCount >= BW_N) f.bandwidthMin120 = val[head];
  }

  /** RSI(14), ATR(14) and ADX(14) with ±DI, all Wilder; bar 0 has TR = high-low and zero DMs. */
  private stepDirectional(i: number): void {
    const inp = this.input;
    const f = this.f;
    const high = inp[IH];
    const low = inp[IL];
    const close = inp[IC];
    const pc = this.pClose;
    const count = i + 1;
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
    if (count < P14) return;
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

  /** EMA(50), EMA(200) and its 10-bar slope, MFI(14) and the session VWAP. */
  private stepAverages(i: number): void {
    const inp = this.input;
    const f = this.f;
    const close = inp[IC];
    const volume = inp[IV];
    const count = i + 1;
    // Seeds are stored first rather than selected with `i === 0 ? close : this.e50`: a ternary mixing a
    // field load with another value becomes a tagged phi in TurboFan and boxes (allocates) every bar.
    if (i === 0) {
      this.e50 = close;
      this.e200 = close;
    }
    this.e50 = emaStep(this.e50, close, K50, KM50);
    const e200 = emaStep(this.e200, close, K200, KM200);
    this.e200 = e200;
    const old = this.e200Buf[this.pos10];
    this.e200Buf[this.pos10] = e200;
    this.pos10 = this.pos10 + 1 === SLOPE_N ? 0 : this.pos10 + 1;
    if (count >= 50) f.ema50 = this.e50;
    if (count >= 200) f.ema200 = e200;
    if (count >= 200 + SLOPE_N) f.ema200Slope = ((e200 - old) / old) * 100;

    const tp = typicalPrice(inp[IH], inp[IL], close);
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

    const day = utcDayStart(inp[IS]);
    if (day !== this.session) {
      this.session = day;
      this.cumPv = 0;
      this.cumV = 0;
    }
    this.cumPv += tp * volume;
    this.cumV += volume;
    if (this.cumV > 0) f.vwap = this.cumPv / this.cumV;
    else f.vwap = NaN;
  }

  /** Heikin-Ashi, WaveTrend (LazyBear, hlc3) and the close streak. */
  private stepCandles(i: number): void {
    const inp = this.input;
    const f = this.f;
    const open = inp[IO];
    const high = inp[IH];
    const low = inp[IL];
    const close = inp[IC];
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

    const tp = typicalPrice(high, low, close);
    if (i === 0) this.esa = tp;
    const esa = emaStep(this.esa, tp, K10, KM10);
    const ad = Math.abs(tp - esa);
    if (i === 0) this.dev = ad;
    const dev = emaStep(this.dev, ad, K10, KM10);
    const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    if (i === 0) this.wt = ci;
    const wt = emaStep(this.wt, ci, K21, KM21);
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

    const pc = this.pClose;
    let s = 0;
    if (close > pc) s = this.streak > 0 ? this.streak + 1 : 1;
    else if (close < pc) s = this.streak < 0 ? this.streak - 1 : -1;
    this.streak = s;
    f.streak = s;
  }
}
