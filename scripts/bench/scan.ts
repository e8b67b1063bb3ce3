// Scan benchmarks on real bundled klines (data/klines tiled into 500 series × 1000 bars by the
// indicators bench's loadBenchSeries; no synthetic prices). Medians of process CPU time over many rounds:
//  (a) full recompute of the last bar's features + both-side scores for 500 series × 1000 bars, against
//      the indicators bench's hand-written fused single-pass BB20+RSI14+ATR14+EMA200 loop (target ratio
//      ≤ 1.2) and against trading-signals computing those four (target ratio ≤ 0.125, i.e. ≥ 8× faster);
//  (b) incremental: one closed bar on each of 500 series through Scanner.onBar (features, strategies,
//      score, veto, drafts), median ms per round (target ≤ 0.3 ms), with attribution lines; onbar_fresh_bars
//      is the same work on bars built just before each round, as the desk receives them from the feed.
// Run: `npx tsx scripts/bench/scan.ts` → one JSON line per measurement {name, value, unit, reference, ratio}.
import { fileURLToPath } from 'node:url';
import { ATR, BollingerBands, EMA, RSI } from 'trading-signals';
import { computeFeatures } from '../../engine/indicators/compute-features.ts';
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import { createFeatures } from '../../engine/indicators/feature-object.ts';
import type { FeatureColumns } from '../../engine/indicators/feature-columns.ts';
import type { Bar } from '../../engine/market/types.ts';
import { Scanner } from '../../engine/scan/scanner.ts';
import { scoreInto, SCORE_BUFFER_LENGTH } from '../../engine/scan/score.ts';
import type { BenchLine } from './bench-line.ts';
import { median, quantile } from './bench-line.ts';
import { BENCH_BARS, BENCH_SERIES, loadBenchSeries, referenceLoop } from './indicators.ts';

/**
 * Process CPU time (user + system) in ms, as the indicators bench measures: on a shared machine other
 * jobs preempt this one and inflate wall time (seen here: wall ≈ 2× CPU at load average 10 on 2 cores).
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Keeps benchmark results observable so the JIT cannot drop the work. */
let blackhole = 0;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

function line(name: string, value: number, unit: string, reference: number | null): BenchLine {
  return { name, value: r4(value), unit, reference: reference === null ? null : r4(reference), ratio: reference ? r4(value / reference) : null };
}

/** trading-signals (the oracle library) computing BB20, RSI14, ATR14 and EMA200 over one series; returns a checksum. */
function tradingSignals(c: FeatureColumns, n: number): number {
  const bb = new BollingerBands(20, 2);
  const rsi = new RSI(14);
  const atr = new ATR(14);
  const ema = new EMA(200);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = c.close[i];
    bb.update(x, false);
    rsi.update(x, false);
    atr.update({ high: c.high[i], low: c.low[i], close: x }, false);
    sum = ema.update(x, false);
  }
  return sum + (rsi.getResult() ?? 0);
}

/** (a) full recompute: features + both-side scores vs the fused reference loop vs trading-signals. */
function benchRecompute(series: FeatureColumns[]): BenchLine[] {
  const f = createFeatures();
  const buf = new Float64Array(SCORE_BUFFER_LENGTH);
  const res = new Float64Array(6);
  const ours: number[] = [];
  const featuresOnly: number[] = [];
  const ref: number[] = [];
  // Alternate the three in every round so they see the same machine state; first 10 rounds are warm-up.
  for (let r = 0; r < 50; r++) {
    let t = cpuMs();
    for (let s = 0; s < series.length; s++) {
      computeFeatures(series[s], BENCH_BARS, f);
      blackhole += scoreInto(f, 'long', null, buf) + scoreInto(f, 'short', null, buf);
    }
    const a = cpuMs() - t;
    t = cpuMs();
    for (let s = 0; s < series.length; s++) blackhole += computeFeatures(series[s], BENCH_BARS, f).close;
    const b = cpuMs() - t;
    t = cpuMs();
    for (let s = 0; s < series.length; s++) {
      referenceLoop(series[s], BENCH_BARS, res);
      blackhole += res[3];
    }
    const c = cpuMs() - t;
    if (r >= 10) {
      ours.push(a);
      featuresOnly.push(b);
      ref.push(c);
    }
  }
  const lib: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = cpuMs();
    for (let s = 0; s < series.length; s++) blackhole += tradingSignals(series[s], BENCH_BARS);
    if (r >= 1) lib.push(cpuMs() - t);
  }
  const n = `${series.length}x${BENCH_BARS}`;
  return [
    line(`scan.recompute_${n}.features_and_scores_vs_fused_loop`, median(ours), 'ms', median(ref)),
    line(`scan.recompute_${n}.features_only_vs_fused_loop`, median(featuresOnly), 'ms', median(ref)),
    line(`scan.recompute_${n}.features_and_scores_vs_trading_signals`, median(ours), 'ms', median(lib)),
  ];
}

/** (b) incremental: one bar on each of 500 series per round, through the Scanner, with attribution. */
function benchIncremental(series: FeatureColumns[]): BenchLine[] {
  const WARM = 300;
  const WARM_ROUNDS = 100;
  const intervals = ['15', '60', '240'] as const;
  // Series get distinct names; the interval only selects which strategies run (all six run on 15/60/240).
  const bars: Bar[][] = series.map((c, i) => {
    const symbol = `S${i}USDT`;
    const interval = intervals[i % intervals.length];
    const out: Bar[] = [];
    for (let j = 0; j < BENCH_BARS; j++) {
      out.push({ symbol, interval, start: c.start[j], open: c.open[j], high: c.high[j], low: c.low[j], close: c.close[j], volume: c.volume[j] });
    }
    return out;
  });
  // A constant ordinary funding rate (0.01 %) so funding-fade is evaluated but only fires on real extremes.
  const funding = 0.0001;

  const scannerWith = (opts: ConstructorParameters<typeof Scanner>[0]) => {
    const sc = new Scanner(opts);
    for (const b of bars) sc.warm(b[0].symbol, b[0].interval, b.slice(0, WARM));
    return sc;
  };
  const states = () =>
    bars.map((b) => {
      const st = new FeatureState();
      for (let j = 0; j < WARM; j++) st.update(b[j].start, b[j].open, b[j].high, b[j].low, b[j].close, b[j].volume);
      return st;
    });
  const n = bars.length;
  // Each variant is its own plain loop (no shared callback, so nothing is megamorphic by construction);
  // per-round sums stay in locals and reach the module-level sink once per round.
  const viaScanner = (sc: Scanner): { rounds: number[]; drafts: number } => {
    const rounds: number[] = [];
    let drafts = 0;
    for (let j = WARM; j < BENCH_BARS; j++) {
      const t = cpuMs();
      let d = 0;
      for (let i = 0; i < n; i++) {
        const b = bars[i][j];
        d += sc.onBar(b, funding, b.start + 1).length;
      }
      const dt = cpuMs() - t;
      drafts += d;
      if (j >= WARM + WARM_ROUNDS) rounds.push(dt);
    }
    return { rounds, drafts };
  };
  // The desk's path: each closed bar is a new object the feed has just built (hot in cache), where the
  // loop above reads 500 of 500 000 pre-built bars per round (a cache miss on each). Same scanner work;
  // the bars are built before the clock starts.
  const viaScannerFreshBars = (sc: Scanner): number[] => {
    const rounds: number[] = [];
    const fresh: Bar[] = new Array<Bar>(n);
    for (let j = WARM; j < BENCH_BARS; j++) {
      for (let i = 0; i < n; i++) {
        const c = series[i];
        const b = bars[i][0];
        fresh[i] = { symbol: b.symbol, interval: b.interval, start: c.start[j], open: c.open[j], high: c.high[j], low: c.low[j], close: c.close[j], volume: c.volume[j] };
      }
      const t = cpuMs();
      let d = 0;
      for (let i = 0; i < n; i++) {
        const b = fresh[i];
        d += sc.onBar(b, funding, b.start + 1).length;
      }
      const dt = cpuMs() - t;
      blackhole += d;
      if (j >= WARM + WARM_ROUNDS) rounds.push(dt);
    }
    return rounds;
  };
  const full = viaScanner(scannerWith({ threshold: 5.5 }));
  const onBar = full.rounds;
  const drafts = full.drafts;
  const noStrategies = viaScanner(scannerWith({ strategies: [] })).rounds;
  const freshBars = viaScannerFreshBars(scannerWith({ threshold: 5.5 }));

  const st = states();
  const updateOnly: number[] = [];
  for (let j = WARM; j < BENCH_BARS; j++) {
    const t = cpuMs();
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const b = bars[i][j];
      acc += st[i].update(b.start, b.open, b.high, b.low, b.close, b.volume).close;
    }
    const dt = cpuMs() - t;
    blackhole += acc;
    if (j >= WARM + WARM_ROUNDS) updateOnly.push(dt);
  }

  const st2 = states();
  const buf = new Float64Array(SCORE_BUFFER_LENGTH);
  const scoreAll: number[] = [];
  for (let j = WARM; j < BENCH_BARS; j++) {
    const t = cpuMs();
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const b = bars[i][j];
      const f = st2[i].update(b.start, b.open, b.high, b.low, b.close, b.volume);
      acc += scoreInto(f, 'long', funding, buf) + scoreInto(f, 'short', funding, buf);
    }
    const dt = cpuMs() - t;
    blackhole += acc;
    if (j >= WARM + WARM_ROUNDS) scoreAll.push(dt);
  }
  const measured = onBar.length;
  process.stderr.write(`scan bench: ${(drafts / (measured + WARM_ROUNDS)).toFixed(1)} drafts per round of ${bars.length} bars (checksum ${blackhole.toFixed(0)})\n`);
  const B = 0.3;
  return [
    line(`scan.incremental_${bars.length}_series.onbar_median`, median(onBar), 'ms', B),
    line(`scan.incremental_${bars.length}_series.onbar_p90`, quantile(onBar, 0.9), 'ms', B),
    line(`scan.incremental_${bars.length}_series.onbar_fresh_bars_median`, median(freshBars), 'ms', B),
    line(`scan.incremental_${bars.length}_series.onbar_no_strategies_median`, median(noStrategies), 'ms', B),
    line(`scan.incremental_${bars.length}_series.feature_update_only_median`, median(updateOnly), 'ms', B),
    line(`scan.incremental_${bars.length}_series.update_and_score_both_sides_median`, median(scoreAll), 'ms', B),
  ];
}

/**
 * Runs every scan benchmark once on the bundled real klines and returns its lines; throws (from
 * loadBenchSeries) when the bundled data is missing or malformed.
 */
export async function benchScan(): Promise<BenchLine[]> {
  const series = loadBenchSeries(BENCH_SERIES, BENCH_BARS);
  return [...benchRecompute(series), ...benchIncremental(series)];
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
