// Bybit feed benchmark: a closed bar pushed by the loopback V5 fake's public WS → the Bybit feed's
// onBar, for 200 subscribed symbols on one shared connection (real bybit-api WebsocketClient,
// 127.0.0.1). The fake runs in a child process. Every round it closes one 60-minute bar for all 200
// symbols at once (a burst, as at a real bar boundary) and publishes 200 tickers; latency = onBar
// time − the moment the fake started publishing that burst (epoch clocks of one machine).
// The 200 symbols are aliases (B000USDT…B199USDT) of the repo's five real 60-minute kline files: the
// prices are real, the names are not — this measures plumbing, not markets. For the desk part each
// alias replays its series from a different date (37 bars apart), so the 200 behave as independent
// markets; `--correlated` keeps the 40 aliases of a series on the same bar, a stress case where up
// to 120 of 200 symbols signal on one bar.
// Second part (issue 3): the same fake and the same 200 aliases, but through THE DESK as
// scripts/start.ts builds it — composeDesk with DESK_FEED=bybit, DESK_MODE=paper, DESK_INTERVALS=60,
// a WAL database file — and latency = the desk's `signal.created` event − the moment the fake began
// pushing THAT symbol's closed kline. The fake first does its own work for the bar (matching,
// rendering every message: Bybit's servers do not share our cores) and sends the bars' opening ticks
// (on Bybit a bar's first confirm=false update comes at its start, not with its close), then pushes
// the 200 symbols' closed klines back to back (tickers too, to subscribers: the desk takes them over
// REST), stamping each symbol: the burst lands within about 1.2 ms, as at a real bar boundary. The
// desk runs in its own process as `npm start` runs it: plain node with the flags of package.json's
// "start" on an esbuild bundle (no tsx loader), the fake in another process. Also the desk's own
// onBar cost per bar (the feed's handler, from its call until its promise settles), closed kline →
// onBar done for every bar, signal or not, and the desk's main-thread CPU per round and that of its
// other threads (V8's compiler, Linux schedstat).
// Between rounds (untimed) a trader keeps 5 paper positions open; the fake's per-symbol stamps are
// fetched after each burst, not during it, and every round's numbers are worked out after the last.
// `--desk-live` runs the desk in DESK_MODE=live on the fake's private API instead. Other engineers
// share this 2-core machine: read the load lines.
// Run: `npx tsx scripts/bench/bybit.ts [--feed|--desk|--desk-live] [--correlated]` (BENCH_DIAG=1:
// per-round lines on stderr, written after the last round; BENCH_DESK_NODE_FLAGS: extra node flags
// for the desk's process) → JSON lines {name, value, unit, reference, ratio}.
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBybitFeed } from '../../engine/bybit/market-feed.ts';
import { systemClock } from '../../engine/clock.ts';
import { testConfig } from '../../engine/config.ts';
import { silentLogger } from '../../engine/log.ts';
import type { Bar, BarHandler, IdleHandler } from '../../engine/market/types.ts';
import { startBybitV5Fake } from '../../test/fakes/bybit-v5/index.ts';
import { composeDesk } from '../compose.ts';
import type { BenchLine } from './bench-line.ts';
import { productionNodeFlags } from './production-flags.ts';
import { buildBundle } from '../build.ts';

const SYMBOLS = 200;
/** Independent markets: bars between the replay positions of two aliases of one real series. */
const ALIAS_SHIFT_BARS = 37;
const WARMUP_ROUNDS = 10;
const ROUNDS = 50;
/**
 * Desk part: warm-up rounds, then measured rounds (one closed 60-minute bar for all 200 symbols each).
 * V8 still compiles hot functions (on its worker thread, beside the burst) for some 30 rounds: the
 * measured rounds are the desk in its steady state, as it runs for hours.
 */
const DESK_WARMUP_ROUNDS = 40;
const DESK_ROUNDS = 150;
/** Target: the last of 200 simultaneous closed bars reaches onBar within 50 ms on loopback. */
const P99_TARGET_MS = 50;
/** Target (issue 3): a closed kline on the Bybit WS becomes the desk's signal.created within 10 ms at p99, 200 symbols. */
const SIGNAL_P99_TARGET_MS = 10;
/**
 * Desk part: the closing burst follows the bars' opening ticks by this much (on Bybit they come an
 * hour apart). 5 ms is enough for the desk to be done with them; the same pause also keeps the bench
 * from measuring this VM's wake-up after an idle pause (25 or 100 ms idle added 2-5 ms of run-queue
 * wait to the burst; a live desk of 200 symbols is rarely idle that long: Bybit pushes each forming
 * kline every 1-60 s, so 200 subscribed series make a message every few ms while the market moves).
 */
const OPENING_LEAD_MS = 5;
/** Longest wait for the fake child's answer (its start included) before the bench gives up on it. */
const FAKE_REPLY_MS = 60_000;
/** Longest run of one desk part (its own process) before the bench kills it and fails. */
const DESK_PART_MS = 10 * 60_000;
/**
 * This file as TypeScript source. The desk's process runs a bundle of it (see benchBybitDesk), where
 * import.meta.url is the bundle; the fake's process always runs the source under tsx, so the parent
 * hands its own path down.
 */
const SOURCE = process.env.BENCH_BYBIT_SOURCE ?? fileURLToPath(import.meta.url);
const KLINES = join(dirname(SOURCE), '../../data/klines/');

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Resolves once `cond()` holds, re-checked whenever `poke()` is called (from the bar handler): no
 * polling loop, so the waiting bench does not burn a core the fake and the desk need. Rejects after `ms`.
 */
function waiter(): { poke(): void; until(cond: () => boolean, ms: number): Promise<void> } {
  let check: (() => void) | null = null;
  return {
    poke: () => check?.(),
    until: (cond, ms) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          check = null;
          reject(new Error('bench: bars did not arrive in time'));
        }, ms);
        check = () => {
          if (!cond()) return;
          check = null;
          clearTimeout(timer);
          resolve();
        };
        check();
      }),
  };
}

/** Epoch ms with sub-ms precision, comparable between processes on one machine. */
const epoch = (): number => performance.timeOrigin + performance.now();

type ChildMsg =
  | { ready: true; restUrl: string; wsPublicUrl: string; wsPrivateUrl: string; symbols: string[] }
  | { stepped: true; t: number; publishMs: number; at: number[] | null };

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
  if (!process.argv.includes('--correlated')) {
    // Independent markets: alias i replays its source 37 × ⌊i/5⌋ bars earlier, so no two symbols
    // close the same real bar (40 copies of one series would all signal on the same bar).
    for (let i = sources.length; i < SYMBOLS; i++) {
      const sym = symbols[i]!;
      fake.setCursor(sym, { index: fake.market(sym).index - Math.floor(i / sources.length) * ALIAS_SHIFT_BARS });
    }
  }
  const send = (m: ChildMsg) => process.send?.(m);
  const stop = (): void =>
    void fake.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  // A parent that dies without saying stop must not leave the fake (its ports, its files) behind.
  process.once('disconnect', stop);
  let stamps: ChildMsg | null = null;
  let stampsAsked = false;
  process.on('message', (m: { advance?: number; perSymbol?: boolean; stamps?: boolean; stop?: boolean }) => {
    if (m.stop) {
      stop();
      return;
    }
    if (m.perSymbol) {
      // The fake's own work for the bar (matching, rendering every message) is done first, untimed:
      // Bybit's servers do not share our two cores. The fake's step opens and closes the bar at once;
      // on Bybit the bar's first update (confirm=false) came at its start, an hour before its close,
      // so those go out first, untimed, and the desk is done with them before the close. Then each
      // symbol's closed kline (and ticker, if anyone subscribed it) is pushed in turn, back to back,
      // as at a real bar boundary, each push stamped.
      const steps = fake.prepareAdvance(symbols);
      for (const s of steps) s.opening();
      setTimeout(() => {
        const at: number[] = [];
        const t = epoch();
        for (const s of steps) {
          at.push(epoch());
          s.closing();
        }
        // The stamps wait until the desk asks for them (after the burst): an IPC message parsed in
        // the middle of the burst would be the bench's cost on the desk's clock.
        stamps = { stepped: true, t, publishMs: epoch() - t, at };
        if (stampsAsked) sendStamps();
      }, OPENING_LEAD_MS);
      return;
    }
    if (m.stamps) {
      // Asked before the burst went out (the desk already had its bars): answered right after it.
      stampsAsked = true;
      if (stamps) sendStamps();
      return;
    }
    const t = epoch();
    fake.advance(m.advance ?? 1, symbols);
    send({ stepped: true, t, publishMs: epoch() - t, at: null });
  });
  function sendStamps(): void {
    if (stamps) send(stamps);
    stamps = null;
    stampsAsked = false;
  }
  send({ ready: true, restUrl: fake.restUrl, wsPublicUrl: fake.wsPublicUrl, wsPrivateUrl: fake.wsPrivateUrl, symbols });
}

interface FakeChild {
  ready: Extract<ChildMsg, { ready: true }>;
  /** Steps every symbol at once and resolves with the fake's timing (the feed part). */
  step(): Promise<Extract<ChildMsg, { stepped: true }>>;
  /** Pushes one closed bar per symbol, stamping each push; returns at once, without the stamps. */
  push(): void;
  /** The stamps of the last push(), asked for once its bars are in. */
  stamps(): Promise<Extract<ChildMsg, { stepped: true }>>;
  stop(): Promise<void>;
}

/**
 * Forks the fake (this file with --fake-child) and waits for it to listen; `correlated` keeps the 40
 * aliases of each real series on the same bar. Rejects if it dies first.
 */
async function startFakeChild(correlated = false): Promise<FakeChild> {
  const child: ChildProcess = fork(SOURCE, ['--fake-child', ...(correlated ? ['--correlated'] : [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const inbox: ChildMsg[] = [];
  let wake: (() => void) | null = null;
  let dead = false;
  child.on('message', (m: ChildMsg) => {
    inbox.push(m);
    wake?.();
  });
  child.once('exit', () => {
    dead = true;
    wake?.();
  });
  const next = async <K extends 'ready' | 'stepped'>(kind: K): Promise<Extract<ChildMsg, Record<K, true>>> => {
    const deadline = performance.now() + FAKE_REPLY_MS;
    for (;;) {
      const i = inbox.findIndex((m) => kind in m);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<ChildMsg, Record<K, true>>;
      if (dead) throw new Error('bench: the fake child exited');
      const left = deadline - performance.now();
      if (left <= 0) {
        child.kill();
        throw new Error(`bench: the fake child did not answer (${kind}) within ${FAKE_REPLY_MS} ms`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  };
  const ready = await next('ready');
  return {
    ready,
    step() {
      child.send({ advance: 1 });
      return next('stepped');
    },
    push() {
      child.send({ advance: 1, perSymbol: true });
    },
    stamps() {
      child.send({ stamps: true });
      return next('stepped');
    },
    async stop() {
      if (dead) return;
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
    },
  };
}

const load1 = (): number => round(loadavg()[0] ?? NaN);

/** CPU time and run-queue wait of one thread, ms (Linux schedstat). */
interface Sched {
  cpuMs: number;
  waitMs: number;
}

/**
 * This process's main thread: ms on a CPU and ms ready to run but waiting for one, since it started
 * (Linux /proc schedstat, ns resolution); null where there is no such file.
 */
function mainThreadSched(): Sched | null {
  try {
    const [cpu, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}

/**
 * CPU ms, since they started, of every thread of this process but the main one: V8's compiler thread
 * (the desk runs with --v8-pool-size=1, so one), libuv's pool, the loader's thread; on 2 cores they take
 * a CPU from the main thread or the fake. Null where there is no /proc.
 */
function otherThreadsCpuMs(): number | null {
  try {
    let ns = 0;
    for (const t of readdirSync('/proc/self/task')) {
      if (Number(t) === process.pid) continue;
      try {
        ns += Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

/**
 * Measures closed-bar latency fake WS → feed.onBar for 200 symbols (p50, p99, max over 10 000 bars;
 * the fake runs in a child process) and counts the ≤10-topic subscribe requests; rejects if the fake
 * or the feed cannot start.
 */
export async function benchBybitFeed(): Promise<BenchLine[]> {
  const fake = await startFakeChild();
  const { ready } = fake;
  const symbols = ready.symbols;
  const config = testConfig({ BYBIT_REST_URL: ready.restUrl, BYBIT_WS_PUBLIC_URL: ready.wsPublicUrl, BYBIT_WS_PRIVATE_URL: ready.wsPrivateUrl, DESK_INTERVALS: '60' });
  const feed = createBybitFeed({ config, clock: systemClock, logger: silentLogger, universe: symbols, intervals: ['60'] });
  let got = 0;
  const wait = waiter();
  let arrivals: number[] = [];
  const lat: number[] = [];
  const publish: number[] = [];
  const afterPublish: number[] = [];
  const loadBefore = load1();
  try {
    for (const s of symbols) await feed.history(s, '60', 5);
    await feed.start(() => {
      got++;
      arrivals.push(epoch());
      wait.poke();
    });
    for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
      const target = got + SYMBOLS;
      arrivals = [];
      const stepped = await fake.step();
      await wait.until(() => got >= target, 10_000);
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
      { name: 'bybit.feed.loadavg_1m', value: round((loadBefore + load1()) / 2), unit: 'load', reference: null, ratio: null },
    ];
  } finally {
    await feed.stop();
    await fake.stop();
  }
}

type DeskMode = 'paper' | 'live';
type Markets = 'independent' | 'correlated';

/**
 * The desk part in a child process as `npm start` runs the desk: plain node with the flags of
 * package.json's "start" (see productionNodeFlags) on an esbuild bundle (scripts/build.ts) of this
 * file, not the TypeScript under the tsx loader (whose hooks thread has a heap of its own, collected
 * beside the bursts, and which production does not run); see measureDesk for what is measured.
 * Rejects if the bundle cannot be built, or the child fails or exits without its lines.
 */
export async function benchBybitDesk(mode: DeskMode = 'paper', withPositions = true, markets: Markets = 'independent'): Promise<BenchLine[]> {
  const flags = productionNodeFlags() ?? [];
  // BENCH_DESK_NODE_FLAGS adds node flags for the desk's process (e.g. --cpu-prof to profile it).
  const extra = process.env.BENCH_DESK_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const args = ['--desk-child', `--mode=${mode}`, `--markets=${markets}`, ...(withPositions ? [] : ['--no-positions'])];
  // One folder below the root, as dist/start.mjs (paths from import.meta.url resolve the same).
  const { outfile } = await buildBundle({ entry: SOURCE, outfile: 'dist/bench-bybit.mjs' });
  // esbuild's service process (Go, with timers of its own) would otherwise live on beside the run.
  await (await import('esbuild')).stop();
  const child = fork(outfile, args, { execArgv: [...flags, ...extra], env: { ...process.env, BENCH_BYBIT_SOURCE: SOURCE }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<BenchLine[]>((resolve, reject) => {
    let lines: BenchLine[] | null = null;
    const timer = setTimeout(() => child.kill(), DESK_PART_MS);
    child.on('message', (m: { lines?: BenchLine[] }) => {
      if (m.lines) lines = m.lines;
    });
    child.once('error', reject);
    // 'close' (not 'exit'): the IPC channel is drained by then, so the lines cannot arrive after it.
    child.once('close', (code) => {
      clearTimeout(timer);
      if (lines) resolve(lines);
      else reject(new Error(`bench: the desk child exited (code ${code ?? 'signal'}) without results`));
    });
  });
}

/**
 * Measures, in this process, through composeDesk (DESK_FEED=bybit, DESK_MODE=paper, 200 symbols on 60-minute bars),
 * closed kline published by the fake → the desk's signal.created for that bar (p50/p99/max), the
 * desk's own onBar cost per bar, and closed kline → onBar done for every bar; rejects if the fake or
 * the desk cannot start, or if the feed refilled or duplicated bars (an unclean measurement).
 */
async function measureDesk(mode: DeskMode, withPositions: boolean, markets: Markets): Promise<BenchLine[]> {
  const fake = await startFakeChild(markets === 'correlated');
  const { ready } = fake;
  const symbols = ready.symbols;
  const index = new Map(symbols.map((s, i) => [s, i]));
  // A WAL file like production's var/desk.db (an in-memory database would hide the commit cost of each write).
  const dbDir = mkdtempSync(join(tmpdir(), 'bybit-bench-db-'));
  const config = testConfig({
    DESK_DB: join(dbDir, 'desk.db'),
    DESK_FEED: 'bybit',
    DESK_MODE: mode,
    ...(mode === 'live' ? { BYBIT_API_KEY: 'fake-api-key', BYBIT_API_SECRET: 'fake-api-secret' } : {}),
    DESK_UNIVERSE: symbols.join(','),
    DESK_INTERVALS: '60',
    // The breaker is still checked on every fill and marked position, but never trips, so the trader
    // below can keep positions open for the whole run.
    RISK_DAILY_LOSS_PCT: '100',
    LIMIT_EXECUTES_PER_HOUR: '100000',
    BYBIT_REST_URL: ready.restUrl,
    BYBIT_WS_PUBLIC_URL: ready.wsPublicUrl,
    BYBIT_WS_PRIVATE_URL: ready.wsPrivateUrl,
  });
  const rt = await composeDesk(config, { logger: silentLogger }).catch(async (e: unknown) => {
    await fake.stop();
    rmSync(dbDir, { recursive: true, force: true });
    throw e;
  });
  // Time the desk's bar handler where the feed awaits it (the feed object is the composed Bybit feed).
  const feedStart = rt.feed.start.bind(rt.feed);
  let measuring = false;
  let done = 0;
  const wait = waiter();
  // Start of the bar each symbol closed last (symbols replay different dates unless correlated).
  const barOf = new Float64Array(SYMBOLS);
  // Per round, by symbol index: epoch ms of its onBar start and end (NaN until seen) and of each
  // signal.created; matched to the fake's per-symbol stamps once the round is in (bars reach the desk
  // before the stamps do). Typed arrays, so the bench's own bookkeeping allocates nothing per bar.
  const startAt = new Float64Array(SYMBOLS).fill(NaN);
  const doneAt = new Float64Array(SYMBOLS).fill(NaN);
  let signalAt: [number, number][] = [];
  const onBarMs: number[] = [];
  const onSignalBarMs: number[] = [];
  // This round's onBar cost per symbol index, to single out the bars that created a signal.
  const costAt = new Float64Array(SYMBOLS).fill(NaN);
  const toDone: number[] = [];
  const toStart: number[] = [];
  const publish: number[] = [];
  const cpuPerRound: number[] = [];
  const mainCpuPerRound: number[] = [];
  const mainWaitPerRound: number[] = [];
  const signalsPerRound: number[] = [];
  const toSignal: number[] = [];
  let signals = 0;
  let stray = 0;
  // The desk's burst-over hook (onIdle: its group commit) passes through untouched.
  // The wrapper is transparent: it hands the feed the desk's own promise (or nothing, if the desk
  // returned nothing) and times its end with a reaction of its own, so the feed awaits exactly what
  // it awaits in production, with no promise or async step of the bench's per bar. The feed hands
  // bars over one at a time (the next once this one's promise settled), so that reaction is one
  // function made once, reading the bar in hand from `inHand`/`inHandT0`, not a closure per bar on
  // the desk's clock.
  let inHand = -2;
  let inHandT0 = 0;
  let overlaps = 0;
  const settle = (): void => {
    const t1 = performance.now();
    const i = inHand;
    inHand = -2;
    done++;
    wait.poke();
    if (!measuring || i < 0) return;
    costAt[i] = t1 - inHandT0;
    doneAt[i] = performance.timeOrigin + t1;
  };
  rt.feed.start = (h: BarHandler, onIdle?: IdleHandler) =>
    feedStart((bar: Bar) => {
      if (inHand !== -2) overlaps++;
      const i = index.get(bar.symbol) ?? -1;
      if (i >= 0) barOf[i] = bar.start;
      const t0 = performance.now();
      if (measuring && i >= 0) startAt[i] = performance.timeOrigin + t0;
      inHand = i;
      inHandT0 = t0;
      const out = h(bar);
      // Registered before the feed's await, so this reaction runs the moment the desk's promise settles.
      if (out) out.then(settle, settle);
      else settle();
      return out;
    }, onIdle);
  const unsubscribe = rt.desk.subscribe((ev) => {
    if (ev.type !== 'signal.created') return;
    const t = epoch();
    if (!measuring) return;
    // The event must come from the symbol's bar of this round (not a scan or an earlier bar). The
    // desk announces signals once their group commit is stored, so not from inside onBar.
    const i = index.get(ev.signal.symbol);
    if (i === undefined || ev.signal.barTime !== barOf[i]) {
      stray++;
      return;
    }
    signalAt.push([i, t]);
  });
  const loads: number[] = [];
  const openPerRound: number[] = [];
  const trader = { kind: 'rpc', id: 'bench', role: 'trader' } as const;
  let executed = 0;
  const fillBook = async (): Promise<void> => {
    const mode = rt.broker.mode;
    for (const s of rt.store.signals.listLive(rt.clock.now(), null, 200)) {
      if (rt.store.positions.openAll(mode).length >= config.RISK_MAX_POSITIONS) return;
      if (s.stage !== 'live' || rt.store.positions.openOn(mode, s.symbol)) continue;
      const r = await rt.desk.execute(trader, { signalId: s.id }).catch((e: unknown) => {
        if (process.env.BENCH_DIAG) process.stderr.write(`execute refused: ${(e as { code?: string }).code ?? 'error'}\n`);
        return null;
      });
      if (r) executed++;
    }
  };
  const bgCpuPerRound: number[] = [];
  let exitsThisRound = 0;
  const countExits = rt.desk.subscribe((ev) => {
    if (ev.type === 'position.closed') exitsThisRound++;
  });
  /** What one measured round left behind, copied as it ended; worked through after the last round. */
  interface RoundTrace {
    r: number;
    stepped: { publishMs: number; at: number[] | null };
    cpu: NodeJS.CpuUsage;
    main0: Sched | null;
    main1: Sched | null;
    bg: number | null;
    startAt: Float64Array;
    doneAt: Float64Array;
    costAt: Float64Array;
    signalAt: [number, number][];
    exits: number;
    open: number;
  }
  const traces: RoundTrace[] = [];
  /** One measured round's numbers, from its trace. */
  function record(k: RoundTrace): void {
    const { r, stepped, cpu, main0, main1, bg, startAt, doneAt, costAt, signalAt } = k;
    cpuPerRound.push((cpu.user + cpu.system) / 1000);
    if (main0 && main1) {
      mainCpuPerRound.push(main1.cpuMs - main0.cpuMs);
      mainWaitPerRound.push(main1.waitMs - main0.waitMs);
    }
    if (bg !== null) bgCpuPerRound.push(bg);
    const at = stepped.at ?? [];
    publish.push(stepped.publishMs);
    for (let i = 0; i < SYMBOLS; i++) {
      if (at[i] === undefined) continue;
      if (!Number.isNaN(doneAt[i]!)) toDone.push(doneAt[i]! - at[i]);
      if (!Number.isNaN(startAt[i]!)) toStart.push(startAt[i]! - at[i]);
      if (!Number.isNaN(costAt[i]!)) onBarMs.push(costAt[i]!);
    }
    if (process.env.BENCH_DIAG) {
      const buckets = new Array<number>(10).fill(0);
      for (let i = 0; i < SYMBOLS; i++) if (!Number.isNaN(startAt[i]!) && at[i] !== undefined) buckets[Math.floor(i / 20)]! += (startAt[i]! - at[i]) / 20;
      const sig = signalAt.map(([i, t]) => t - at[i]!);
      const costs = [...costAt].filter((x) => !Number.isNaN(x));
      const sched = main0 && main1 ? `main thread cpu ${(main1.cpuMs - main0.cpuMs).toFixed(1)} ms, run-queue wait ${(main1.waitMs - main0.waitMs).toFixed(1)} ms, ` : '';
      process.stderr.write(
        `round ${r}: publish ${stepped.publishMs.toFixed(1)} ms, mean kline→onBar start by position/20: ${buckets.map((x) => x.toFixed(1)).join(' ')}; ` +
          `${sig.length} signals, slowest ${sig.length ? Math.max(...sig).toFixed(1) : '-'} ms; onBar sum ${costs.reduce((a, b) => a + b, 0).toFixed(1)} ms, max ${Math.max(...costs).toFixed(2)} ms; ` +
          `${sched}other threads cpu ${bg === null ? '-' : bg.toFixed(1)} ms; ${k.exits} positions closed\n`,
      );
    }
    for (const [i, t] of signalAt) {
      const cost = costAt[i]!;
      if (!Number.isNaN(cost)) onSignalBarMs.push(cost);
      if (at[i] === undefined) continue;
      signals++;
      toSignal.push(t - at[i]);
    }
    signalsPerRound.push(signalAt.length);
    openPerRound.push(k.open);
  }

  /**
   * Plays every round. A short function of its own: V8 optimizes the function an await resumes, and
   * while this loop lived in measureDesk its compiles (about 75 ms each, twice in the measured rounds)
   * ran on the desk's one compiler thread beside the bursts.
   */
  async function play(): Promise<void> {
    for (let r = 0; r < DESK_WARMUP_ROUNDS + DESK_ROUNDS; r++) {
      const target = done + SYMBOLS;
      measuring = r >= DESK_WARMUP_ROUNDS;
      if (measuring && (r - DESK_WARMUP_ROUNDS) % 25 === 0) loads.push(load1());
      doneAt.fill(NaN);
      startAt.fill(NaN);
      signalAt = [];
      costAt.fill(NaN);
      exitsThisRound = 0;
      // The other threads' counters are read outside the main thread's window: reading /proc costs
      // the main thread about 0.6 ms a round on this VM.
      const bg0 = otherThreadsCpuMs();
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadSched();
      fake.push();
      await wait.until(() => done >= target, 30_000);
      // The last bars' signals are announced when the desk's group commit runs (at the latest setImmediate).
      await new Promise((r) => setImmediate(r));
      const main1 = mainThreadSched();
      const cpu = process.cpuUsage(cpu0);
      const bg1 = otherThreadsCpuMs();
      // Between rounds (untimed), a trader keeps the book at RISK_MAX_POSITIONS open positions, so the
      // exits, marks and breaker checks of the closed-bar path run for real positions.
      const stepped = await fake.stamps();
      if (withPositions) await fillBook();
      if (!measuring) continue;
      // Kept as they are and worked through after the last round: the bench's own arithmetic stays
      // out of the desk's process while it runs (V8 compiled and recompiled it there, beside the bursts).
      traces.push({
        r,
        stepped,
        cpu,
        main0,
        main1,
        bg: bg0 !== null && bg1 !== null ? bg1 - bg0 : null,
        startAt: startAt.slice(),
        doneAt: doneAt.slice(),
        costAt: costAt.slice(),
        signalAt,
        exits: exitsThisRound,
        open: rt.store.positions.openCount(rt.broker.mode),
      });
    }
  }

  try {
    await rt.desk.start();
    await play();
    loads.push(load1());
    for (const k of traces) record(k);
    const feed = rt.feed as typeof rt.feed & { stats?: () => { series: Record<string, { refilled: number; duplicates: number }> } };
    const gaps = feed.stats ? Object.values(feed.stats().series).reduce((n, s) => n + s.refilled + s.duplicates, 0) : 0;
    if (gaps !== 0) throw new Error(`bench: ${gaps} bars were refilled or duplicated; the measurement is not clean`);
    if (overlaps !== 0) throw new Error(`bench: the feed handed over ${overlaps} bars before the previous one settled; the per-bar timing is not clean`);
  } finally {
    unsubscribe();
    countExits();
    try {
      await rt.close();
    } finally {
      await fake.stop();
      rmSync(dbDir, { recursive: true, force: true });
    }
  }
  for (const xs of [onBarMs, onSignalBarMs, toDone, toStart, toSignal, publish, cpuPerRound, mainCpuPerRound, mainWaitPerRound, bgCpuPerRound]) xs.sort((a, b) => a - b);
  const pre = markets === 'correlated' ? 'bybit.desk.correlated.' : 'bybit.desk.';
  const target = (name: string, v: number, ref: number): BenchLine => ({ name: name.replace('bybit.desk.', pre), value: round(v), unit: 'ms', reference: ref, ratio: round(v / ref) });
  const plain = (name: string, v: number, unit = 'ms'): BenchLine => ({ name: name.replace('bybit.desk.', pre), value: round(v), unit, reference: null, ratio: null });
  return [
    target('bybit.desk.closed_kline_to_signal_created.200sym.p50', pct(toSignal, 50), SIGNAL_P99_TARGET_MS),
    target('bybit.desk.closed_kline_to_signal_created.200sym.p99', pct(toSignal, 99), SIGNAL_P99_TARGET_MS),
    plain('bybit.desk.closed_kline_to_signal_created.200sym.max', toSignal[toSignal.length - 1] ?? NaN),
    plain('bybit.desk.signals_measured', signals, 'signals'),
    plain('bybit.desk.signals_unmatched', stray, 'signals'),
    plain('bybit.desk.rounds_with_signals', signalsPerRound.filter((n) => n > 0).length, 'rounds'),
    plain('bybit.desk.signals_per_round.max', Math.max(0, ...signalsPerRound), 'signals'),
    target('bybit.desk.onbar_cost.p50', pct(onBarMs, 50), SIGNAL_P99_TARGET_MS / SYMBOLS),
    target('bybit.desk.onbar_cost.p99', pct(onBarMs, 99), SIGNAL_P99_TARGET_MS / SYMBOLS),
    plain('bybit.desk.onbar_cost.max', onBarMs[onBarMs.length - 1] ?? NaN),
    // Bars that created a signal (with correlated markets they come in clusters of 40).
    target('bybit.desk.onbar_cost.signal_bars.p50', pct(onSignalBarMs, 50), SIGNAL_P99_TARGET_MS / SYMBOLS),
    target('bybit.desk.onbar_cost.signal_bars.p99', pct(onSignalBarMs, 99), SIGNAL_P99_TARGET_MS / SYMBOLS),
    target('bybit.desk.closed_kline_to_onbar_done.200sym.p50', pct(toDone, 50), SIGNAL_P99_TARGET_MS),
    target('bybit.desk.closed_kline_to_onbar_done.200sym.p99', pct(toDone, 99), SIGNAL_P99_TARGET_MS),
    plain('bybit.desk.closed_kline_to_onbar_start.200sym.p50', pct(toStart, 50)),
    plain('bybit.desk.closed_kline_to_onbar_start.200sym.p99', pct(toStart, 99)),
    plain('bybit.desk.fake_publish_200_symbols.p50', pct(publish, 50)),
    // CPU the desk process spent per round (WS frames, feed, desk, this bench's bookkeeping): what a
    // burst costs when the process has a core to itself, whatever the machine's load.
    target('bybit.desk.process_cpu_per_200_bar_burst.p50', pct(cpuPerRound, 50), SIGNAL_P99_TARGET_MS),
    target('bybit.desk.process_cpu_per_200_bar_burst.p99', pct(cpuPerRound, 99), SIGNAL_P99_TARGET_MS),
    // The desk's main thread alone (Linux schedstat): the work on the critical path, however loaded
    // the machine; and how long it was ready to run but waited for a core (the machine's share).
    plain('bybit.desk.main_thread_cpu_per_round.p50', pct(mainCpuPerRound, 50)),
    plain('bybit.desk.main_thread_cpu_per_round.p99', pct(mainCpuPerRound, 99)),
    plain('bybit.desk.main_thread_runqueue_wait_per_round.p50', pct(mainWaitPerRound, 50)),
    plain('bybit.desk.main_thread_runqueue_wait_per_round.p99', pct(mainWaitPerRound, 99)),
    plain('bybit.desk.other_threads_cpu_per_round.mean', bgCpuPerRound.length ? bgCpuPerRound.reduce((a, b) => a + b, 0) / bgCpuPerRound.length : NaN),
    plain('bybit.desk.other_threads_cpu_per_round.p99', pct(bgCpuPerRound, 99)),
    plain('bybit.desk.bars_measured', onBarMs.length, 'bars'),
    plain('bybit.desk.open_positions_per_round.p50', pct(openPerRound.sort((a, b) => a - b), 50), 'positions'),
    plain('bybit.desk.entries_executed', executed, 'orders'),
    plain('bybit.desk.loadavg_1m.max', Math.max(...loads), 'load'),
  ];
}

/**
 * Runs the feed-only part, then the desk part on 200 independent markets, then the desk part's stress
 * case (40 aliases of each real series closing the same bar, so up to 120 signals in one burst); see
 * benchBybitFeed, benchBybitDesk. Rejects on the first failure.
 */
export async function benchBybit(): Promise<BenchLine[]> {
  return [...(await benchBybitFeed()), ...(await benchBybitDesk()), ...(await benchBybitDesk('paper', true, 'correlated'))];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--desk-child')) {
  const mode: DeskMode = process.argv.includes('--mode=live') ? 'live' : 'paper';
  const markets: Markets = process.argv.includes('--markets=correlated') ? 'correlated' : 'independent';
  measureDesk(mode, !process.argv.includes('--no-positions'), markets)
    .then((lines) => process.send?.({ lines }, () => process.exit(0)))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.stack ?? e.message : 'bench desk child failed');
      process.exit(1);
    });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--fake-child')) {
  fakeChild().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : 'bench child failed');
    process.exit(1);
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const markets = process.argv.includes('--correlated') ? 'correlated' : 'independent';
  const run = process.argv.includes('--desk-live') ? () => benchBybitDesk('live', true, markets) : process.argv.includes('--desk') ? () => benchBybitDesk('paper', true, markets) : process.argv.includes('--feed') ? benchBybitFeed : benchBybit;
  run()
    .then((lines) => {
      for (const l of lines) console.log(JSON.stringify(l));
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.stack ?? e.message : 'bench failed');
      process.exitCode = 1;
    });
}
