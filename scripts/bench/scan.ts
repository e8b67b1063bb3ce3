// Scan benchmarks on real bundled klines (data/klines, tiled across 500 series; no synthetic prices):
//  (a) full recompute of features + both-side scores for 500 series × 1000 bars, against a hand-written
//      fused single-pass loop of BB20+RSI14+ATR14+EMA200 and against trading-signals computing the same four;
//  (b) incremental: one closed bar on each of 500 series through Scanner.onBar (features, strategies,
//      score, veto), median total ms per round; plus the worst case (update + score both sides everywhere).
// Run: `npx tsx scripts/bench/scan.ts` → one JSON line per measurement {name, value, unit, reference, ratio}.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BollingerBands, EMA, RSI, ATR } from 'trading-signals';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import { createFeatures } from '../../engine/indicators/feature-object.ts';
import type { FeatureColumns } from '../../engine/indicators/feature-columns.ts';
import { loadFundingFile, loadKlineFile } from '../../engine/market/csv.ts';
import type { KlineFile } from '../../engine/market/csv.ts';
import { FundingStore } from '../../engine/market/funding-store.ts';
import type { Bar } from '../../engine/market/types.ts';
import { Scanner } from '../../engine/scan/scanner.ts';
import { scoreInto } from '../../engine/scan/score.ts';
import { intervalMs } from '../../engine/scan/interval.ts';

/** One benchmark result: `ratio` = value / reference (null when there is no reference). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERIES = 500;
const BARS = 1000;

interface Tile {
  file: KlineFile;
  cols: FeatureColumns;
}

/** Loads every bundled kline file with at least `minBars` rows; throws DeskError VALIDATION on a bad file. */
function loadFiles(minBars: number): KlineFile[] {
  const dir = join(ROOT, 'data', 'klines');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.csv'))
    .sort()
    .map((n) => loadKlineFile(join(dir, n)))
    .filter((f) => f.length >= minBars);
}

/** 500 windows of `len` real bars: series i cycles through the files with an offset that differs per pass. */
function tiles(files: KlineFile[], len: number): Tile[] {
  const out: Tile[] = [];
  for (let i = 0; i < SERIES; i++) {
    const file = files[i % files.length];
    const pass = Math.floor(i / files.length);
    const room = file.length - len;
    const off = room <= 0 ? 0 : (pass * 97) % (room + 1);
    const v = (a: Float64Array) => a.subarray(off, off + len);
    out.push({ file, cols: { start: v(file.start), open: v(file.open), high: v(file.high), low: v(file.low), close: v(file.close), volume: v(file.volume) } });
  }
  return out;
}

/**
 * The reference: a hand-written fused single pass over one series computing the last bar's BB(20,2),
 * RSI(14) Wilder, ATR(14) Wilder and EMA(200) — recursive ones over every bar, Bollinger over the tail
 * window only (the same shortcut a full recompute of the last bar may take). Returns a checksum.
 */
export function fusedReference(high: Float64Array, low: Float64Array, close: Float64Array, n: number): number {
  const k200 = 2 / 201;
  let ema = close[0];
  let trSum = high[0] - low[0];
  let atr = NaN;
  let gain = 0;
  let loss = 0;
  let avgG = NaN;
  let avgL = NaN;
  let pc = close[0];
  for (let i = 1; i < n; i++) {
    const c = close[i];
    const h = high[i];
    const l = low[i];
    ema += k200 * (c - ema);
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    if (i < 13) trSum += tr;
    else if (i === 13) atr = (trSum + tr) / 14;
    else atr += (tr - atr) / 14;
    const d = c - pc;
    const g = d > 0 ? d : 0;
    const ls = d < 0 ? -d : 0;
    if (i <= 14) {
      gain += g;
      loss += ls;
      if (i === 14) {
        avgG = gain / 14;
        avgL = loss / 14;
      }
    } else {
      avgG += (g - avgG) / 14;
      avgL += (ls - avgL) / 14;
    }
    pc = c;
  }
  const rsi = avgL === 0 ? 100 : 100 - 100 / (1 + avgG / avgL);
  let sum = 0;
  for (let i = n - 20; i < n; i++) sum += close[i];
  const mid = sum / 20;
  let sq = 0;
  for (let i = n - 20; i < n; i++) {
    const d = close[i] - mid;
    sq += d * d;
  }
  const sd = Math.sqrt(sq / 20);
  return mid + 2 * sd + (mid - 2 * sd) + rsi + atr + ema;
}

/** trading-signals (the oracle library) computing the same four indicators over one series; returns a checksum. */
function tradingSignals(high: Float64Array, low: Float64Array, close: Float64Array, n: number): number {
  const bb = new BollingerBands(20, 2);
  const rsi = new RSI(14);
  const atr = new ATR(14);
  const ema = new EMA(200);
  let b: { upper: number; lower: number; middle: number } | null = null;
  let r: number | null = null;
  let a: number | null = null;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const c = close[i];
    b = bb.update(c, false);
    r = rsi.update(c, false);
    a = atr.update({ high: high[i], low: low[i], close: c }, false);
    e = ema.update(c, false);
  }
  return (b ? b.upper + b.lower : 0) + (r ?? 0) + (a ?? 0) + e;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Keeps benchmark results observable so the JIT cannot drop the work. */
let blackhole = 0;

/** Runs `fn` `warm` times untimed, then `runs` times timed; returns the median ms. */
function timeIt(fn: () => number, warm: number, runs: number): number {
  let sink = 0;
  for (let i = 0; i < warm; i++) sink += fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    sink += fn();
    ms.push(performance.now() - t0);
  }
  blackhole += sink;
  return median(ms);
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function line(name: string, value: number, unit: string, reference: number | null): BenchLine {
  return { name, value: round(value), unit, reference: reference === null ? null : round(reference), ratio: reference ? round(value / reference) : null };
}

/** (a) full recompute: ours (features + score both sides) vs the fused reference vs trading-signals. */
function benchRecompute(files: KlineFile[]): BenchLine[] {
  const ts = tiles(files, BARS);
  const f = createFeatures();
  const scratch = new Float64Array(16);
  const ours = () => {
    let s = 0;
    for (let i = 0; i < ts.length; i++) {
      computeFeatures(ts[i].cols, BARS, f);
      s += scoreInto(f, 'long', null, scratch) + scoreInto(f, 'short', null, scratch);
    }
    return s;
  };
  const featuresOnly = () => {
    let s = 0;
    for (let i = 0; i < ts.length; i++) s += computeFeatures(ts[i].cols, BARS, f).close;
    return s;
  };
  const ref = () => {
    let s = 0;
    for (let i = 0; i < ts.length; i++) s += fusedReference(ts[i].cols.high, ts[i].cols.low, ts[i].cols.close, BARS);
    return s;
  };
  const lib = () => {
    let s = 0;
    for (let i = 0; i < ts.length; i++) s += tradingSignals(ts[i].cols.high, ts[i].cols.low, ts[i].cols.close, BARS);
    return s;
  };
  // Interleave so both see the same machine state; medians of many runs.
  const refMs = timeIt(ref, 20, 41);
  const oursMs = timeIt(ours, 20, 41);
  const featMs = timeIt(featuresOnly, 10, 41);
  const ref2 = timeIt(ref, 5, 41);
  const libMs = timeIt(lib, 2, 7);
  const refBest = Math.min(refMs, ref2);
  return [
    line('scan.recompute_500x1000.features_scores_vs_fused_loop', oursMs, 'ms', refBest),
    line('scan.recompute_500x1000.features_only_vs_fused_loop', featMs, 'ms', refBest),
    line('scan.recompute_500x1000.features_scores_vs_trading_signals', oursMs, 'ms', libMs),
  ];
}

interface IncSeries {
  bars: Bar[];
  funding: Float64Array;
}

/** (b) incremental: one bar on each of 500 series per round, through the Scanner and through update+score. */
function benchIncremental(files: KlineFile[]): BenchLine[] {
  const WARM = 300;
  const WARM_ROUNDS = 100;
  const ROUNDS = 301;
  const need = WARM + WARM_ROUNDS + ROUNDS;
  const usable = files.filter((f) => f.length >= need);
  const funding = new FundingStore();
  for (const sym of new Set(usable.map((f) => f.symbol))) {
    const ff = loadFundingFile(join(ROOT, 'data', 'funding', `${sym}.csv`));
    funding.set(sym, ff.time.subarray(0, ff.length), ff.rate.subarray(0, ff.length));
  }
  const ts = tiles(usable, need);
  const series: IncSeries[] = ts.map((t, i) => {
    const symbol = `${t.file.symbol.slice(0, -4)}${i}USDT`;
    const step = intervalMs(t.file.interval);
    const bars: Bar[] = [];
    const fr = new Float64Array(need);
    for (let j = 0; j < need; j++) {
      const c = t.cols;
      bars.push({ symbol, interval: t.file.interval, start: c.start[j], open: c.open[j], high: c.high[j], low: c.low[j], close: c.close[j], volume: c.volume[j] });
      fr[j] = funding.rateAt(t.file.symbol, c.start[j] + step) ?? NaN;
    }
    return { bars, funding: fr };
  });

  // Through the Scanner (what the desk calls on every closed bar).
  const scanner = new Scanner({ threshold: 5.5, liveStrategies: [] });
  for (const s of series) scanner.warm(s.bars[0].symbol, s.bars[0].interval, s.bars.slice(0, WARM));
  const rounds: number[] = [];
  let drafts = 0;
  for (let r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
    const j = WARM + r;
    const t0 = performance.now();
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      const b = s.bars[j];
      const fr = s.funding[j];
      drafts += scanner.onBar(b, fr === fr ? fr : null, b.start + 1).length;
    }
    const dt = performance.now() - t0;
    if (r >= WARM_ROUNDS) rounds.push(dt);
  }

  const warmStates = () =>
    series.map((s) => {
      const st = new FeatureState();
      for (let j = 0; j < WARM; j++) {
        const b = s.bars[j];
        st.update(b.start, b.open, b.high, b.low, b.close, b.volume);
      }
      return st;
    });
  // Worst case: FeatureState.update + score both sides on every series.
  const states = warmStates();
  const scratch = new Float64Array(16);
  const worst: number[] = [];
  let sink = 0;
  for (let r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
    const j = WARM + r;
    const t0 = performance.now();
    for (let i = 0; i < series.length; i++) {
      const b = series[i].bars[j];
      const fr = series[i].funding[j];
      const f = states[i].update(b.start, b.open, b.high, b.low, b.close, b.volume);
      sink += scoreInto(f, 'long', fr === fr ? fr : null, scratch) + scoreInto(f, 'short', fr === fr ? fr : null, scratch);
    }
    const dt = performance.now() - t0;
    if (r >= WARM_ROUNDS) worst.push(dt);
  }
  // Attribution: FeatureState.update alone (the indicators' share of the budget).
  const bare = warmStates();
  const updateOnly: number[] = [];
  for (let r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
    const j = WARM + r;
    const t0 = performance.now();
    for (let i = 0; i < series.length; i++) {
      const b = series[i].bars[j];
      sink += bare[i].update(b.start, b.open, b.high, b.low, b.close, b.volume).close;
    }
    const dt = performance.now() - t0;
    if (r >= WARM_ROUNDS) updateOnly.push(dt);
  }
  blackhole += sink;
  process.stderr.write(`incremental: ${drafts} drafts over ${WARM_ROUNDS + ROUNDS} rounds × ${series.length} series (checksum ${blackhole.toFixed(0)})\n`);
  const sorted = [...rounds].sort((a, b) => a - b);
  return [
    line('scan.incremental_500_series.onbar_median', median(rounds), 'ms', 0.3),
    line('scan.incremental_500_series.onbar_p90', sorted[Math.floor(0.9 * (sorted.length - 1))], 'ms', 0.3),
    line('scan.incremental_500_series.update_and_score_both_sides_median', median(worst), 'ms', 0.3),
    line('scan.incremental_500_series.feature_update_only_median', median(updateOnly), 'ms', 0.3),
  ];
}

/**
 * Runs every scan benchmark once on the bundled real klines and returns its lines; throws DeskError
 * VALIDATION if a bundled file is malformed, or Error when too few files have enough bars.
 */
export async function benchScan(): Promise<BenchLine[]> {
  const files = loadFiles(BARS);
  if (files.length === 0) throw new Error(`no bundled kline file has ${BARS} bars`);
  return [...benchRecompute(files), ...benchIncremental(files)];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchScan().then(
    (lines) => {
      for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
