import { utcDayStart } from '../clock.ts';
import { bandsTail } from './bands-tail.ts';
import { usableLength } from './feature-columns.ts';
import type { FeatureColumns } from './feature-columns.ts';
import { createFeatures } from './feature-object.ts';
import type { Features } from './features.ts';
import { diValue, emaStep, rsiValue, sliceSum, typicalPrice } from './math.ts';
import {
  PASS_STATE_LENGTH, S_ADX, S_ATR, S_AVG_GAIN, S_AVG_LOSS, S_DEV, S_DN, S_E200, S_E50, S_ESA, S_HA_CLOSE, S_HA_OPEN, S_UP, S_WT,
  passDirectional, passMomentum, passWave, passWaveKeep,
} from './recursive-passes.ts';

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
/** First bar at which RSI and ATR (seeded at bars 14 and 13) are in their steady state. */
const MOMENTUM_FROM = P14 + 1;
/** First bar at which ADX (seeded at bar 26) is in its steady state. */
const STEADY_FROM = 2 * P14 - 1;
/** Bar count from which the EMA200 slope is reported (200 + 10). */
const SLOPE_FROM = 210;
/** Bar index from which WaveTrend is reported (max(10, 21, 4) - 1). */
const WT_WARM = 20;

// Snapshot slots of the state vector, after the passes' own slots.
const S_PREV_AVG_GAIN = 13;
const S_PREV_AVG_LOSS = 14;
const S_PREV_HA_OPEN = 15;
const S_PREV_HA_CLOSE = 16;
const S_E200_OLD = 17;
const S_DX_SUM = 18;

/** Recursion state and snapshots (scratch, reused across calls; this module is not re-entrant by design). */
const state = new Float64Array(PASS_STATE_LENGTH);
/** Typical price and wt1 of the kept tail bars (from the session start or 15 bars back); grown on demand. */
let tpKeep = new Float64Array(256);
let wtKeep = new Float64Array(256);

/**
 * Full recompute of the last bar's Features over `length` bars (default: all) of `cols`. Only the
 * recursive indicators (EMA, Wilder RSI/ATR/ADX, WaveTrend, Heikin-Ashi) walk every bar, in three
 * register-friendly loops (recursive-passes.ts); the windowed ones only read the tail they need:
 * Bollinger and the bandwidth minimum the last 120 bars from their anchor (bands-tail.ts), MFI the last
 * 15 bars, session VWAP the current UTC day (both from the typical prices the WaveTrend pass kept), the
 * streak and prev* values the last bars. Bit-identical to a FeatureState fed the same bars. Writes into
 * `out` when given (else a new object). Throws RangeError on a bad length or short columns; non-finite
 * inputs are not checked here and yield NaN features (FeatureState rejects them), and bar starts are
 * assumed ascending.
 */
export function computeFeatures(cols: FeatureColumns, length?: number, out?: Features): Features {
  const { start, open, high, low, close, volume } = cols;
  const n = length ?? close.length;
  // usableLength's checks on the six columns, inline (its keyed loop over the names cost ~1 % here);
  // on failure it is called for its RangeError.
  if (!(Number.isInteger(n) && n >= 1 && start.length >= n && open.length >= n && high.length >= n
    && low.length >= n && close.length >= n && volume.length >= n)) usableLength(cols, length);
  const f = out ?? createFeatures();
  const st = state;
  const last = n - 1;

  // Bars 0..14 with their seeding branches (all but WaveTrend, which needs none) ...
  warmUp(cols, st, Math.min(n, MOMENTUM_FROM), n);
  // ... then the steady state, stopping where a snapshot is due: EMA200 ten bars back, and the RSI
  // averages and Heikin-Ashi candle of the bar before the last. ADX still sums DX up to bar 26.
  if (n > MOMENTUM_FROM) {
    warmDirectional(cols, st, MOMENTUM_FROM, Math.min(n, STEADY_FROM));
    if (n > STEADY_FROM) passDirectional(cols, st, STEADY_FROM, n);
    let a = MOMENTUM_FROM;
    if (n >= SLOPE_FROM) {
      passMomentum(cols, st, a, n - 10);
      st[S_E200_OLD] = st[S_E200];
      a = n - 10;
    }
    passMomentum(cols, st, a, last);
    st[S_PREV_AVG_GAIN] = st[S_AVG_GAIN];
    st[S_PREV_AVG_LOSS] = st[S_AVG_LOSS];
    st[S_PREV_HA_OPEN] = st[S_HA_OPEN];
    st[S_PREV_HA_CLOSE] = st[S_HA_CLOSE];
    passMomentum(cols, st, last, n);
  }

  // WaveTrend from bar 1, keeping typical price and wt1 from the session start (or 15 bars back, for
  // MFI; at least the last 5 bars, for wt2) to the last bar.
  const s0 = sessionStart(start, last);
  const keepFrom = Math.max(0, Math.min(s0, n - 15));
  if (tpKeep.length < n - keepFrom) {
    tpKeep = new Float64Array(2 * (n - keepFrom));
    wtKeep = new Float64Array(2 * (n - keepFrom));
  }
  const tpK = tpKeep;
  const wtK = wtKeep;
  if (keepFrom === 0) {
    tpK[0] = typicalPrice(high[0], low[0], close[0]);
    wtK[0] = st[S_WT];
  }
  const w = Math.max(1, keepFrom);
  passWave(cols, st, 1, w);
  passWaveKeep(cols, st, w, n, tpK, wtK, keepFrom);

  f.bbMid = NaN;
  f.bbUpper = NaN;
  f.bbLower = NaN;
  f.bandwidth = NaN;
  f.percentB = NaN;
  f.bandwidthMin120 = NaN;
  f.volSma20 = NaN;
  if (n >= 20) bandsTail(close, volume, n, f);

  const c = close[last];
  const atr = st[S_ATR];
  f.rsi14 = last >= P14 ? rsiValue(st[S_AVG_GAIN], st[S_AVG_LOSS]) : NaN;
  f.prevRsi14 = last - 1 >= P14 ? rsiValue(st[S_PREV_AVG_GAIN], st[S_PREV_AVG_LOSS]) : NaN;
  const warm14 = n >= P14;
  f.atr14 = warm14 ? atr : NaN;
  f.atrPct = warm14 ? (atr / c) * 100 : NaN;
  f.plusDi = warm14 ? diValue(st[S_UP], atr) : NaN;
  f.minusDi = warm14 ? diValue(st[S_DN], atr) : NaN;
  f.adx14 = n >= STEADY_FROM ? st[S_ADX] : NaN;
  f.ema50 = n >= 50 ? st[S_E50] : NaN;
  const e200 = st[S_E200];
  const e200Old = st[S_E200_OLD];
  f.ema200 = n >= 200 ? e200 : NaN;
  f.ema200Slope = n >= SLOPE_FROM ? ((e200 - e200Old) / e200Old) * 100 : NaN;

  f.mfi14 = last >= P14 ? mfiOfKept(tpK, volume, last, keepFrom) : NaN;
  f.vwap = vwapOfKept(tpK, volume, s0, last, keepFrom);

  // Heikin-Ashi of the last bar.
  const haO = st[S_HA_OPEN];
  const haC = st[S_HA_CLOSE];
  f.haOpen = haO;
  f.haClose = haC;
  f.haHigh = Math.max(high[last], haO, haC);
  f.haLow = Math.min(low[last], haO, haC);
  if (n >= 2) {
    f.prevHaOpen = st[S_PREV_HA_OPEN];
    f.prevHaClose = st[S_PREV_HA_CLOSE];
  } else {
    f.prevHaOpen = NaN;
    f.prevHaClose = NaN;
  }

  // WaveTrend of the last two bars (wt2 = SMA4 of wt1, summed as FeatureState's ring does).
  const k = last - keepFrom;
  f.wt1 = last >= WT_WARM ? st[S_WT] : NaN;
  f.wt2 = last >= WT_WARM ? sliceSum(wtK, k - 3, k + 1) / 4 : NaN;
  f.prevWt1 = last - 1 >= WT_WARM ? wtK[k - 1] : NaN;
  f.prevWt2 = last - 1 >= WT_WARM ? sliceSum(wtK, k - 4, k) / 4 : NaN;

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
 * Bar 0 and bars [1, warmEnd) (warmEnd <= 15) of every recursion but WaveTrend's, with the seeding
 * branches (Wilder sums up to bar 13/14, DX sums from bar 13), into `st`; WaveTrend is only seeded. Records the RSI
 * averages after bar n-2 and the Heikin-Ashi candle before the last bar when they fall in this range.
 * The math.ts helpers FeatureState calls are written out operation by operation (recursive-passes.ts
 * says why), the seeds (bar 0) still call them.
 */
function warmUp(cols: FeatureColumns, st: Float64Array, warmEnd: number, n: number): void {
  const { open, high, low, close } = cols;
  let c = close[0];
  let h = high[0];
  let l = low[0];
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
  let haO = (open[0] + c) * 0.5;
  let haC = (open[0] + h + l + c) * 0.25;
  let prevHaO = 0;
  let prevHaC = 0;
  const tp = typicalPrice(h, l, c);
  const esa = emaStep(tp, tp, K10, KM10);
  const ad = Math.abs(tp - esa);
  const dev = emaStep(ad, ad, K10, KM10);
  const ci = dev === 0 ? 0 : (tp - esa) / (0.015 * dev);
  st[S_ESA] = esa;
  st[S_DEV] = dev;
  st[S_WT] = emaStep(ci, ci, K21, KM21);
  let pc = c;
  let ph = h;
  let pl = l;

  for (let i = 1; i < warmEnd; i++) {
    c = close[i];
    h = high[i];
    l = low[i];
    const count = i + 1;

    // RSI(14)
    const d = c - pc;
    const ad = Math.abs(d);
    const g = (d + ad) * 0.5; // gainOf(d)
    const lo = (ad - d) * 0.5; // lossOf(d)
    if (i <= P14) {
      gainSum += g;
      lossSum += lo;
      if (i === P14) {
        avgGain = gainSum / P14;
        avgLoss = lossSum / P14;
      }
    } else {
      avgGain = (g - avgGain) * K14 + avgGain; // wilderStep
      avgLoss = (lo - avgLoss) * K14 + avgLoss;
    }

    // ATR(14) and ADX(14) (±DM selected without a data-dependent branch, as in passDirectional)
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc)); // trueRange(h, l, pc)
    const upMove = h - ph;
    const downMove = pl - l;
    const pdm = upMove * (Number(upMove >= downMove) & Number(upMove >= 0)); // plusDm(h, ph, l, pl)
    const mdm = downMove * (Number(downMove >= upMove) & Number(downMove >= 0)); // minusDm(h, ph, l, pl)
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
      atr = (tr - atr) * K14 + atr;
      up = (pdm - up) * K14 + up;
      dn = (mdm - dn) * K14 + dn;
    }
    if (count >= P14) {
      const sum = up + dn;
      const dx = sum === 0 ? 0 : (Math.abs(up - dn) / sum) * 100; // dxValue(up, dn)
      const dxCount = count - P14 + 1;
      if (dxCount <= P14) {
        dxSum += dx;
        if (dxCount === P14) adx = dxSum / P14;
      } else {
        adx = (dx - adx) * K14 + adx;
      }
    }

    // EMAs
    e50 = c * K50 + e50 * KM50; // emaStep
    e200 = c * K200 + e200 * KM200;

    // Heikin-Ashi
    prevHaO = haO;
    prevHaC = haC;
    haO = (prevHaO + prevHaC) * 0.5;
    haC = (open[i] + h + l + c) * 0.25;

    if (i === n - 2) {
      prevAvgGain = avgGain;
      prevAvgLoss = avgLoss;
    }
    pc = c;
    ph = h;
    pl = l;
  }
  st[S_AVG_GAIN] = avgGain;
  st[S_AVG_LOSS] = avgLoss;
  st[S_ATR] = atr;
  st[S_UP] = up;
  st[S_DN] = dn;
  st[S_ADX] = adx;
  st[S_E50] = e50;
  st[S_E200] = e200;
  st[S_HA_OPEN] = haO;
  st[S_HA_CLOSE] = haC;
  st[S_PREV_AVG_GAIN] = prevAvgGain;
  st[S_PREV_AVG_LOSS] = prevAvgLoss;
  st[S_PREV_HA_OPEN] = prevHaO;
  st[S_PREV_HA_CLOSE] = prevHaC;
  st[S_DX_SUM] = dxSum;
}

/**
 * Bars [from, to) (15 <= from <= to <= 27) of the smoothed ±DM, summing DX and seeding ADX at bar 26,
 * continuing `st`; the arithmetic of passDirectional with ADX's seeding sum in place of its Wilder step.
 */
function warmDirectional(cols: FeatureColumns, st: Float64Array, from: number, to: number): void {
  const high = cols.high;
  const low = cols.low;
  let up = st[S_UP];
  let dn = st[S_DN];
  let dxSum = st[S_DX_SUM];
  for (let i = from; i < to; i++) {
    const upMove = high[i] - high[i - 1];
    const downMove = low[i - 1] - low[i];
    up = (upMove * (Number(upMove >= downMove) & Number(upMove >= 0)) - up) * K14 + up; // wilderStep(up, plusDm(..), K14)
    dn = (downMove * (Number(downMove >= upMove) & Number(downMove >= 0)) - dn) * K14 + dn; // wilderStep(dn, minusDm(..), K14)
    const sum = up + dn;
    dxSum += sum === 0 ? 0 : (Math.abs(up - dn) / sum) * 100; // dxValue(up, dn)
    if (i === STEADY_FROM - 1) st[S_ADX] = dxSum / P14;
  }
  st[S_UP] = up;
  st[S_DN] = dn;
  st[S_DX_SUM] = dxSum;
}

/**
 * Index of the first bar of bar `last`'s UTC day (FeatureState's session): the bars from there to
 * `last`. With ascending starts, a start >= the day's start lies in that day, so the scan compares
 * starts and only divides (utcDayStart, as FeatureState) at the boundary bar — which keeps the result
 * FeatureState's even for a start a rounding away from midnight (none exists for starts >= 1 ms).
 */
function sessionStart(start: Float64Array, last: number): number {
  const day = utcDayStart(start[last]);
  let s0 = last;
  while (s0 > 0 && start[s0 - 1] >= day) s0--;
  while (s0 > 0 && utcDayStart(start[s0 - 1]) === day) s0--;
  return s0;
}

/** MFI(14) of bar `last` (>= 14) from the kept typical prices (bar j at tp[j - base]), summed oldest first. */
function mfiOfKept(tp: Float64Array, volume: Float64Array, last: number, base: number): number {
  let pos = 0;
  let neg = 0;
  let tpPrev = tp[last - P14 - base];
  for (let j = last - P14 + 1; j <= last; j++) {
    const tpj = tp[j - base];
    const flow = tpj * volume[j];
    pos += tpj > tpPrev ? flow : 0;
    neg += tpj < tpPrev ? flow : 0;
    tpPrev = tpj;
  }
  const total = pos + neg;
  return total === 0 ? 50 : (100 * pos) / total;
}

/** Session VWAP of bar `last` from its session's first bar `s0`: NaN while the session has no volume. */
function vwapOfKept(tp: Float64Array, volume: Float64Array, s0: number, last: number, base: number): number {
  let cumPv = 0;
  let cumV = 0;
  for (let j = s0; j <= last; j++) {
    cumPv += tp[j - base] * volume[j];
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
