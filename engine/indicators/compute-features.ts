import { utcDayStart } from '../clock.ts';
import { usableLength } from './feature-columns.ts';
import type { FeatureColumns } from './feature-columns.ts';
import { createFeatures } from './feature-object.ts';
import type { Features } from './features.ts';
import {
  diValue, dxValue, emaStep, gainOf, lossOf, minusDm, percentBValue, plusDm, rollM2, rollMean, rsiValue, sliceSqDev, sliceSum, trueRange,
  typicalPrice, wilderStep,
} from './math.ts';

const P14 = 14;
const K14 = 1 / P14;
const K50 = 2 / 51;
const KM50 = 1 - K50;
const K200 = 2 / 201;
const KM200 = 1 - K200;
const K10 = 2 / 11;
const KM10 = 1 - K10;
const K21 = 2 / 22;
const KM21 = 1 - K21;
/** First bar at which every Wilder average (incl. ADX, seeded at bar 26) is in its steady state. */
const STEADY_FROM = 2 * P14 - 1;
/** Bar index from which WaveTrend is reported (max(10, 21, 4) - 1). */
const WT_WARM = 20;

/** wt1 of the last five bars (scratch, reused across calls; this module is not re-entrant by design). */
const wtTail = new Float64Array(5);

/**
 * Full recompute of the last bar's Features over `length` bars (default: all) of `cols`, in one fused
 * pass: recursive indicators (EMA, Wilder RSI/ATR/ADX, WaveTrend, Heikin-Ashi) walk every bar, windowed
 * ones (Bollinger, bandwidth minimum, MFI, volume SMA, session VWAP, streak) only read the tail they
 * need. Bit-identical to a FeatureState fed the same bars. Writes into `out` when given (else a new
 * object). Throws RangeError on a bad length or short columns; non-finite inputs are not checked here
 * and yield NaN features (FeatureState rejects them), and bar starts are assumed ascending.
 */
export function computeFeatures(cols: FeatureColumns, length?: number, out?: Features): Features {
  const n = usableLength(cols, length);
  const { start, open, high, low, close, volume } = cols;
  const f = out ?? createFeatures();
  const last = n - 1;

  // Bar 0 seeds every recursion.
  let c = close[0];
  let h = high[0];
  let l = low[0];
  let tp = typicalPrice(h, l, c);
  let trSum = high[0] - low[0];
  let upSum = 0;
  let dnSum = 0;
  let gainSum = 0;
  let lossSum = 0;
  // Loop-carried doubles start at 0, never NaN: each is read only once assigned (guarded by the bar
  // counts below), and a NaN start makes TurboFan keep the loop phis tagged, boxing every bar.
  let atr = 0;
  let up = 0;
  let dn = 0;
  let dxSum = 0;
  let adx = 0;
  let avgGain = 0;
  let avgLoss = 0;
  let prevAvgGain = 0;
  let prevAvgLoss = 0;
  let e50 = emaStep(c, c, K50, KM50);
  let e200 = emaStep(c, c, K200, KM200);
  let e200Old = 0;
  let haO = (open[0] + c) * 0.5;
  let haC = (open[0] + h + l + c) * 0.25;
  let prevHaO = 0;
  let prevHaC = 0;
  let esa = emaStep(tp, tp, K10, KM10);
  let ad = Math.abs(tp - esa);
  let dev = emaStep(ad, ad, K10, KM10);
  let ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
  let wt = emaStep(ci, ci, K21, KM21);
  if (n <= 5) wtTail[5 - n] = wt;
  if (n === 11) e200Old = e200;
  let pc = c;
  let ph = h;
  let pl = l;

  // Warm-up bars (seeding branches) ...
  const warmEnd = Math.min(n, STEADY_FROM);
  for (let i = 1; i < warmEnd; i++) {
    c = close[i];
    h = high[i];
    l = low[i];
    const count = i + 1;

    // RSI(14)
    const g = gainOf(c - pc);
    const lo = lossOf(c - pc);
    if (i <= P14) {
      gainSum += g;
      lossSum += lo;
      if (i === P14) {
        avgGain = gainSum / P14;
        avgLoss = lossSum / P14;
      }
    } else {
      avgGain = wilderStep(avgGain, g, K14);
      avgLoss = wilderStep(avgLoss, lo, K14);
    }

    // ATR(14) and ADX(14)
    const tr = trueRange(h, l, pc);
    const pdm = plusDm(h, ph, l, pl);
    const mdm = minusDm(h, ph, l, pl);
    if (count <= P14) {
      trSum += tr;
      upSum += pdm;
      dnSum += mdm;
      if (count === P14) {
        atr = trSum / P14;
        up = upSum / P14;
        dn = dnSum / P14;
      }
    } else {
      atr = wilderStep(atr, tr, K14);
      up = wilderStep(up, pdm, K14);
      dn = wilderStep(dn, mdm, K14);
    }
    if (count >= P14) {
      const dx = dxValue(up, dn);
      const dxCount = count - P14 + 1;
      if (dxCount <= P14) {
        dxSum += dx;
        if (dxCount === P14) adx = dxSum / P14;
      } else {
        adx = wilderStep(adx, dx, K14);
      }
    }

    // EMAs
    e50 = emaStep(e50, c, K50, KM50);
    e200 = emaStep(e200, c, K200, KM200);

    // Heikin-Ashi
    prevHaO = haO;
    prevHaC = haC;
    haO = (prevHaO + prevHaC) * 0.5;
    haC = (open[i] + h + l + c) * 0.25;

    // WaveTrend
    tp = typicalPrice(h, l, c);
    esa = emaStep(esa, tp, K10, KM10);
    ad = Math.abs(tp - esa);
    dev = emaStep(dev, ad, K10, KM10);
    ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    wt = emaStep(wt, ci, K21, KM21);

    // Snapshots the tail needs (rarely true, well predicted).
    if (i >= n - 11) {
      if (i === n - 11) e200Old = e200;
      if (i === n - 2) {
        prevAvgGain = avgGain;
        prevAvgLoss = avgLoss;
      }
      if (i >= n - 5) wtTail[i - n + 5] = wt;
    }
    pc = c;
    ph = h;
    pl = l;
  }

  // ... then the steady state: every average is seeded, so the loop body has no warm-up branches
  // (fewer live values, no spills). Same helper calls in the same order as above and as FeatureState.
  for (let i = STEADY_FROM; i < n; i++) {
    const c = close[i];
    const h = high[i];
    const l = low[i];
    const d = c - pc;
    avgGain = wilderStep(avgGain, gainOf(d), K14);
    avgLoss = wilderStep(avgLoss, lossOf(d), K14);
    atr = wilderStep(atr, trueRange(h, l, pc), K14);
    up = wilderStep(up, plusDm(h, ph, l, pl), K14);
    dn = wilderStep(dn, minusDm(h, ph, l, pl), K14);
    adx = wilderStep(adx, dxValue(up, dn), K14);
    e50 = emaStep(e50, c, K50, KM50);
    e200 = emaStep(e200, c, K200, KM200);
    prevHaO = haO;
    prevHaC = haC;
    haO = (prevHaO + prevHaC) * 0.5;
    haC = (open[i] + h + l + c) * 0.25;
    const tp = typicalPrice(h, l, c);
    esa = emaStep(esa, tp, K10, KM10);
    const ad = Math.abs(tp - esa);
    dev = emaStep(dev, ad, K10, KM10);
    const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
    wt = emaStep(wt, ci, K21, KM21);
    if (i >= n - 11) {
      if (i === n - 11) e200Old = e200;
      if (i === n - 2) {
        prevAvgGain = avgGain;
        prevAvgLoss = avgLoss;
      }
      if (i >= n - 5) wtTail[i - n + 5] = wt;
    }
    pc = c;
    ph = h;
    pl = l;
  }
  c = close[last];
  h = high[last];
  l = low[last];

  // Bollinger(20, 2) of the last 120 bars for the bandwidth minimum (the last one is the bar's own),
  // anchored rolling exactly as FeatureState: two-pass at bars with (i + 1) % 20 === 0, rolled between.
  f.bbMid = NaN;
  f.bbUpper = NaN;
  f.bbLower = NaN;
  f.bandwidth = NaN;
  f.percentB = NaN;
  f.bandwidthMin120 = NaN;
  f.volSma20 = NaN;
  if (n >= 20) bandsTail(close, volume, n, f);

  f.rsi14 = last >= P14 ? rsiValue(avgGain, avgLoss) : NaN;
  f.prevRsi14 = last - 1 >= P14 ? rsiValue(prevAvgGain, prevAvgLoss) : NaN;
  const warm14 = n >= P14;
  f.atr14 = warm14 ? atr : NaN;
  f.atrPct = warm14 ? (atr / c) * 100 : NaN;
  f.plusDi = warm14 ? diValue(up, atr) : NaN;
  f.minusDi = warm14 ? diValue(dn, atr) : NaN;
  f.adx14 = n >= 2 * P14 - 1 ? adx : NaN;
  f.ema50 = n >= 50 ? e50 : NaN;
  f.ema200 = n >= 200 ? e200 : NaN;
  f.ema200Slope = n >= 210 ? ((e200 - e200Old) / e200Old) * 100 : NaN;

  // Tails in their own small functions: inside this large function their helper calls would miss
  // TurboFan's inlining budget and box every double argument.
  if (last >= P14) f.mfi14 = mfiAt(cols, last);
  else f.mfi14 = NaN;
  f.vwap = sessionVwapAt(cols, last);

  // Heikin-Ashi of the last bar.
  f.haOpen = haO;
  f.haClose = haC;
  f.haHigh = Math.max(h, haO, haC);
  f.haLow = Math.min(l, haO, haC);
  if (n >= 2) {
    f.prevHaOpen = prevHaO;
    f.prevHaClose = prevHaC;
  } else {
    f.prevHaOpen = NaN;
    f.prevHaClose = NaN;
  }

  // WaveTrend of the last two bars.
  f.wt1 = last >= WT_WARM ? wt : NaN;
  f.wt2 = last >= WT_WARM ? sliceSum(wtTail, 1, 5) / 4 : NaN;
  f.prevWt1 = last - 1 >= WT_WARM ? wtTail[3] : NaN;
  f.prevWt2 = last - 1 >= WT_WARM ? sliceSum(wtTail, 0, 4) / 4 : NaN;

  const streak = streakAt(close, last);

  f.start = start[last];
  f.open = open[last];
  f.high = high[last];
  f.low = low[last];
  f.close = c;
  f.volume = volume[last];
  f.prevClose = last >= 1 ? close[last - 1] : NaN;
  f.streak = streak;
  f.bars = n;
  return f;
}

/**
 * Bollinger(20, 2) of the last bar and the minimum bandwidth of the last 120 bars into `f` (n >= 20),
 * anchored rolling exactly as FeatureState: two-pass at bars with (i + 1) % 20 === 0, rolled between.
 */
function bandsTail(close: Float64Array, volume: Float64Array, n: number, f: Features): void {
  const from = Math.max(19, n - 120);
  const anchor = from - ((from + 1) % 20);
  let bwMin = -1; // bandwidths are >= 0; -1 means "none yet" (an Infinity start would box)
  let mid = sliceSum(close, anchor - 19, anchor + 1) / 20;
  let m2 = sliceSqDev(close, anchor - 19, anchor + 1, mid);
  let upper = 0;
  let lower = 0;
  let bw = 0;
  for (let i = anchor; i < n; i++) {
    if (i > anchor) {
      if ((i + 1) % 20 === 0) {
        mid = sliceSum(close, i - 19, i + 1) / 20;
        m2 = sliceSqDev(close, i - 19, i + 1, mid);
      } else {
        const m = rollMean(mid, close[i], close[i - 20], 20);
        m2 = rollM2(m2, close[i], close[i - 20], mid, m);
        mid = m;
      }
    }
    if (i >= from) {
      const sd = Math.sqrt(m2 / 20);
      upper = mid + sd * 2;
      lower = mid - sd * 2;
      bw = (upper - lower) / mid;
      if (bwMin < 0 || bw < bwMin) bwMin = bw;
    }
  }
  f.bbMid = mid;
  f.bbUpper = upper;
  f.bbLower = lower;
  f.bandwidth = bw;
  f.percentB = percentBValue(close[n - 1], upper, lower);
  if (n - 19 >= 120) f.bandwidthMin120 = bwMin;
  f.volSma20 = sliceSum(volume, n - 20, n) / 20;
}

/** MFI(14) of bar `last` (>= 14) from the 15 bars ending there, summed oldest first. */
function mfiAt(cols: FeatureColumns, last: number): number {
  const { high, low, close, volume } = cols;
  let pos = 0;
  let neg = 0;
  let tpPrev = typicalPrice(high[last - P14], low[last - P14], close[last - P14]);
  for (let j = last - P14 + 1; j <= last; j++) {
    const tpj = typicalPrice(high[j], low[j], close[j]);
    const flow = tpj * volume[j];
    pos += tpj > tpPrev ? flow : 0;
    neg += tpj < tpPrev ? flow : 0;
    tpPrev = tpj;
  }
  const total = pos + neg;
  return total === 0 ? 50 : (100 * pos) / total;
}

/** Session VWAP of bar `last`: from the first bar of its UTC day, NaN while the session has no volume. */
function sessionVwapAt(cols: FeatureColumns, last: number): number {
  const { start, high, low, close, volume } = cols;
  const day = utcDayStart(start[last]);
  let s0 = last;
  while (s0 > 0 && utcDayStart(start[s0 - 1]) === day) s0--;
  let cumPv = 0;
  let cumV = 0;
  for (let j = s0; j <= last; j++) {
    cumPv += typicalPrice(high[j], low[j], close[j]) * volume[j];
    cumV += volume[j];
  }
  if (cumV > 0) return cumPv / cumV;
  return NaN;
}

/** Consecutive closes up (>0) or down (<0) ending at bar `last`; 0 when unchanged or at bar 0. */
function streakAt(close: Float64Array, last: number): number {
  if (last < 1) return 0;
  const dir = close[last] > close[last - 1] ? 1 : close[last] < close[last - 1] ? -1 : 0;
  let streak = 0;
  if (dir === 0) return 0;
  let j = last;
  while (j >= 1 && (dir > 0 ? close[j] > close[j - 1] : close[j] < close[j - 1])) {
    streak += dir;
    j--;
  }
  return streak;
}
