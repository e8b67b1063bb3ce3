import { METRIC_NAMES } from '../schemas.ts';
import type { MetricName, ScorePart, Side } from '../schemas.ts';
import type { Features } from '../indicators/features.ts';

/** Weight of each metric in the weighted mean, in METRIC_NAMES order (band position and RSI lead). */
export const METRIC_WEIGHTS: Readonly<Record<MetricName, number>> = Object.freeze({
  bandPosition: 1.25,
  rsi: 1.25,
  volume: 1,
  funding: 0.75,
  squeeze: 0.75,
  trend: 1.25,
  volatility: 0.75,
  streak: 0.75,
});

/** The neutral funding rate (Bybit's base interest component, 0.01 % per interval): scores 5 for both sides. */
export const FUNDING_NEUTRAL = 0.0001;
/** Funding distance from neutral that moves the funding part all the way to 0 or 10. */
export const FUNDING_SPAN = 0.0005;

/**
 * How band position, RSI and streak are read: 'reversion' trades fade the stretch (a long likes price
 * below the lower band), 'momentum' trades join it (a long likes a close above the upper band).
 */
export type ScoreStyle = 'reversion' | 'momentum';

/** A 0..10 score and its 8 parts (METRIC_NAMES order). */
export interface ScoreResult {
  score: number;
  parts: ScorePart[];
}

const N = METRIC_NAMES.length;
const W = new Float64Array(N);
let WSUM = 0;
for (let i = 0; i < N; i++) {
  W[i] = METRIC_WEIGHTS[METRIC_NAMES[i]];
  WSUM += W[i];
}

const clamp01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);
/** Slots a scoreInto buffer needs: 8 part scores then 8 raw values. */
export const SCORE_BUFFER_LENGTH = 2 * N;

/** 0..10 from a 0..1 fraction; NaN (not warm / undefined) scores a neutral 5. */
const ten = (x: number): number => (x === x ? 10 * clamp01(x) : 5);
const fin = (x: number): number => (x === x && x !== Infinity && x !== -Infinity ? x : NaN);

/**
 * Fills `out` (length ≥ 16) with the 8 part scores (slots 0..7, rounded to 2 decimals) and their raw
 * values (slots 8..15, NaN = none) for a `side` trade on `f`, and returns the weighted-mean score
 * rounded to 2 decimals. Allocation-free (the hot path). Each part, for a 'reversion' long (shorts
 * mirror where side matters; 'momentum' flips band position, RSI and streak so a breakout long likes
 * a close above the upper band, RSI strength and an up streak):
 * - bandPosition: (0.6 − %B)/0.8 where %B is that of the bar low (reversion long; the high for a
 *   short; the close for momentum) — a low 0.2 band-widths through the lower band is 10, a touch 7.5,
 *   %B 0.6 or more is 0;
 * - rsi: (60 − RSI)/40 with the lower of this and the previous bar's RSI(14) (a reversal bar has often
 *   just left the extreme) — RSI 20 is 10, 30 is 7.5, 60 or more is 0;
 * - volume: volume / SMA20(volume) / 3 — three times average volume is 10 (side-neutral);
 * - funding: 5 − 5·(rate − 0.01 %)/0.05 % — negative funding (crowded shorts) favours a long, and a
 *   missing rate is a neutral 5;
 * - squeeze: (3 − bandwidth/min120)/2 — bands at their 120-bar low are 10 (side-neutral);
 * - trend: mean of close-vs-EMA200 (in 10 ATR), EMA200 10-bar slope (in ATR units) and +DI−DI (±20);
 * - volatility: ATR% between 0.6 % and 4 % is 10, ramping from 0 at 0.15 % (fees eat the move) and down
 *   to 0 at 12 % (stops become noise) (side-neutral);
 * - streak: 0.5 − streak/8 — four or more down closes in a row is 10 for a long (exhaustion).
 * Features that are NaN give a neutral 5 for that part. Never throws.
 */
export function scoreInto(f: Features, side: Side, funding: number | null, out: Float64Array, style: ScoreStyle = 'reversion'): number {
  const s = side === 'long' ? 1 : -1;
  // r = +1 when the trade likes price low (reversion long, momentum short), −1 when it likes price high.
  const r = style === 'momentum' ? -s : s;

  // Reversion reads the bar's extreme toward the trade (a long: where the low reached), momentum the close.
  const width = f.bbUpper - f.bbLower;
  const px = style === 'momentum' ? f.close : s === 1 ? f.low : f.high;
  const pb = width > 0 ? fin((px - f.bbLower) / width) : fin(f.percentB);
  out[0] = ten(r === 1 ? (0.6 - pb) / 0.8 : (pb - 0.4) / 0.8);
  out[8] = pb;

  // The stretch of this bar or the one before (a reversal bar has usually just left the extreme).
  const r0 = fin(f.rsi14);
  const r1 = fin(f.prevRsi14);
  const rsi = r1 !== r1 ? r0 : r === 1 ? (r1 < r0 ? r1 : r0) : r1 > r0 ? r1 : r0;
  out[1] = ten(r === 1 ? (60 - rsi) / 40 : (rsi - 40) / 40);
  out[9] = rsi;

  const vr = f.volSma20 > 0 ? fin(f.volume / f.volSma20) : NaN;
  out[2] = ten(vr / 3);
  out[10] = vr;

  if (funding === null || !(funding === funding) || funding === Infinity || funding === -Infinity) {
    out[3] = 5;
    out[11] = NaN;
  } else {
    out[3] = ten(0.5 - (0.5 * s * (funding - FUNDING_NEUTRAL)) / FUNDING_SPAN);
    out[11] = funding;
  }

  const sq = f.bandwidthMin120 > 0 ? fin(f.bandwidth / f.bandwidthMin120) : NaN;
  out[4] = ten((3 - sq) / 2);
  out[12] = sq;

  const atr = f.atr14;
  const dist = atr > 0 ? fin((f.close - f.ema200) / (10 * atr)) : NaN;
  const slope = f.atrPct > 0 ? fin(f.ema200Slope / f.atrPct) : NaN;
  const di = fin((f.plusDi - f.minusDi) / 40);
  let tsum = 0;
  let tn = 0;
  if (dist === dist) {
    tsum += clamp01(0.5 + s * dist);
    tn++;
  }
  if (slope === slope) {
    tsum += clamp01(0.5 + 0.5 * s * slope);
    tn++;
  }
  if (di === di) {
    tsum += clamp01(0.5 + s * di);
    tn++;
  }
  out[5] = tn > 0 ? (10 * tsum) / tn : 5;
  out[13] = fin(f.ema200Slope);

  const ap = fin(f.atrPct);
  out[6] = ap !== ap ? 5 : ap < 0.6 ? ten((ap - 0.15) / 0.45) : ap <= 4 ? 10 : ten((12 - ap) / 8);
  out[14] = ap;

  const st = fin(f.streak);
  out[7] = ten(0.5 - (r * st) / 8);
  out[15] = st;

  let sum = 0;
  for (let i = 0; i < N; i++) {
    const r = Math.round(out[i] * 100) / 100;
    out[i] = r;
    sum += W[i] * r;
  }
  return Math.round((sum / WSUM) * 100) / 100;
}

const scratch = new Float64Array(2 * N);

/**
 * The 8 ScorePart objects (METRIC_NAMES order, with weights) from a buffer filled by scoreInto; a NaN
 * raw value becomes null. Throws RangeError if `out` is shorter than 16.
 */
export function scorePartsOf(out: Float64Array): ScorePart[] {
  if (out.length < 2 * N) throw new RangeError(`score buffer needs ${2 * N} slots, got ${out.length}`);
  const parts: ScorePart[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const v = out[N + i];
    parts[i] = { name: METRIC_NAMES[i], score: out[i], weight: W[i], value: v === v ? v : null };
  }
  return parts;
}

/**
 * Scores a `side` trade on features `f` with the funding rate in force (null = unknown → neutral
 * funding part), read as a `style` trade (default 'reversion', see scoreInto): returns the 0..10 weighted mean (2 decimals) and exactly 8 parts named by
 * METRIC_NAMES, each 0..10 with its weight and raw value (null when not available). Pure; never throws.
 */
export function scoreCandidate(f: Features, side: Side, funding: number | null, style: ScoreStyle = 'reversion'): ScoreResult {
  const score = scoreInto(f, side, funding, scratch, style);
  return { score, parts: scorePartsOf(scratch) };
}
