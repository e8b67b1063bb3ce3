// The desk's memory target (issue 2): RSS ≤ 100 MB while THE DESK (composeDesk: scanner with a
// FeatureState per series, the desk's KlineStore, the SQLite store, the paper broker) holds 300 symbols
// × 2 intervals (60, 240) × 500 bars. Each mode runs in its own child process and reports after
// warm-up, a few live bars and a full GC:
//   tsx    — node --import tsx scripts/bench/memory.ts (how `npm start` ran TypeScript before the bundle)
//   bundle — node --enable-source-maps dist/bench/memory.mjs (esbuild bundle, as `npm start` runs now)
// The bars are real: every one of the 300 labels gets a window of a real bundled series (never
// synthesized prices) and the rules of the real instrument that series belongs to.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bar, BarHandler, Instrument, MarketFeed, Quote } from '../../engine/market/types.ts';
import type { Interval } from '../../engine/schemas.ts';
import { loadKlineFile, type KlineFile } from '../../engine/market/csv.ts';
import { replayInstruments } from '../../engine/market/replay-instruments.ts';
import { createLogger } from '../../engine/log.ts';
import { loadConfig } from '../../engine/config.ts';
import { systemClock } from '../../engine/clock.ts';
import { composeDesk } from '../compose.ts';
import type { BenchLine } from './bench-line.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYMBOLS = 300;
const INTERVALS: Interval[] = ['60', '240'];
const BARS = 500;
/** Closed bars per series delivered through the live path (desk.onBar) after the warm-up. */
const LIVE_BARS = 5;
const TARGET_MB = 100;
const MB = 1024 * 1024;
const SOURCES = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT', 'AAVEUSDT', 'ADAUSDT', 'APEUSDT', 'AVAXUSDT'];
const CHILD_FLAG = '--memory-child';

/** What one child reports (MB unless named otherwise). */
interface ChildReport {
  mode: string;
  rssLoadedMb: number;
  rssWarmMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  series: number;
  bars: number;
  liveBars: number;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('memory bench: run the child with --expose-gc');
  for (let i = 0; i < 4; i++) g();
};

interface TiledFeed {
  feed: MarketFeed;
  labels: string[];
  /** Delivers `n` further real bars of every series through the desk's bar handler, oldest first. */
  deliver(n: number): Promise<number>;
  /** Drops the source columns (the bench's, not the desk's) so they are not counted. */
  release(): void;
}

// An injected MarketFeed serving real bundled bars tiled across `symbols` labels (T000USDT, ...): label k
// reads source k mod n of each interval from a per-label offset, so the labels hold different windows.
function tiledFeed(symbols: number): TiledFeed {
  const rules = new Map(replayInstruments(join(ROOT, 'data')).map((i) => [i.symbol, i]));
  const sources = new Map<Interval, { symbol: string; data: KlineFile }[]>();
  for (const iv of INTERVALS) {
    const list: { symbol: string; data: KlineFile }[] = [];
    for (const s of SOURCES) {
      try {
        const data = loadKlineFile(join(ROOT, 'data/klines', `${s}-${iv}.csv`));
        if (data.length >= BARS + LIVE_BARS + 50) list.push({ symbol: s, data });
      } catch {
        // this symbol has no file for this interval
      }
    }
    if (list.length === 0) throw new Error(`memory bench: no kline file for interval ${iv}`);
    sources.set(iv, list);
  }
  const labels = Array.from({ length: symbols }, (_, k) => `T${String(k).padStart(3, '0')}USDT`);
  const index = new Map(labels.map((l, k) => [l, k]));
  // Where each label × interval reads: source and first row of its window.
  const pick = (k: number, iv: Interval) => {
    const list = sources.get(iv)!;
    const src = list[k % list.length]!;
    const span = src.data.length - BARS - LIVE_BARS;
    return { src, offset: (k * 37) % span };
  };
  const barAt = (symbol: string, iv: Interval, d: KlineFile, i: number): Bar => ({
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
        const real = rules.get(pick(k, '60').src.symbol) ?? rules.get('BTCUSDT')!;
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
async function child(mode: string): Promise<ChildReport> {
  gc();
  const rssLoaded = process.memoryUsage().rss; // runtime (+ loader) + every desk module, no data yet
  const dir = mkdtempSync(join(tmpdir(), 'desk-mem-'));
  try {
    const tiled = tiledFeed(SYMBOLS);
    const config = loadConfig({
      DESK_DB: join(dir, 'desk.db'),
      DESK_BACKUP_DIR: join(dir, 'backups'),
      DESK_LOG_LEVEL: 'silent',
      DESK_UNIVERSE: tiled.labels.join(','),
      DESK_INTERVALS: INTERVALS.join(','),
      DESK_WARMUP_BARS: String(BARS),
    });
    const rt = await composeDesk(config, { feed: tiled.feed, logger: createLogger({ level: 'silent' }) });
    await rt.desk.start();
    const live = await tiled.deliver(LIVE_BARS);
    tiled.release();
    gc();
    const mu = process.memoryUsage();
    const series = rt.scanner.list().length;
    const report: ChildReport = {
      mode,
      rssLoadedMb: rssLoaded / MB,
      rssWarmMb: mu.rss / MB,
      heapUsedMb: mu.heapUsed / MB,
      heapTotalMb: mu.heapTotal / MB,
      externalMb: mu.external / MB,
      arrayBuffersMb: mu.arrayBuffers / MB,
      series,
      bars: series * BARS,
      liveBars: live,
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

// RSS (MB) of a bare runtime after a full GC: node alone, or node with the tsx loader registered.
async function runtimeRss(withTsx: boolean): Promise<number> {
  const probe = 'for(let i=0;i<4;i++)globalThis.gc();process.stdout.write(String(process.memoryUsage().rss))';
  const out = await run(['--expose-gc', ...(withTsx ? ['--import', 'tsx'] : []), '-e', probe]);
  return Number(out) / MB;
}

async function childReport(args: string[]): Promise<ChildReport> {
  const out = await run(args);
  const line = out.split('\n').find((l) => l.startsWith('{"mode"'));
  if (!line) throw new Error('memory bench: child printed no report');
  return JSON.parse(line) as ChildReport;
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Measures the RSS of the composed desk holding 300 symbols × 2 intervals × 500 real bars, once under
 * tsx and once as the esbuild bundle (how `npm start` runs it), each in a child process after warm-up,
 * 5 live bars per series and a full GC; lines per mode: whole-process RSS (target ≤ 100 MB), the runtime
 * baseline, RSS after loading the modules, and the heap. Rejects when a child or the build fails.
 */
export async function benchMemory(): Promise<BenchLine[]> {
  const { buildBundle } = await import('../build.ts');
  const bundle = await buildBundle({ entry: 'scripts/bench/memory.ts', outfile: 'dist/bench/memory.mjs' });
  const self = fileURLToPath(import.meta.url);
  const modes = [
    { mode: 'tsx', baseline: await runtimeRss(true), args: ['--expose-gc', '--import', 'tsx', self, CHILD_FLAG, 'tsx'] },
    { mode: 'bundle', baseline: await runtimeRss(false), args: ['--expose-gc', '--enable-source-maps', bundle.outfile, CHILD_FLAG, 'bundle'] },
  ];
  const what = `${SYMBOLS}x${INTERVALS.length}x${BARS}`;
  const lines: BenchLine[] = [];
  for (const m of modes) {
    const r = await childReport(m.args);
    if (r.series !== SYMBOLS * INTERVALS.length) throw new Error(`memory bench: desk holds ${r.series} series, expected ${SYMBOLS * INTERVALS.length}`);
    const mb = (name: string, value: number, reference: number | null): BenchLine => ({
      name: `memory.${m.mode}.${name}.${what}`,
      value: round(value),
      unit: 'MB',
      reference,
      ratio: reference ? Math.round((value / reference) * 100) / 100 : null,
    });
    // Whole-process RSS of the warmed desk: the target line.
    lines.push(mb('rss', r.rssWarmMb, TARGET_MB));
    // Breakdown: bare runtime (node, plus the tsx hooks thread in tsx mode), after loading every desk
    // module (no data), and what the warm desk adds over that (bars, features, SQLite, heap).
    lines.push(mb('rss_runtime', m.baseline, null));
    lines.push(mb('rss_after_load', r.rssLoadedMb, null));
    lines.push(mb('rss_data', r.rssWarmMb - r.rssLoadedMb, null));
    lines.push(mb('heap_used', r.heapUsedMb, null));
    lines.push(mb('array_buffers', r.arrayBuffersMb, null));
  }
  return lines;
}

// Run as a script: this file under tsx, or its bundle dist/bench/memory.mjs (import.meta.url is then the bundle).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf(CHILD_FLAG);
  const work = at >= 0 ? child(process.argv[at + 1] ?? 'tsx').then((r) => [r]) : benchMemory();
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
