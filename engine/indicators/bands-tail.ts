import type { Features } from './features.ts';
import { percentBValue, sliceSqDev, sliceSum } from './math.ts';

/** Bollinger / volume SMA window. */
const P = 20;
/** Squeeze reference window (bars of bandwidth). */
const BW_N = 120;
/**
 * Candidate window of the bandwidth minimum in the proxy q = M2 / mid² (∝ bandwidth²): bars whose proxy
 * exceeds the smallest by more than this factor cannot hold the minimum (see bandwidthMinOf).
 */
const Q_SLACK = 1 + 1e-6;
/** Smallest proxy the candidate filter trusts (bandwidth ≈ 1e-6); below it every bar is evaluated. */
const Q_FLOOR = 1.25e-12;

/** Window mean and M2 of the last 120 bars, oldest first (scratch; this module is not re-entrant). */
const mids = new Float64Array(BW_N);
const m2s = new Float64Array(BW_N);
/** The candidate proxy of each of those bars (see bandwidthMinOf). */
const qs = new Float64Array(BW_N);

/** Bandwidth (upper - lower) / mid of Bollinger(20, 2) from the window mean and M2, as FeatureState computes it. */
function bandwidthAt(mid: number, m2: number): number {
  const sd = Math.sqrt(m2 / P);
  return (mid + sd * 2 - (mid - sd * 2)) / mid;
}

/**
 * Writes Bollinger(20, 2), %B, the 120-bar bandwidth minimum (when 139+ bars) and the volume SMA(20) of
 * the last of `n` bars (n >= 20) into `f`, bit-identical to FeatureState: the window mean and M2 are
 * anchored (two-pass) at bars with (i + 1) % 20 === 0 and rolled in between, exactly as FeatureState
 * does over the whole history, starting from the last anchor before the 120-bar tail. Never throws.
 */
export function bandsTail(close: Float64Array, volume: Float64Array, n: number, f: Features): void {
  const from = Math.max(P - 1, n - BW_N);
  let anchor = from - ((from + 1) % P);
  const mid0 = sliceSum(close, anchor - (P - 1), anchor + 1) / P;
  const m20 = sliceSqDev(close, anchor - (P - 1), anchor + 1, mid0);
  if (anchor >= from) {
    mids[0] = mid0;
    m2s[0] = m20;
  }
  rollBands(close, anchor + 1, Math.min(n, anchor + P), from, mid0, m20, mids, m2s);
  for (anchor += P; anchor < n; anchor += P) {
    const mid = sliceSum(close, anchor - (P - 1), anchor + 1) / P;
    mids[anchor - from] = mid;
    m2s[anchor - from] = sliceSqDev(close, anchor - (P - 1), anchor + 1, mid);
    rollBands(close, anchor + 1, Math.min(n, anchor + P), from, mid, m2s[anchor - from], mids, m2s);
  }
  const mid = mids[n - 1 - from];
  const sd = Math.sqrt(m2s[n - 1 - from] / P);
  const upper = mid + sd * 2;
  const lower = mid - sd * 2;
  f.bbMid = mid;
  f.bbUpper = upper;
  f.bbLower = lower;
  f.bandwidth = (upper - lower) / mid;
  f.percentB = percentBValue(close[n - 1], upper, lower);
  f.volSma20 = sliceSum(volume, n - P, n) / P;
  f.bandwidthMin120 = n - (P - 1) >= BW_N ? bandwidthMinOf(BW_N) : NaN;
}

/**
 * Rolls the window mean and M2 from bar `i0 - 1` (values `mid`, `m2`) over bars [i0, i1) — no anchor
 * in between — storing bar i's values at [i - from] when i >= from. The arithmetic is rollMean then
 * rollM2 of math.ts, written out (see recursive-passes.ts on why hot loops do not call imported helpers).
 */
function rollBands(
  close: Float64Array, i0: number, i1: number, from: number, mid: number, m2: number, midOut: Float64Array, m2Out: Float64Array,
): void {
  let mean = mid;
  let sq = m2;
  for (let i = i0; i < i1; i++) {
    const xIn = close[i];
    const xOut = close[i - P];
    const m = mean + (xIn - xOut) / P; // rollMean(mean, xIn, xOut, P)
    const r = sq + (xIn - xOut) * ((xIn - m) + (xOut - mean)); // rollM2(sq, xIn, xOut, mean, m)
    sq = r < 0 ? 0 : r;
    mean = m;
    if (i >= from) {
      midOut[i - from] = mean;
      m2Out[i - from] = sq;
    }
  }
}

/**
 * The smallest bandwidth over the first `count` entries of mids/m2s, equal to the minimum of every
 * bandwidthAt (so to FeatureState's) without evaluating all of them: the square root and two divisions
 * per bar were most of this tail's cost.
 *
 * Proof sketch. The proxy q_k = m2_k / (mid_k·mid_k) is bandwidth_k² / 0.8 up to two roundings
 * (relative error < 5e-16). A bar k is skipped only when q_k > min q · (1 + 1e-6), i.e. its exact
 * bandwidth exceeds the narrowest bar b's by more than a factor 1 + 4.9e-7. The computed bandwidth
 * differs from the exact one by at most 2.3e-16 / bandwidth relatively plus a few ulps (upper - lower
 * loses the bits of mid), < 2.4e-10 when bandwidth >= 1e-6 (min q >= Q_FLOOR; skipped bars are wider
 * still). So a skipped bar's computed bandwidth is strictly above bar b's, which is evaluated, and
 * cannot be the minimum; every other bar is evaluated exactly. When a mean is not in (1e-30, 1e30), an
 * M2 is above 1e62 (keeps q finite and normal) or min q is under Q_FLOOR (near-flat windows), every bar
 * is evaluated.
 */
function bandwidthMinOf(count: number): number {
  const md = mids;
  const ms = m2s;
  const q = qs;
  let ok = true;
  let qMin = Infinity;
  for (let k = 0; k < count; k++) {
    const mid = md[k];
    const m2 = ms[k];
    if (!(mid > 1e-30 && mid < 1e30 && m2 >= 0 && m2 <= 1e62)) ok = false;
    const qk = m2 / (mid * mid);
    q[k] = qk;
    if (qk < qMin) qMin = qk;
  }
  if (ok && qMin >= Q_FLOOR) {
    const bound = qMin * Q_SLACK;
    let min = -1; // bandwidths are > 0 here; -1 means "none yet"
    for (let k = 0; k < count; k++) {
      if (q[k] > bound) continue;
      const bw = bandwidthAt(md[k], ms[k]);
      if (min < 0 || bw < min) min = bw;
    }
    return min;
  }
  let minAll = bandwidthAt(md[0], ms[0]);
  for (let k = 1; k < count; k++) {
    const bw = bandwidthAt(md[k], ms[k]);
    if (bw < minAll) minAll = bw;
  }
  return minAll;
}
