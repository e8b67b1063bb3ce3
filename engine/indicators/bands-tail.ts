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
 * Proof sketch. q_k = m2_k / mid_k² is bandwidth_k² / 0.8 before rounding; it is compared through the
 * cross products m2_k·mid_b² vs m2_b·mid_k² (relative error < 1e-15 each, no division). A bar k is
 * skipped only when m2_k·mid_b² > m2_b·mid_k²·(1 + 1e-6), i.e. its exact bandwidth exceeds bar b's by
 * more than a factor 1 + 4.9e-7. The computed bandwidth differs from the exact one by at most
 * 2.3e-16 / bandwidth relatively (the subtraction upper - lower loses the bits of mid), < 2.3e-10 when
 * bandwidth >= 1e-6 (q_b >= Q_FLOOR, and every skipped bar is wider still). So a skipped bar's computed
 * bandwidth is strictly above bar b's and cannot be the minimum; every other bar is evaluated exactly.
 * When a mean is not in (1e-30, 1e30), an M2 above 1e62 (the products could leave the normal range)
 * or the best proxy is under Q_FLOOR (near-flat windows), every bar is evaluated.
 */
function bandwidthMinOf(count: number): number {
  let ok = true;
  let b = 0;
  let midB = mids[0];
  let sqB = midB * midB;
  let m2B = m2s[0];
  for (let k = 0; k < count; k++) {
    const mid = mids[k];
    const m2 = m2s[k];
    ok = ok && mid > 1e-30 && mid < 1e30 && m2 >= 0 && m2 <= 1e62;
    const sq = mid * mid;
    if (m2 * sqB < m2B * sq) {
      b = k;
      midB = mid;
      sqB = sq;
      m2B = m2;
    }
  }
  let min = -1; // bandwidths are >= 0 here; -1 means "none yet"
  if (ok && m2B >= Q_FLOOR * sqB) {
    const bound = m2B * Q_SLACK;
    for (let k = 0; k < count; k++) {
      const mid = mids[k];
      if (m2s[k] * sqB > bound * (mid * mid)) continue;
      const bw = bandwidthAt(mid, m2s[k]);
      if (min < 0 || bw < min) min = bw;
    }
    return min;
  }
  let minAll = bandwidthAt(mids[0], m2s[0]);
  for (let k = 1; k < count; k++) {
    const bw = bandwidthAt(mids[k], m2s[k]);
    if (bw < minAll) minAll = bw;
  }
  return minAll;
}
