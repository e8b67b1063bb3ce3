// The desk's memory target (issue 2): RSS ≤ 100 MB while THE DESK (composeDesk: scanner with a
// FeatureState per series, the desk's KlineStore, the SQLite store, the paper broker) holds 300 symbols
// × 2 intervals (60, 240) × 500 bars. Each mode runs in its own child process (3 runs, medians) and
// reports after warm-up, a few live bars per series and a full GC:
//   tsx    — node --import tsx scripts/bench/memory.ts (how `npm start` ran the desk before the bundle;
//            the tsx CLI adds a second ~50 MB process on top, not counted here)
//   bundle — node --enable-source-maps dist/bench/memory.mjs (the esbuild bundle, default V8 heap sizing)
//   start  — the bundle with exactly the node flags of package.json's "start" script (production)
// The bars are real: every one of the 300 labels gets a window of a real bundled series (never
// synthesized prices) and the rules of the real instrument that series belongs to. The parent parses
// the CSVs once and hands the child binary columns, so the child's RSS carries no CSV-parsing residue
// that belongs to the bench and not to the desk.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bar, BarHandler, Instrument, MarketFeed, Quote } from '../../engine/market/types.ts';
import type { Interval } from '../../engine/schemas.ts';
import { loadKlineFile, type KlineColumns } from '../../engine/market/csv.ts';
import { replayInstruments } from '../../engine/market/replay-instruments.ts';
import { createLogger } from '../../engine/log.ts';
import { loadConfig } from '../../engine/config.ts';
import { systemClock } from '../../engine/clock.ts';
import { composeDesk } from '../compose.ts';
import { median, type BenchLine } from './bench-line.ts';
import { productionNodeFlags } from './production-flags.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYMBOLS = 300;
const INTERVALS: Interval[] = ['60', '240'];
const BARS = 500;
/** Closed bars per series delivered through the live path (desk.onBar) after the warm-up. */
const LIVE_BARS = 5;
const RUNS = 3;
/** Idle wall time before the steady-state sample: V8 shrinks the young generation at the first GC after ~5 s of low allocation. */
const IDLE_MS = 6_000;
const TARGET_MB = 100;
const MB = 1024 * 1024;
const SOURCES = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT', 'AAVEUSDT', 'ADAUSDT', 'APEUSDT', 'AVAXUSDT'];
const CHILD_FLAG = '--memory-child';
const COLS = ['start', 'open', 'high', 'low', 'close', 'volume'] as const;

/** What one child reports (MB unless named otherwise). */
interface ChildReport {
  mode: string;
  rssLoadedMb: number;
  rssWarmMb: number;
  rssSteadyMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  arrayBuffersMb: number;
  series: number;
  bars: number;
  liveBars: number;
  warmupMs: number;
  liveMs: number;
}

/** One real source series as the child receives it. */
interface Source {
  symbol: string;
  interval: Interval;
  data: KlineColumns;
}

interface SourceIndex {
  bin: string;
  entries: { symbol: string; interval: Interval; length: number; offset: number }[];
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('memory bench: run the child with --expose-gc');
  for (let i = 0; i < 4; i++) g();
};

// Parent side: parses the bundled CSVs and writes their columns as one binary file plus a JSON index.
function writeSources(dir: string): string {
  const entries: SourceIndex['entries'] = [];
  const parts: Float64Array[] = [];
  let offset = 0;
  for (const interval of INTERVALS) {
    for (const symbol of SOURCES) {
      let data: KlineColumns;
      try {
        data = loadKlineFile(join(ROOT, 'data/klines', `${symbol}-${interval}.csv`));
      } catch {
        continue; // no file for this symbol at this interval
      }
      if (data.length < BARS + LIVE_BARS + 50) continue;
      entries.push({ symbol, interval, length: data.length, offset });
      for (const c of COLS) parts.push(data[c]);
      offset += COLS.length * data.length * 8;
    }
  }
  const bin = join(dir, 'sources.bin');
  writeFileSync(bin, Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  const index = join(dir, 'sources.json');
  writeFileSync(index, JSON.stringify({ bin, entries } satisfies SourceIndex));
  return index;
}

// Child side: Float64Array views over the one binary file (no CSV parsing in the measured process).
function readSources(indexFile: string): Map<Interval, Source[]> {
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as SourceIndex;
  const raw = readFileSync(index.bin);
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const out = new Map<Interval, Source[]>();
  for (const e of index.entries) {
    const col = (i: number) => new Float64Array(buf, e.offset + i * e.length * 8, e.length);
    const data: KlineColumns = { start: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), length: e.length };
    const list = out.get(e.interval) ?? [];
    list.push({ symbol: e.symbol, interval: e.interval, data });
    out.set(e.interval, list);
  }
  for (const iv of INTERVALS) if (!out.get(iv)?.length) throw new Error(`memory bench: no source series for interval ${iv}`);
  return out;
}

interface TiledFeed {
  feed: MarketFeed;
  labels: string[];
  /** Delivers `n` further real bars of every series through the desk's bar handler, oldest first. */
  deliver(n: number): Promise<number>;
  /** Drops the source columns (the bench's, not the desk's) so they are not counted. */
  release(): void;
}

// An injected MarketFeed serving real bars tiled across `symbols` labels (T000USDT, ...): label k reads
// source k mod n of each interval from a per-label offset, so the labels hold different windows, and
// trades by the rules of the real instrument its 60-minute source belongs to.
function tiledFeed(symbols: number, sources: Map<Interval, Source[]>): TiledFeed {
  const rules = new Map(replayInstruments(join(ROOT, 'data')).map((i) => [i.symbol, i]));
  const labels = Array.from({ length: symbols }, (_, k) => `T${String(k).padStart(3, '0')}USDT`);
  const index = new Map(labels.map((l, k) => [l, k]));
  const pick = (k: number, iv: Interval) => {
    const list = sources.get(iv)!;
    const src = list[k % list.length]!;
    return { src, offset: (k * 37) % (src.data.length - BARS - LIVE_BARS) };
  };
  const barAt = (symbol: string, iv: Interval, d: KlineColumns, i: number): Bar => ({
    symbol,
    interval: iv,
    start: d.start[i]!,
    open: d.open[i]!,
    high: d.high[i]!,
    low: d.low[i]!,
    close: d.close[i]!,
    volume: d.volume[i]!,
  });
  const quotes = new Map<string, Quote>();
  let handler: BarHandler | null = null;
  let delivered = 0;
  const feed: MarketFeed = {
    kind: 'replay',
    async instruments(list) {
      const out: Instrument[] = [];
      for (const symbol of list) {
        const k = index.get(symbol);
        if (k === undefined) continue;
        const real = rules.get(pick(k, '60').src.symbol);
        if (!real) throw new Error(`memory bench: no instrument rules for ${pick(k, '60').src.symbol}`);
        out.push({ ...real, symbol });
      }
      return out;
    },
    async history(symbol, iv, limit) {
      const k = index.get(symbol);
      if (k === undefined || !sources.has(iv)) return [];
      const { src, offset } = pick(k, iv);
      const bars: Bar[] = [];
      for (let i = offset + BARS - Math.min(limit, BARS); i < offset + BARS; i++) bars.push(barAt(symbol, iv, src.data, i));
      return bars;
    },
    async start(onBar) {
      handler = onBar;
    },
    async stop() {
      handler = null;
    },
    quote: (symbol) => quotes.get(symbol) ?? null,
    freshQuote: async (symbol) => quotes.get(symbol) ?? null,
    funding: () => null,
    lagMs: () => null,
  };
  return {
    feed,
    labels,
    async deliver(n) {
      let count = 0;
      for (let j = delivered; j < delivered + n; j++) {
        for (const iv of INTERVALS) {
          for (let k = 0; k < labels.length; k++) {
            if (!handler) return count;
            const { src, offset } = pick(k, iv);
            const bar = barAt(labels[k]!, iv, src.data, offset + BARS + j);
            const half = 0.5 * (rules.get(src.symbol)?.tickSize ?? 0);
            quotes.set(bar.symbol, { symbol: bar.symbol, bid: bar.close - half, ask: bar.close + half, last: bar.close, mark: bar.close, ts: systemClock.now(), source: 'replay' });
            await handler(bar);
            count++;
          }
        }
      }
      delivered += n;
      return count;
    },
    release() {
      sources.clear();
    },
  };
}

// The child: the real desk from scripts/compose.ts over the tiled feed, on a SQLite file, paper broker.
async function child(mode: string, sourcesIndex: string): Promise<ChildReport> {
  gc();
  const rssLoaded = process.memoryUsage().rss; // runtime (+ loader) + every desk module, no data yet
  const dir = mkdtempSync(join(tmpdir(), 'desk-mem-'));
  try {
    const tiled = tiledFeed(SYMBOLS, readSources(sourcesIndex));
    const config = loadConfig({
      DESK_DB: join(dir, 'desk.db'),
      DESK_BACKUP_DIR: join(dir, 'backups'),
      DESK_LOG_LEVEL: 'silent',
      DESK_UNIVERSE: tiled.labels.join(','),
      DESK_INTERVALS: INTERVALS.join(','),
      DESK_WARMUP_BARS: String(BARS),
    });
    const rt = await composeDesk(config, { feed: tiled.feed, logger: createLogger({ level: 'silent' }) });
    const t0 = performance.now();
    await rt.desk.start();
    const t1 = performance.now();
    const live = await tiled.deliver(LIVE_BARS);
    const t2 = performance.now();
    tiled.release();
    gc();
    const mu = process.memoryUsage();
    // Production is idle between bars (one 60-minute bar per series an hour): the same desk after a quiet spell.
    await new Promise((r) => setTimeout(r, IDLE_MS));
    gc();
    const rssSteady = process.memoryUsage().rss;
    const series = rt.scanner.list().length;
    const report: ChildReport = {
      mode,
      rssLoadedMb: rssLoaded / MB,
      rssWarmMb: mu.rss / MB,
      rssSteadyMb: rssSteady / MB,
      heapUsedMb: mu.heapUsed / MB,
      heapTotalMb: mu.heapTotal / MB,
      arrayBuffersMb: mu.arrayBuffers / MB,
      series,
      bars: series * BARS,
      liveBars: live,
      warmupMs: t1 - t0,
      liveMs: t2 - t1,
    };
    await rt.close();
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20, timeout: 180_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`memory bench child failed: ${String(stderr).slice(0, 400)}`)) : resolve(stdout),
    );
  });
}

// RSS (MB) of a bare runtime after a full GC: node with `flags` (e.g. the tsx loader), no desk code.
async function runtimeRss(flags: string[]): Promise<number> {
  const probe = 'for(let i=0;i<4;i++)globalThis.gc();process.stdout.write(String(process.memoryUsage().rss))';
  return Number(await run(['--expose-gc', ...flags, '-e', probe])) / MB;
}

async function childReport(args: string[]): Promise<ChildReport> {
  const out = await run(args);
  const line = out.split('\n').find((l) => l.startsWith('{"mode"'));
  if (!line) throw new Error('memory bench: child printed no report');
  const r = JSON.parse(line) as ChildReport;
  if (r.series !== SYMBOLS * INTERVALS.length) throw new Error(`memory bench: desk holds ${r.series} series, expected ${SYMBOLS * INTERVALS.length}`);
  return r;
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Measures the RSS of the composed desk holding 300 symbols × 2 intervals × 500 real bars in a child
 * process per run (3 runs per mode, medians): under tsx, as the esbuild bundle, and as the bundle with
 * the node flags of `npm start`; each after warm-up, 5 live bars per series and a full GC, and again after
 * 6 s idle and a full GC. Lines per mode: whole-process RSS both times (target ≤ 100 MB), runtime baseline, RSS after loading the modules, the
 * warm desk's share, heap, array buffers, warm-up time. Rejects when the build or a child fails.
 */
export async function benchMemory(): Promise<BenchLine[]> {
  const { buildBundle } = await import('../build.ts');
  const bundle = await buildBundle({ entry: 'scripts/bench/memory.ts', outfile: 'dist/bench/memory.mjs' });
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'desk-mem-src-'));
  try {
    const sources = writeSources(dir);
    const startFlags = productionNodeFlags();
    const modes = [
      { mode: 'tsx', flags: ['--import', 'tsx'], entry: self },
      { mode: 'bundle', flags: ['--enable-source-maps'], entry: bundle.outfile },
      ...(startFlags ? [{ mode: 'start', flags: startFlags, entry: bundle.outfile }] : []),
    ];
    const what = `${SYMBOLS}x${INTERVALS.length}x${BARS}`;
    const lines: BenchLine[] = [];
    for (const m of modes) {
      const runs: ChildReport[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await childReport(['--expose-gc', ...m.flags, m.entry, CHILD_FLAG, m.mode, sources]));
      const med = (f: (r: ChildReport) => number) => median(runs.map(f));
      const baseline = await runtimeRss(m.flags);
      const line = (name: string, value: number, unit: string, reference: number | null): BenchLine => ({
        name: `memory.${m.mode}.${name}.${what}`,
        value: round(value),
        unit,
        reference,
        ratio: reference ? Math.round((value / reference) * 100) / 100 : null,
      });
      // Whole-process RSS of the warm desk right after warm-up + live bars + a full GC: the target line
      // (ratio ≤ 1 meets it); and the same desk after 6 s idle + a full GC (V8 has shrunk its young
      // generation back after the warm-up burst: what a desk between bars holds).
      lines.push(line('rss', med((r) => r.rssWarmMb), 'MB', TARGET_MB));
      lines.push(line('rss_steady', med((r) => r.rssSteadyMb), 'MB', TARGET_MB));
      // Breakdown: bare runtime with the mode's flags (+ the tsx hooks thread in tsx mode); after loading
      // every desk module (no data); what the warm desk adds over that (bars, features, SQLite, V8 heap
      // growth from the warm-up burst); live heap; typed arrays (the KlineStore is most of them).
      lines.push(line('rss_runtime', baseline, 'MB', null));
      lines.push(line('rss_after_load', med((r) => r.rssLoadedMb), 'MB', null));
      lines.push(line('rss_desk', med((r) => r.rssWarmMb - r.rssLoadedMb), 'MB', null));
      lines.push(line('heap_used', med((r) => r.heapUsedMb), 'MB', null));
      lines.push(line('array_buffers', med((r) => r.arrayBuffersMb), 'MB', null));
      lines.push(line('warmup_ms', med((r) => r.warmupMs), 'ms', null));
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run as a script: this file under tsx, or its bundle dist/bench/memory.mjs (import.meta.url is then the bundle).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf(CHILD_FLAG);
  const work = at >= 0 ? child(process.argv[at + 1] ?? 'tsx', process.argv[at + 2] ?? '').then((r) => [r]) : benchMemory();
  work.then(
    (lines) => {
      for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : 'memory bench failed'}\n`);
      process.exit(1);
    },
  );
}
