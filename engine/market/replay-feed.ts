import { join } from 'node:path';
import type { Interval } from '../schemas.ts';
import type { Clock } from '../clock.ts';
import type { DeskConfig } from '../config.ts';
import type { DeskLogger } from '../log.ts';
import type { Bar, BarHandler, Instrument, MarketFeed, Quote } from './types.ts';
import { silentLogger } from '../log.ts';
import { SerialDeliveries } from './serial-deliveries.ts';
import { DeskError, isDeskError, toDeskError } from '../errors.ts';
import { intervalMs } from '../scan/interval.ts';
import { loadFundingFile, loadKlineFile, type KlineFile } from './csv.ts';
import { FundingStore } from './funding-store.ts';
import { ReplayMerge, type MergeSource } from './replay-merge.ts';
import { replayInstruments } from './replay-instruments.ts';
import { barAt } from './bar-at.ts';

/** Timer functions the replay uses (default: the global setTimeout/clearTimeout); tests inject their own. */
export interface ReplayScheduler {
  /** Calls `fn` once after `ms` wall milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending call; ignores unknown handles. */
  clearTimeout(handle: unknown): void;
}

/** Options of createReplayFeed (the config keys DESK_DATA_DIR, DESK_FUNDING_DIR, ... map 1:1). */
export interface ReplayFeedOptions {
  /** Folder of `<SYMBOL>-<interval>.csv` kline files. */
  dataDir: string;
  /** Folder of `<SYMBOL>.csv` funding files; funding is null everywhere when omitted. */
  fundingDir?: string;
  universe: readonly string[];
  intervals: readonly Interval[];
  /** Bars per series handed out by history() before the replay starts. */
  warmupBars: number;
  /** Market milliseconds per wall millisecond (DESK_REPLAY_SPEED: market seconds per wall second). */
  speed: number;
  /** Wall clock (delivery timestamps, lag, pacing). */
  clock: Clock;
  logger?: DeskLogger;
  /** Timer source; default global timers. */
  scheduler?: ReplayScheduler;
  /** When false, start() only registers the handler and bars move only through step()/drain(). Default true. */
  autoplay?: boolean;
  /** instruments.json path or folder (default: looked up from dataDir, see replayInstruments). */
  instrumentsFile?: string;
}

/** One loaded series and how it splits into warm-up history and replay. */
export interface ReplaySeriesInfo {
  symbol: string;
  interval: Interval;
  file: string;
  historyBars: number;
  replayBars: number;
}

/** The replay MarketFeed plus test and status hooks. */
export interface ReplayFeed extends MarketFeed {
  readonly kind: 'replay';
  /** Market time (epoch ms) all series are warmed up to; replayed bars close after it. */
  readonly replayStart: number;
  /** Loaded series with their history/replay split. */
  series(): ReplaySeriesInfo[];
  /**
   * Delivers the next `n` bars now, whatever the replay clock says (awaiting the handler for each);
   * resolves with how many were delivered (fewer at the end or after stop). Rejects with DeskError
   * INTERNAL before start().
   */
  step(n?: number): Promise<number>;
  /** Delivers every remaining bar now, like step(Infinity). */
  drain(): Promise<number>;
  /** Current market time: close time of the last delivered bar, or replayStart before the first. */
  marketTime(): number;
  /** Bars not yet delivered. */
  remaining(): number;
  /** Resolves once the data has run out or stop() was called; never rejects. */
  whenDone(): Promise<void>;
}

interface Series extends MergeSource {
  interval: Interval;
  data: KlineFile;
  historyFrom: number;
  historyTo: number;
}

interface LastPrice {
  close: number;
  closeTime: number;
  intervalMs: number;
  wall: number;
}

const defaultScheduler: ReplayScheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const YIELD_EVERY = 256;

// Rounds `x` to the decimals of `step` (plus one), removing float noise such as 93103.65000000001.
function roundTo(x: number, step: number): number {
  if (!(step > 0)) return x;
  const dp = Math.min(15, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  return Number(x.toFixed(dp));
}

/** The replay feed's options that come from the desk config (data and funding folders, universe, intervals, warm-up, speed); never throws. */
export function replayOptionsOf(config: DeskConfig): Pick<ReplayFeedOptions, 'dataDir' | 'fundingDir' | 'universe' | 'intervals' | 'warmupBars' | 'speed'> {
  return {
    dataDir: config.DESK_DATA_DIR,
    fundingDir: config.DESK_FUNDING_DIR,
    universe: config.DESK_UNIVERSE,
    intervals: config.DESK_INTERVALS,
    warmupBars: config.DESK_WARMUP_BARS,
    speed: config.DESK_REPLAY_SPEED,
  };
}

/**
 * Creates a MarketFeed that replays real kline CSVs. Every series is warmed up to one common market
 * time (`replayStart` = the latest close of any series' `warmupBars`-th bar), history() hands out the
 * last `warmupBars` bars closing at or before it, and the replay then delivers the later bars merged
 * by close time (ties: finer interval, then symbol) as the replay clock passes each close; the clock
 * starts at the first replayed close when start() is called and runs `speed` market ms per wall ms.
 * Quotes are the last delivered close of the symbol (bid/ask = last ∓ half a tick, a synthetic
 * spread; `ts` = wall time of delivery). A missing file is a warning and the series is skipped.
 * Throws DeskError CONFIG when no file of the universe exists, VALIDATION when a file is refused by
 * the CSV checks, or when warmupBars/speed are out of range.
 */
export function createReplayFeed(opts: ReplayFeedOptions): ReplayFeed {
  const log = opts.logger ?? silentLogger;
  if (!Number.isInteger(opts.warmupBars) || opts.warmupBars < 1) {
    throw new DeskError('VALIDATION', { field: 'warmupBars', reason: 'expected a positive integer' });
  }
  if (!Number.isFinite(opts.speed) || opts.speed <= 0) {
    throw new DeskError('VALIDATION', { field: 'speed', reason: 'expected a positive number' });
  }
  const clock = opts.clock;
  const scheduler = opts.scheduler ?? defaultScheduler;
  const autoplay = opts.autoplay ?? true;
  const warmup = opts.warmupBars;

  // ---- load ----
  const all: Series[] = [];
  const missing: string[] = [];
  for (const symbol of opts.universe) {
    for (const interval of opts.intervals) {
      const path = join(opts.dataDir, `${symbol}-${interval}.csv`);
      let data: KlineFile;
      try {
        data = loadKlineFile(path);
      } catch (e) {
        if (isDeskError(e, 'NOT_FOUND')) {
          missing.push(`${symbol}-${interval}`);
          log.warn({ file: path }, 'replay: kline file missing, series skipped');
          continue;
        }
        throw e;
      }
      if (data.length === 0) {
        log.warn({ file: path }, 'replay: kline file has no rows, series skipped');
        continue;
      }
      all.push({
        symbol,
        interval,
        intervalMs: intervalMs(interval),
        data,
        start: data.start,
        cursor: 0,
        end: data.length,
        historyFrom: 0,
        historyTo: 0,
      });
    }
  }
  if (all.length === 0) {
    throw new DeskError(
      'CONFIG',
      { key: 'DESK_DATA_DIR', dir: opts.dataDir },
      `replay: no kline files for the universe in ${opts.dataDir} (expected <SYMBOL>-<interval>.csv)`,
    );
  }

  // ---- common warm-up point ----
  const closeAt = (s: Series, i: number) => (s.start[i] as number) + s.intervalMs;
  let replayStart = -Infinity;
  for (const s of all) {
    if (s.end >= warmup) replayStart = Math.max(replayStart, closeAt(s, warmup - 1));
  }
  if (replayStart === -Infinity) {
    for (const s of all) replayStart = Math.max(replayStart, closeAt(s, s.end - 1));
    log.warn({ warmupBars: warmup }, 'replay: every series is shorter than warmupBars; nothing to replay');
  }
  for (const s of all) {
    let lo = 0;
    let hi = s.end; // first index whose close is after replayStart
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (closeAt(s, mid) <= replayStart) lo = mid + 1;
      else hi = mid;
    }
    s.historyTo = lo;
    s.historyFrom = Math.max(0, lo - warmup);
    s.cursor = lo;
    if (s.historyTo - s.historyFrom < warmup) {
      log.warn({ symbol: s.symbol, interval: s.interval, bars: s.historyTo - s.historyFrom }, 'replay: series has fewer warm-up bars than warmupBars');
    }
    if (s.cursor >= s.end) log.warn({ symbol: s.symbol, interval: s.interval }, 'replay: series ends before the replay start; nothing to replay');
  }

  // ---- funding ----
  const fundingStore = new FundingStore();
  if (opts.fundingDir) {
    for (const symbol of opts.universe) {
      try {
        const f = loadFundingFile(join(opts.fundingDir, `${symbol}.csv`));
        fundingStore.set(symbol, f.time, f.rate);
      } catch (e) {
        if (!isDeskError(e, 'NOT_FOUND')) throw e;
        log.warn({ symbol }, 'replay: no funding file; funding is null for this symbol');
      }
    }
  }

  // ---- instruments (tick for the synthetic spread) ----
  let instrumentCache: Instrument[] | null = null;
  const loadInstruments = (): Instrument[] => {
    instrumentCache ??= replayInstruments(opts.instrumentsFile ?? opts.dataDir);
    return instrumentCache;
  };
  const tick = new Map<string, number>();
  try {
    for (const i of loadInstruments()) tick.set(i.symbol, i.tickSize);
  } catch {
    log.warn('replay: instruments.json not found; quotes have bid = ask = last');
  }

  // ---- replay state ----
  const merge = new ReplayMerge(all);
  const lastPrice = new Map<string, LastPrice>();
  let handler: BarHandler | null = null;
  let started = false;
  let stopped = false;
  let finished = false;
  let lastWall: number | null = null;
  let lastClose = replayStart; // market time of the last delivered bar
  let clockBase: { market: number; wall: number } | null = null;
  let timer: unknown = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const marketNow = (): number => {
    if (!clockBase) return lastClose;
    return Math.max(lastClose, clockBase.market + (clock.now() - clockBase.wall) * opts.speed);
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (timer !== null) {
      scheduler.clearTimeout(timer);
      timer = null;
    }
    if (!stopped) log.info({ delivered: deliveredCount, marketTime: lastClose }, 'replay: data exhausted, feed stopped');
    resolveDone();
  };

  let deliveredCount = 0;
  const deliverOne = async (): Promise<boolean> => {
    if (stopped || !handler) return false;
    const nx = merge.next();
    if (!nx) return false;
    const s = nx.source;
    const i = nx.index;
    const bar = barAt(s.data, i, s.symbol, s.interval);
    const closeTime = bar.start + s.intervalMs;
    const wall = clock.now();
    if (closeTime > lastClose) lastClose = closeTime;
    const prev = lastPrice.get(s.symbol);
    if (!prev || closeTime > prev.closeTime || (closeTime === prev.closeTime && s.intervalMs <= prev.intervalMs)) {
      lastPrice.set(s.symbol, { close: bar.close, closeTime, intervalMs: s.intervalMs, wall });
    }
    lastWall = wall;
    deliveredCount++;
    try {
      await handler(bar);
    } catch (e) {
      const de = toDeskError(e);
      log.warn({ symbol: bar.symbol, interval: bar.interval, start: bar.start, code: de.code }, 'replay: bar handler failed; continuing');
    }
    return true;
  };

  // Deliveries never interleave; the end of each queued burst goes to the desk's IdleHandler.
  const deliveries = new SerialDeliveries((e) => log.error({ err: toDeskError(e).code }, 'replay: idle handler failed'));

  const schedule = (): void => {
    if (stopped || finished || !autoplay || !started || timer !== null) return;
    const next = merge.peekClose();
    if (next === undefined) {
      finish();
      return;
    }
    const wait = Math.ceil((next - marketNow()) / opts.speed);
    if (wait <= 0) {
      void pump();
      return;
    }
    timer = scheduler.setTimeout(() => {
      timer = null;
      void pump();
    }, wait);
  };

  const pump = (): Promise<void> =>
    deliveries.run(async () => {
      let n = 0;
      while (!stopped) {
        const next = merge.peekClose();
        if (next === undefined || next > marketNow()) break;
        await deliverOne();
        if (++n % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      }
    }).then(() => {
      if (merge.peekClose() === undefined) finish();
      else schedule();
    });

  const historyOf = (symbol: string, interval: Interval, limit: number): Bar[] => {
    const s = all.find((x) => x.symbol === symbol && x.interval === interval);
    if (!s || !(limit > 0)) return [];
    const from = Math.max(s.historyFrom, s.historyTo - Math.floor(limit));
    const out: Bar[] = [];
    for (let i = from; i < s.historyTo; i++) out.push(barAt(s.data, i, symbol, interval));
    return out;
  };

  const symbolMarketTime = (symbol: string): number => lastPrice.get(symbol)?.closeTime ?? lastClose;

  log.info(
    { series: all.length, missing: missing.length, replayStart, bars: merge.remaining() },
    'replay: loaded',
  );

  const feed: ReplayFeed = {
    kind: 'replay',
    replayStart,

    series: () =>
      all.map((s) => ({
        symbol: s.symbol,
        interval: s.interval,
        file: s.data.file,
        historyBars: s.historyTo - s.historyFrom,
        replayBars: s.end - s.historyTo,
      })),

    async instruments(symbols) {
      const want = new Set(symbols);
      return loadInstruments().filter((i) => want.has(i.symbol));
    },

    async history(symbol, interval, limit) {
      return historyOf(symbol, interval, limit);
    },

    async start(onBar, onIdle) {
      if (stopped) throw new DeskError('SHUTTING_DOWN', {}, 'replay feed was stopped');
      if (started) throw new DeskError('INTERNAL', {}, 'replay feed already started');
      handler = onBar;
      deliveries.onIdle = onIdle ?? null;
      started = true;
      const first = merge.peekClose();
      clockBase = { market: first ?? lastClose, wall: clock.now() };
      if (first === undefined) finish();
      else schedule();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== null) {
        scheduler.clearTimeout(timer);
        timer = null;
      }
      finish();
    },

    quote(symbol): Quote | null {
      const p = lastPrice.get(symbol);
      if (!p) return null;
      const half = (tick.get(symbol) ?? 0) / 2;
      const bid = roundTo(p.close - half, half);
      const ask = roundTo(p.close + half, half);
      return { symbol, bid, ask, last: p.close, mark: p.close, ts: p.wall, source: 'replay' };
    },

    freshQuote(symbol): Promise<Quote | null> {
      // A replay's quote is always the current one: there is nothing further to ask.
      return Promise.resolve(feed.quote(symbol));
    },

    funding(symbol, at) {
      return fundingStore.rateAt(symbol, Math.min(at, symbolMarketTime(symbol)));
    },

    lagMs() {
      return lastWall === null ? null : clock.now() - lastWall;
    },

    step(n = 1) {
      if (!started) return Promise.reject(new DeskError('INTERNAL', {}, 'replay feed not started'));
      return deliveries.run(async () => {
        let k = 0;
        while (k < n && (await deliverOne())) {
          k++;
          if (k % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
        }
        if (merge.peekClose() === undefined) finish();
        return k;
      });
    },

    drain() {
      return feed.step(Infinity);
    },

    marketTime: () => lastClose,
    remaining: () => merge.remaining(),
    whenDone: () => done,
  };
  return feed;
}
