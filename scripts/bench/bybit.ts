// Bybit feed benchmark: a closed bar pushed by the loopback V5 fake's public WS → the Bybit feed's
// onBar, for 200 subscribed symbols on one shared connection (real bybit-api WebsocketClient,
// 127.0.0.1). The fake runs in a child process. Every round it closes one 60-minute bar for all 200
// symbols at once (a burst, as at a real bar boundary) and publishes 200 tickers; latency = onBar
// time − the moment the fake started publishing that burst (epoch clocks of one machine).
// The 200 symbols are aliases (B000USDT…B199USDT) of the repo's real 60-minute kline files: the
// prices are real, the names are not — this measures plumbing, not markets.
// Run: `npx tsx scripts/bench/bybit.ts` → JSON lines {name, value, unit, reference, ratio}.
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBybitFeed } from '../../engine/bybit/market-feed.ts';
import { systemClock } from '../../engine/clock.ts';
import { testConfig } from '../../engine/config.ts';
import { silentLogger } from '../../engine/log.ts';
import { startBybitV5Fake } from '../../test/fakes/bybit-v5/index.ts';
import type { BenchLine } from './bench-line.ts';


const SYMBOLS = 200;
const WARMUP_ROUNDS = 10;
const ROUNDS = 50;
/** Target: the last of 200 simultaneous closed bars reaches onBar within 50 ms on loopback. */
const P99_TARGET_MS = 50;
const KLINES = fileURLToPath(new URL('../../data/klines/', import.meta.url));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (x: number): number => Math.round(x * 1000) / 1000;

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('bench: bars did not arrive in time');
    await new Promise((r) => setImmediate(r));
  }
}

/** Epoch ms with sub-ms precision, comparable between processes on one machine. */
const epoch = (): number => performance.timeOrigin + performance.now();

type ChildMsg = { ready: true; restUrl: string; wsPublicUrl: string; wsPrivateUrl: string; symbols: string[] } | { stepped: true; t: number; publishMs: number };

/** The fake runs in its own process, so its (synchronous) publishing never blocks the feed's event loop. */
async function fakeChild(): Promise<void> {
  const sources = readdirSync(KLINES).filter((f) => /^[A-Z0-9]+USDT-60\.csv$/.test(f)).sort();
  if (sources.length === 0) throw new Error('bench: no 60-minute kline files in data/klines');
  const dir = mkdtempSync(join(tmpdir(), 'bybit-bench-'));
  const symbols: string[] = [];
  for (let i = 0; i < SYMBOLS; i++) {
    const sym = `B${String(i).padStart(3, '0')}USDT`;
    copyFileSync(join(KLINES, sources[i % sources.length]!), join(dir, `${sym}-60.csv`));
    symbols.push(sym);
  }
  const fake = await startBybitV5Fake({ klinesDir: dir, symbols, baseInterval: '60' });
  const send = (m: ChildMsg) => process.send?.(m);
  process.on('message', (m: { advance?: number; stop?: boolean }) => {
    if (m.stop) {
      void fake.close().then(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
      return;
    }
    const t = epoch();
    fake.advance(m.advance ?? 1, symbols);
    send({ stepped: true, t, publishMs: epoch() - t });
  });
  send({ ready: true, restUrl: fake.restUrl, wsPublicUrl: fake.wsPublicUrl, wsPrivateUrl: fake.wsPrivateUrl, symbols });
}

/**
 * Measures closed-bar latency fake WS → feed.onBar for 200 symbols (p50, p99, max over 10 000 bars;
 * the fake runs in a child process) and counts the ≤10-topic subscribe requests; rejects if the fake
 * or the feed cannot start.
 */
export async function benchBybit(): Promise<BenchLine[]> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--fake-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const inbox: ChildMsg[] = [];
  let wake: (() => void) | null = null;
  child.on('message', (m: ChildMsg) => {
    inbox.push(m);
    wake?.();
  });
  const next = async <K extends 'ready' | 'stepped'>(kind: K): Promise<Extract<ChildMsg, Record<K, true>>> => {
    for (;;) {
      const i = inbox.findIndex((m) => kind in m);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<ChildMsg, Record<K, true>>;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const ready = await next('ready');
  const symbols = ready.symbols;
  const config = testConfig({ BYBIT_REST_URL: ready.restUrl, BYBIT_WS_PUBLIC_URL: ready.wsPublicUrl, BYBIT_WS_PRIVATE_URL: ready.wsPrivateUrl, DESK_INTERVALS: '60' });
  const feed = createBybitFeed({ config, clock: systemClock, logger: silentLogger, universe: symbols, intervals: ['60'] });
  let got = 0;
  let arrivals: number[] = [];
  const lat: number[] = [];
  const publish: number[] = [];
  const afterPublish: number[] = [];
  try {
    for (const s of symbols) await feed.history(s, '60', 5);
    await feed.start(() => {
      got++;
      arrivals.push(epoch());
    });
    for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
      const target = got + SYMBOLS;
      arrivals = [];
      child.send({ advance: 1 });
      const stepped = await next('stepped');
      await until(() => got >= target, 10_000);
      if (r < WARMUP_ROUNDS) continue;
      publish.push(stepped.publishMs);
      for (const a of arrivals) lat.push(a - stepped.t);
      // How long after the fake finished publishing the burst the feed handed over its last bar.
      afterPublish.push(Math.max(0, Math.max(...arrivals) - (stepped.t + stepped.publishMs)));
    }
    await feed.drain();
    const gaps = Object.values(feed.stats().series).reduce((n, s) => n + s.refilled + s.duplicates, 0);
    if (gaps !== 0) throw new Error(`bench: ${gaps} bars were refilled or duplicated; the measurement is not clean`);
    lat.sort((a, b) => a - b);
    publish.sort((a, b) => a - b);
    afterPublish.sort((a, b) => a - b);
    const line = (name: string, v: number): BenchLine => ({ name, value: round(v), unit: 'ms', reference: P99_TARGET_MS, ratio: round(v / P99_TARGET_MS) });
    const subs = feed.stats().subscribeRequests;
    const subsRef = Math.ceil((SYMBOLS * 2) / 10);
    return [
      line('bybit.feed.closed_bar_to_onbar.200sym.p50', pct(lat, 50)),
      line('bybit.feed.closed_bar_to_onbar.200sym.p99', pct(lat, 99)),
      line('bybit.feed.closed_bar_to_onbar.200sym.max', lat[lat.length - 1] ?? NaN),
      { name: 'bybit.fake.publish_200_bars.p50', value: round(pct(publish, 50)), unit: 'ms', reference: null, ratio: null },
      { name: 'bybit.fake.publish_200_bars.max', value: round(publish[publish.length - 1] ?? NaN), unit: 'ms', reference: null, ratio: null },
      line('bybit.feed.last_bar_after_publish_end.200sym.p50', pct(afterPublish, 50)),
      line('bybit.feed.last_bar_after_publish_end.200sym.p99', pct(afterPublish, 99)),
      { name: 'bybit.feed.bars_measured', value: lat.length, unit: 'bars', reference: null, ratio: null },
      { name: 'bybit.feed.subscribe_requests.200sym', value: subs, unit: 'requests', reference: subsRef, ratio: round(subs / subsRef) },
    ];
  } finally {
    await feed.stop();
    child.send({ stop: true });
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        child.kill();
        r();
      }, 3_000);
      child.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--fake-child')) {
  fakeChild().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : 'bench child failed');
    process.exit(1);
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchBybit()
    .then((lines) => {
      for (const l of lines) console.log(JSON.stringify(l));
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : 'bench failed');
      process.exitCode = 1;
    });
}
