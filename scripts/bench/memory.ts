import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Interval } from '../../engine/schemas.ts';
import type { KlineFile } from '../../engine/market/csv.ts';

/** One benchmark result line: `ratio` = value / reference (≤ 1 meets the target for "lower is better"). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference: number;
  ratio: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYMBOLS = 300;
const INTERVALS: Interval[] = ['60', '240'];
const BARS = 500;
const TARGET_MB = 100;
const MB = 1024 * 1024;

interface ChildReport {
  rssRuntimeMb: number;
  rssLoadedMb: number;
  rssAfterMb: number;
  heapUsedMb: number;
  arrayBuffersMb: number;
  storeMb: number;
  series: number;
  bars: number;
  featureState: boolean;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
};

// The child: holds 300 symbols × 2 intervals × 500 real bars (and a FeatureState per series when the
// indicators module exists), then reports its memory after a full GC.
async function child(): Promise<ChildReport> {
  gc();
  const rssRuntime = process.memoryUsage().rss; // node + the tsx loader, nothing of the desk yet
  const { KlineStore } = await import('../../engine/market/kline-store.ts');
  const { loadKlineFile } = await import('../../engine/market/csv.ts');
  const featurePath = join(ROOT, 'engine/indicators/feature-state.ts');
  type State = { update(s: number, o: number, h: number, l: number, c: number, v: number): unknown };
  let makeState: (() => State) | null = null;
  if (existsSync(featurePath)) {
    const mod = (await import(pathToFileURL(featurePath).href)) as { FeatureState?: new () => State };
    if (mod.FeatureState) {
      const Ctor = mod.FeatureState;
      makeState = () => new Ctor();
    }
  }
  // Real bundled series per interval; every synthetic symbol label gets a window of real bars.
  const sources = new Map<Interval, KlineFile[]>();
  for (const iv of INTERVALS) {
    const list: KlineFile[] = [];
    for (const s of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT', 'AAVEUSDT', 'ADAUSDT', 'APEUSDT', 'AVAXUSDT']) {
      const p = join(ROOT, 'data/klines', `${s}-${iv}.csv`);
      if (existsSync(p)) list.push(loadKlineFile(p));
    }
    sources.set(iv, list);
  }
  gc();
  const rssLoaded = process.memoryUsage().rss; // desk modules and the source files loaded, store empty

  const store = new KlineStore({ capacity: BARS });
  const states: State[] = [];
  let bars = 0;
  for (let k = 0; k < SYMBOLS; k++) {
    const symbol = `T${String(k).padStart(3, '0')}USDT`;
    for (const iv of INTERVALS) {
      const list = sources.get(iv) as KlineFile[];
      const src = list[k % list.length] as KlineFile;
      const offset = (k * 37) % (src.length - BARS);
      const st = makeState ? makeState() : null;
      if (st) states.push(st);
      for (let i = offset; i < offset + BARS; i++) {
        store.append({
          symbol,
          interval: iv,
          start: src.start[i] as number,
          open: src.open[i] as number,
          high: src.high[i] as number,
          low: src.low[i] as number,
          close: src.close[i] as number,
          volume: src.volume[i] as number,
        });
        st?.update(src.start[i] as number, src.open[i] as number, src.high[i] as number, src.low[i] as number, src.close[i] as number, src.volume[i] as number);
        bars++;
      }
    }
  }
  sources.clear();
  gc();
  const mu = process.memoryUsage();
  const report: ChildReport = {
    rssRuntimeMb: rssRuntime / MB,
    rssLoadedMb: rssLoaded / MB,
    rssAfterMb: mu.rss / MB,
    heapUsedMb: mu.heapUsed / MB,
    arrayBuffersMb: mu.arrayBuffers / MB,
    storeMb: store.bytes() / MB,
    series: store.keys().length,
    bars,
    featureState: makeState !== null,
  };
  // Keep the data reachable until measured.
  if (states.length < 0 || store.size('T000USDT', '60') < 0) console.error('unreachable');
  return report;
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Measures, in a child process (node --expose-gc with tsx), the RSS of the desk holding 300 symbols ×
 * 2 intervals × 500 real bars in the KlineStore plus a FeatureState per series; target ≤ 100 MB.
 * Rejects when the child fails or prints no report.
 */
export async function benchMemory(): Promise<BenchLine[]> {
  const self = fileURLToPath(import.meta.url);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', self, '--child'],
      { cwd: ROOT, maxBuffer: 1 << 20, timeout: 120_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
  const line = out.split('\n').find((l) => l.startsWith('{"rssRuntimeMb"'));
  if (!line) throw new Error('memory bench: child printed no report');
  const r = JSON.parse(line) as ChildReport;
  const what = `${SYMBOLS}x${INTERVALS.length}x${BARS}${r.featureState ? '+features' : ''}`;
  const line_ = (name: string, mb: number): BenchLine => ({ name: `memory.${name}.${what}`, value: round(mb), unit: 'MB', reference: TARGET_MB, ratio: round(mb / TARGET_MB) });
  return [
    // Whole child process: node + tsx loader thread + desk modules + data (what `npm start` pays).
    line_('rss', r.rssAfterMb),
    // The desk's own share: RSS over the bare node+tsx runtime (modules incl. zod, plus the data).
    line_('rss_over_runtime', r.rssAfterMb - r.rssRuntimeMb),
    // The data alone: RSS after filling minus RSS with the modules and source files loaded.
    line_('rss_data', r.rssAfterMb - r.rssLoadedMb),
    line_('kline_store_bytes', r.storeMb),
    line_('heap_used', r.heapUsedMb),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--child')) {
    child().then(
      (r) => console.log(JSON.stringify(r)),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  } else {
    benchMemory().then(
      (lines) => {
        for (const l of lines) console.log(JSON.stringify(l));
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  }
}
