/*
 * Indicator benchmarks (print JSON lines {name, value, unit, reference, ratio}; ratio = value/reference,
 * lower is better). All inputs are real bundled klines: 500 series × 1000 bars tiled from data/klines
 * by cycling through the files and sliding the 1000-bar window; no price is synthesized.
 *   (a) full recompute of the Features of 500 series (computeFeatures, + the scan hook) vs a
 *       hand-written fused single-pass loop computing BB20+RSI14+ATR14+EMA200 — target ratio ≤ 1.2;
 *   (b) the same four indicators through our batch kernels vs trading-signals — target ratio ≤ 1/8;
 *   (c) one new bar on each of 500 FeatureStates (+ the scan hook), median ms — budget 0.3 ms.
 * Times are process CPU time (see nowMs), medians after JIT warm-up rounds.
 * trading-signals is the parity oracle and is imported only here and in test/.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ATR, BollingerBands, EMA, RSI } from 'trading-signals';
import { atr } from '../../engine/indicators/atr.ts';
import { bollinger } from '../../engine/indicators/bollinger.ts';
import type { BollingerSeries } from '../../engine/indicators/bollinger.ts';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import type { FeatureColumns } from '../../engine/indicators/feature-columns.ts';
import { createFeatures } from '../../engine/indicators/feature-object.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import type { Features } from '../../engine/indicators/features.ts';
import { ema } from '../../engine/indicators/ema.ts';
import { rsi } from '../../engine/indicators/rsi.ts';
import { loadKlineFile } from '../../engine/market/csv.ts';

/** One benchmark result line: `ratio` = value / reference (lower is better); both null when there is no reference. */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
}

/** Optional per-series work the scanner adds to (a) and (c) (e.g. strategies + score); must not throw. */
export interface IndicatorBenchHooks {
  /** Called with the last-bar Features of each series right after its full recompute in (a). */
  afterRecompute?: (f: Features, series: number) => void;
  /** Called with the Features of each series right after its incremental update in (c). */
  afterUpdate?: (f: Features, series: number) => void;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Number of series in the benchmark universe. */
export const BENCH_SERIES = 500;
/** Bars per series in the benchmark universe. */
export const BENCH_BARS = 1000;
/** Budget for one bar on each of 500 series (ms). */
export const INCREMENTAL_BUDGET_MS = 0.3;

/**
 * Tiles 500 × 1000-bar windows out of the real kline files in data/klines (files shorter than 1000
 * bars are skipped): series s reads file s mod F at a window offset that slides with s div F. Throws
 * when no usable file exists or a file fails validation.
 */
export function loadBenchSeries(count = BENCH_SERIES, bars = BENCH_BARS, dir = join(ROOT, 'data/klines')): FeatureColumns[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort()
    .map((f) => loadKlineFile(join(dir, f)))
    .filter((k) => k.length >= bars + 1);
  if (files.length === 0) throw new Error(`no kline file with ${bars} bars in ${dir}`);
  const perFile = Math.ceil(count / files.length);
  const out: FeatureColumns[] = [];
  for (let s = 0; s < count; s++) {
    const k = files[s % files.length];
    const w = Math.floor(s / files.length);
    const off = Math.floor((w * (k.length - bars)) / perFile);
    const sl = (a: Float64Array): Float64Array => a.subarray(off, off + bars);
    out.push({ start: sl(k.start), open: sl(k.open), high: sl(k.high), low: sl(k.low), close: sl(k.close), volume: sl(k.volume) });
  }
  return out;
}

/**
 * The reference: a hand-written fused single pass computing BB20 (running sum / sum of squares),
 * RSI14 and ATR14 (Wilder) and EMA200 for every bar, keeping the last bar's six values in `res`.
 */
export function referenceLoop(c: FeatureColumns, n: number, res: Float64Array): void {
  const close = c.close;
  const high = c.high;
  const low = c.low;
  const kE = 2 / 201;
  let sum = 0;
  let sumSq = 0;
  let mid = NaN;
  let up = NaN;
  let lo = NaN;
  let ag = 0;
  let al = 0;
  let r = NaN;
  let a = 0;
  let e = close[0];
  let pc = close[0];
  for (let i = 0; i < n; i++) {
    const x = close[i];
    sum += x;
    sumSq += x * x;
    if (i >= 20) {
      const old = close[i - 20];
      sum -= old;
      sumSq -= old * old;
    }
    if (i >= 19) {
      mid = sum / 20;
      const sd = Math.sqrt(Math.max(sumSq / 20 - mid * mid, 0));
      up = mid + 2 * sd;
      lo = mid - 2 * sd;
    }
    const tr = i === 0 ? high[0] - low[0] : Math.max(high[i] - low[i], Math.abs(high[i] - pc), Math.abs(low[i] - pc));
    if (i < 14) a += tr / 14;
    else a += (tr - a) / 14;
    if (i >= 1) {
      const d = x - pc;
      const g = d > 0 ? d : 0;
      const l = d < 0 ? -d : 0;
      if (i <= 14) {
        ag += g / 14;
        al += l / 14;
      } else {
        ag += (g - ag) / 14;
        al += (l - al) / 14;
      }
      if (i >= 14) r = al === 0 ? 100 : 100 - 100 / (1 + ag / al);
    }
    e = x * kE + e * (1 - kE);
    pc = x;
  }
  res[0] = mid;
  res[1] = up;
  res[2] = lo;
  res[3] = r;
  res[4] = a;
  res[5] = e;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Process CPU time (user + system) in ms. CPU time rather than wall time, so that a busy shared machine
 * (other jobs preempting this one) does not inflate the figures; medians over many rounds on top.
 */
function nowMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const line = (name: string, value: number, unit: string, reference: number): BenchLine => ({
  name, value: round3(value), unit, reference: round3(reference), ratio: Math.round((value / reference) * 1000) / 1000,
});

/** (a) full recompute of 500 series vs the hand-written reference loop, alternating rounds; medians in ms. */
export function benchFullRecompute(series: FeatureColumns[], hooks: IndicatorBenchHooks = {}, rounds = 40): BenchLine {
  const out = createFeatures();
  const res = new Float64Array(6);
  const after = hooks.afterRecompute;
  const ours: number[] = [];
  const ref: number[] = [];
  for (let r = 0; r < rounds + 10; r++) {
    let t = nowMs();
    for (let s = 0; s < series.length; s++) {
      const f = computeFeatures(series[s], BENCH_BARS, out);
      if (after !== undefined) after(f, s);
    }
    const a = nowMs() - t;
    t = nowMs();
    for (let s = 0; s < series.length; s++) referenceLoop(series[s], BENCH_BARS, res);
    const b = nowMs() - t;
    if (r >= 10) {
      ours.push(a);
      ref.push(b);
    }
  }
  return line(`indicators.recompute_${series.length}x${BENCH_BARS}_vs_fused_bb_rsi_atr_ema`, median(ours), 'ms', median(ref));
}

/** (b) BB20+RSI14+ATR14+EMA200 over every bar: our batch kernels vs trading-signals; medians in ms. */
export function benchVsTradingSignals(series: FeatureColumns[], rounds = 3): BenchLine {
  const n = BENCH_BARS;
  const bb: BollingerSeries = {
    middle: new Float64Array(n), upper: new Float64Array(n), lower: new Float64Array(n),
    bandwidth: new Float64Array(n), percentB: new Float64Array(n),
  };
  const r14 = new Float64Array(n);
  const a14 = new Float64Array(n);
  const e200 = new Float64Array(n);
  const candles = series.map((c) => Array.from({ length: n }, (_, i) => ({ high: c.high[i], low: c.low[i], close: c.close[i] })));
  const ours: number[] = [];
  const theirs: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds + 1; r++) {
    let t = nowMs();
    for (const c of series) {
      bollinger(c.close, 20, 2, bb);
      rsi(c.close, 14, r14);
      atr(c.high, c.low, c.close, 14, a14);
      ema(c.close, 200, e200);
    }
    const a = nowMs() - t;
    t = nowMs();
    for (let s = 0; s < series.length; s++) {
      const c = series[s];
      const o1 = new BollingerBands(20, 2);
      const o2 = new RSI(14);
      const o3 = new ATR(14);
      const o4 = new EMA(200);
      for (let i = 0; i < n; i++) {
        const x = c.close[i];
        o1.add(x);
        o2.add(x);
        o3.add(candles[s][i]);
        o4.add(x);
      }
      sink += o2.getResult() ?? 0;
    }
    const b = nowMs() - t;
    if (r >= 1) {
      ours.push(a);
      theirs.push(b);
    }
  }
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return line(`indicators.bb_rsi_atr_ema_${series.length}x${n}_vs_trading_signals`, median(ours), 'ms', median(theirs));
}

/** (c) one bar on each of 500 warmed FeatureStates (update with six numbers), median ms over 450 rounds vs the 0.3 ms budget. */
export function benchIncremental(series: FeatureColumns[], hooks: IndicatorBenchHooks = {}): BenchLine {
  const warm = BENCH_BARS / 2;
  const states = series.map((c) => {
    const st = new FeatureState();
    for (let i = 0; i < warm; i++) st.update(c.start[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]);
    return st;
  });
  const after = hooks.afterUpdate;
  const times: number[] = [];
  for (let i = warm; i < BENCH_BARS; i++) {
    const t = nowMs();
    for (let s = 0; s < series.length; s++) {
      const c = series[s];
      const f = states[s].update(c.start[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]);
      if (after !== undefined) after(f, s);
    }
    times.push(nowMs() - t);
  }
  return line(`indicators.incremental_${series.length}x1_median`, median(times.slice(50)), 'ms', INCREMENTAL_BUDGET_MS);
}

/**
 * Runs (a), (b) and (c) on the real-data universe and returns their lines, plus the 1-minute load
 * average over the run (CPU-time medians resist a busy machine, but not entirely: other jobs still share
 * caches and cores); throws if data is missing.
 */
export async function benchIndicators(hooks: IndicatorBenchHooks = {}): Promise<BenchLine[]> {
  const series = loadBenchSeries();
  const before = loadavg()[0] ?? NaN;
  const lines = [benchFullRecompute(series, hooks), benchVsTradingSignals(series), benchIncremental(series, hooks)];
  const load = (before + (loadavg()[0] ?? NaN)) / 2;
  return [...lines, { name: 'indicators.loadavg_1m', value: round3(load), unit: 'load', reference: null, ratio: null }];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const l of await benchIndicators()) process.stdout.write(`${JSON.stringify(l)}\n`);
}
