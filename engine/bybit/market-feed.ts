import type { WebsocketClient } from 'bybit-api';
import type { Clock } from '../clock.ts';
import type { DeskConfig } from '../config.ts';
import type { DeskLogger } from '../log.ts';
import type { Interval } from '../schemas.ts';
import type { Bar, BarHandler, IdleHandler, Instrument, MarketFeed, Quote } from '../market/types.ts';
import { DeskError } from '../errors.ts';
import { SerialDeliveries } from '../market/serial-deliveries.ts';
import { bybitCall, realSleep, type CallContext, type VendorResponse } from './errors.ts';
import { createRestClient, createWsClient, forceReconnect, MAX_TOPICS_PER_SUBSCRIBE, PUBLIC_WS_KEY, type BybitClientOptions } from './client.ts';
import { intervalMs, isInterval } from './intervals.ts';
import { KlineSequencer, type GapInfo, type SequencerStats } from './kline-sequencer.ts';
import { toInstrument, type VendorInstrument } from './instruments.ts';
import { TickerCache, type TickerState, type VendorTicker } from './ticker-cache.ts';

/** A one-symbol quote asked for this recently (ms) is handed out again instead of asking Bybit twice. */
export const QUOTE_REUSE_MS = 500;

/**
 * When the next ticker snapshot is due after `now` for a poll every `periodMs`: 7.5 s (or half the
 * period, if shorter) past the period's grid, so with a period that divides a minute or is a whole
 * number of minutes no poll comes within 7.5 s of a minute boundary, where bars close.
 */
export function nextTickerPollAt(now: number, periodMs: number): number {
  const phase = Math.min(periodMs / 2, 7_500);
  return Math.floor((now - phase) / periodMs) * periodMs + periodMs + phase;
}

/** Bybit returns at most this many klines per REST page. */
export const KLINE_PAGE = 1000;
const MAX_PAGES = 60;

/** What the stale-stream watchdog reports: how long the public stream has been silent. */
export interface StaleInfo {
  at: number;
  lagMs: number;
}

/** Options of createBybitFeed; universe and intervals default to DESK_UNIVERSE / DESK_INTERVALS. */
export interface BybitFeedOptions {
  config: DeskConfig;
  clock: Clock;
  logger: DeskLogger;
  universe?: readonly string[];
  intervals?: readonly Interval[];
  /** Called for every hole found in a series (after a reconnect or a missing bar), repaired or not. */
  onGap?: (gap: GapInfo) => void;
  /** Called when the public stream has been silent for `staleMs`; the feed then forces a reconnect. */
  onStale?: (info: StaleInfo) => void;
  /** Silence (desk clock ms) after which the stream counts as stale (default 90 000: Bybit pushes each kline every 1-60 s). */
  staleMs?: number;
  /** How often the watchdog looks, real ms (default 5 000). */
  staleCheckMs?: number;
  /** Longest wait for subscribe confirmations in start(), ms (default 10 000). */
  subscribeTimeoutMs?: number;
  /** Period of the REST ticker snapshot, ms (default BYBIT_TICKER_POLL_MS); 0 turns the poll off (tests). */
  tickerPollMs?: number;
  /** Concurrent REST catch-ups after a reconnect (default 8). */
  catchUpConcurrency?: number;
  client?: BybitClientOptions;
  sleep?: (ms: number) => Promise<void>;
}

/** Counters of a running feed, for tests, benches and metrics. */
export interface BybitFeedStats {
  messages: number;
  reconnects: number;
  staleEvents: number;
  subscribeRequests: number;
  tickerPolls: number;
  tickerPollFailures: number;
  series: Record<string, SequencerStats>;
}

/** The Bybit MarketFeed plus introspection: the merged ticker per symbol and counters. */
export interface BybitFeed extends MarketFeed {
  readonly kind: 'bybit';
  /** Full ticker state (turnover, funding, next funding time...) of `symbol`, or null. */
  ticker(symbol: string): TickerState | null;
  /** Counters since creation. */
  stats(): BybitFeedStats;
  /** Resolves when every bar received so far has been handed to onBar. */
  drain(): Promise<void>;
}

type KlineRow = [string, string, string, string, string, string, string?];

interface KlineWs {
  start: number | string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  confirm?: boolean;
}

/** A bar from Bybit's string fields (a REST kline row or a WS kline), or null if a number in it is not finite. */
function toBar(symbol: string, interval: Interval, start: unknown, o: unknown, h: unknown, l: unknown, c: unknown, v: unknown): Bar | null {
  const bar: Bar = { symbol, interval, start: Number(start), open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) };
  const ok = Number.isFinite(bar.start) && Number.isFinite(bar.open) && Number.isFinite(bar.high) && Number.isFinite(bar.low) && Number.isFinite(bar.close) && Number.isFinite(bar.volume);
  return ok ? bar : null;
}

function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Creates the Bybit V5 MarketFeed: linear instruments, a ticker cache (quote / funding / turnover)
 * refreshed by one REST snapshot of every linear ticker each `tickerPollMs` and by a one-symbol REST
 * request whenever an order needs a fresh quote, REST kline history (paged, newest first, 1000 a
 * page), and one shared public WS connection (subscribe requests of ≤ 10 topics) delivering closed
 * bars (confirm=true) once each and in order per series, with gaps refilled over REST before the next
 * bar and a stale-stream watchdog. Never throws on construction except DeskError CONFIG for a bad
 * interval; methods reject with DeskError EXCHANGE_UNAVAILABLE & co.
 */
export function createBybitFeed(opts: BybitFeedOptions): BybitFeed {
  const { config, clock } = opts;
  const log = opts.logger.child({ module: 'bybit-feed' });
  const universe = [...(opts.universe ?? config.DESK_UNIVERSE)];
  const intervals = [...(opts.intervals ?? config.DESK_INTERVALS)];
  for (const iv of intervals) if (!isInterval(iv)) throw new DeskError('CONFIG', { key: 'DESK_INTERVALS' }, `bybit feed: unknown interval ${iv}`);
  const sleep = opts.sleep ?? realSleep;
  const staleMs = opts.staleMs ?? 90_000;
  const rest = createRestClient(config, { signed: false, ...opts.client });
  const ctx: CallContext = { logger: log, clock, sleep };
  const tickers = new TickerCache();
  const tickerSymbols = new Set(universe);
  /** Ticker requests made so far: orders rows in the cache by when they were asked for. */
  let tickerSeq = 0;
  /** Per symbol: the one-symbol request in flight or last answered, and when it was asked for. */
  const quoteAsks = new Map<string, { at: number; answer: Promise<Quote | null> }>();
  const seqs = new Map<string, KlineSequencer>();
  const limit = limiter(Math.max(1, opts.catchUpConcurrency ?? 8));
  const counters = { messages: 0, reconnects: 0, staleEvents: 0, subscribeRequests: 0, tickerPolls: 0, tickerPollFailures: 0 };
  const tickerPollMs = opts.tickerPollMs ?? config.BYBIT_TICKER_POLL_MS;
  let tickerTimer: ReturnType<typeof setTimeout> | null = null;
  let ws: WebsocketClient | null = null;
  let handler: BarHandler | null = null;
  const deliveries = new SerialDeliveries((e) => log.error({ err: e instanceof Error ? e.message.slice(0, 200) : 'error' }, 'idle handler failed'));
  let lastDelivered: number | null = null;
  let lastMessageAt = clock.now();
  let staleSince: number | null = null;
  let watchdog: ReturnType<typeof setInterval> | null = null;
  let started = false;
  let stopped = false;
  let instrumentCache: { at: number; list: Instrument[] } | null = null;

  const key = (symbol: string, interval: string): string => `${symbol}|${interval}`;

  async function fetchKlines(symbol: string, interval: Interval, p: { start?: number; end?: number; limit: number }): Promise<{ bars: Bar[]; raw: number[] }> {
    const res = await bybitCall(ctx, '/v5/market/kline', () =>
      rest.getKline({ category: 'linear', symbol, interval, limit: p.limit, ...(p.start !== undefined ? { start: p.start } : {}), ...(p.end !== undefined ? { end: p.end } : {}) }) as Promise<VendorResponse<{ list?: KlineRow[] }>>,
    );
    const ms = intervalMs(interval);
    const serverNow = typeof res.time === 'number' && res.time > 0 ? res.time : clock.now();
    const rows = res.result?.list ?? [];
    const raw: number[] = [];
    const bars: Bar[] = [];
    for (const r of rows) {
      const start = Number(r[0]);
      if (!Number.isFinite(start)) continue;
      raw.push(start);
      if (start + ms > serverNow) continue; // the bar still forming is not a closed bar
      const bar = toBar(symbol, interval, start, r[1], r[2], r[3], r[4], r[5]);
      if (bar) bars.push(bar);
    }
    return { bars, raw };
  }

  /** Closed bars with start in [from, to] (to null = up to now), ascending; pages whichever way Bybit fills a page. */
  async function fetchRange(symbol: string, interval: Interval, from: number, to: number | null): Promise<Bar[]> {
    const ms = intervalMs(interval);
    const out = new Map<number, Bar>();
    let lo = from;
    let hi = to;
    for (let page = 0; page < MAX_PAGES; page++) {
      if (hi !== null && hi < lo) break;
      const { bars, raw } = await fetchKlines(symbol, interval, { start: lo, ...(hi !== null ? { end: hi + ms - 1 } : {}), limit: KLINE_PAGE });
      for (const b of bars) if (b.start >= lo && (hi === null || b.start <= hi)) out.set(b.start, b);
      if (raw.length < KLINE_PAGE) break;
      const oldest = Math.min(...raw);
      const newest = Math.max(...raw);
      if (oldest > lo) hi = oldest - ms;
      else if (hi === null || newest < hi) lo = newest + ms;
      else break;
    }
    return [...out.values()].sort((a, b) => a.start - b.start);
  }

  /**
   * Bars handed over and not yet taken by a delivery task, with the promise of that task: every bar
   * that arrives before the task starts (the rest of a burst's socket read, as each message is parsed
   * before any promise settles) joins it, so a burst of 200 closed klines is one serial task rather
   * than 200 (each a handful of promises), in arrival order, each series' bars still in its order.
   */
  let open: { bars: Bar[]; done: Promise<void> } | null = null;

  function deliver(bars: Bar[]): Promise<void> {
    if (open) {
      for (const b of bars) open.bars.push(b);
      return open.done;
    }
    const batch: { bars: Bar[]; done: Promise<void> } = { bars: [...bars], done: Promise.resolve() };
    open = batch;
    batch.done = deliveries.run(async () => {
      // From here on, new bars start the next batch (queued behind this one).
      if (open === batch) open = null;
      for (const b of batch.bars) {
        if (stopped || !handler) return;
        lastDelivered = clock.now();
        try {
          await handler(b);
        } catch (e) {
          log.error({ symbol: b.symbol, interval: b.interval, start: b.start, err: e instanceof Error ? e.message.slice(0, 200) : 'error' }, 'onBar handler failed');
        }
      }
    });
    return batch.done;
  }

  for (const symbol of universe) {
    for (const interval of intervals) {
      seqs.set(
        key(symbol, interval),
        new KlineSequencer({
          symbol,
          interval,
          intervalMs: intervalMs(interval),
          fetchRange: (from, to) => fetchRange(symbol, interval, from, to),
          deliver,
          onGap: (g) => {
            log.warn({ symbol: g.symbol, interval: g.interval, missing: g.missing, refilled: g.refilled, repaired: g.repaired, reason: g.reason }, 'kline gap');
            try {
              opts.onGap?.(g);
            } catch {
              /* a listener failure must not stop the stream */
            }
          },
          logger: log,
          sleep,
        }),
      );
    }
  }
  // Topic → where its messages go, so a message costs one map lookup (no split, no parsing of the name).
  const klineRoutes = new Map<string, { seq: KlineSequencer; symbol: string; interval: Interval }>();
  for (const symbol of universe) for (const interval of intervals) klineRoutes.set(`kline.${interval}.${symbol}`, { seq: seqs.get(key(symbol, interval))!, symbol, interval });

  function onUpdate(msg: { topic?: unknown; data?: unknown }): void {
    if (stopped || typeof msg?.topic !== 'string') return;
    counters.messages++;
    lastMessageAt = clock.now();
    staleSince = null;
    const topic = msg.topic;
    const route = klineRoutes.get(topic);
    if (route) {
      if (!Array.isArray(msg.data)) return;
      const rows = msg.data as KlineWs[];
      // Bybit sends one row per message; sort only when a message carries several closed bars.
      let closed: KlineWs[] | null = null;
      for (const d of rows) if (d && d.confirm === true) (closed ??= []).push(d);
      if (!closed) return;
      if (closed.length > 1) closed.sort((a, b) => Number(a.start) - Number(b.start));
      for (const d of closed) {
        const bar = toBar(route.symbol, route.interval, d.start, d.open, d.high, d.low, d.close, d.volume);
        if (bar) void route.seq.push(bar);
      }
    }
  }

  function catchUpAll(): Promise<void> {
    return Promise.all([...seqs.values()].map((s) => limit(() => s.catchUp()))).then(() => undefined);
  }

  function checkStale(): void {
    if (stopped || !ws) return;
    const now = clock.now();
    const lag = now - lastMessageAt;
    if (lag <= staleMs) return;
    if (staleSince !== null && now - staleSince <= staleMs) return;
    staleSince = now;
    counters.staleEvents++;
    log.warn({ lagMs: lag }, 'public stream stale: forcing a reconnect');
    try {
      opts.onStale?.({ at: now, lagMs: lag });
    } catch {
      /* listener failure ignored */
    }
    forceReconnect(ws, PUBLIC_WS_KEY);
  }

  /**
   * Fetches the tickers of every linear symbol (or only `symbol`) and stores the universe's rows,
   * stamped with when they were asked for; resolves whether the row of `symbol` (if given) came back.
   */
  async function loadTickers(symbol?: string): Promise<boolean> {
    const asked = clock.now();
    const seq = ++tickerSeq;
    const res = await bybitCall(ctx, '/v5/market/tickers', () =>
      rest.getTickers({ category: 'linear', ...(symbol ? { symbol } : {}) }) as Promise<VendorResponse<{ list?: VendorTicker[] }>>,
    );
    let found = false;
    for (const t of res.result?.list ?? []) {
      if (!t.symbol || !tickerSymbols.has(t.symbol) || (symbol && t.symbol !== symbol)) continue;
      tickers.apply(t, asked, seq);
      found = true;
    }
    return found;
  }

  /**
   * Schedules the next ticker snapshot off the minute grid (see nextTickerPollAt; the default 15 s polls
   * at :07.5, :22.5, :37.5, :52.5), never on a bar close, where Bybit pushes every closed kline of the
   * universe at once.
   */
  function scheduleTickerPoll(): void {
    if (stopped || tickerPollMs <= 0) return;
    const now = clock.now();
    const next = nextTickerPollAt(now, tickerPollMs);
    tickerTimer = setTimeout(() => {
      tickerTimer = null;
      if (stopped) return;
      counters.tickerPolls++;
      loadTickers().then(
        () => scheduleTickerPoll(),
        (e: unknown) => {
          counters.tickerPollFailures++;
          log.warn({ err: e instanceof DeskError ? e.code : 'error' }, 'ticker snapshot failed: keeping the last one');
          scheduleTickerPoll();
        },
      );
    }, Math.min(tickerPollMs, Math.max(0, next - now)));
    tickerTimer.unref?.();
  }

  const feed: BybitFeed = {
    kind: 'bybit',

    async instruments(symbols: readonly string[]): Promise<Instrument[]> {
      if (!instrumentCache || clock.now() - instrumentCache.at > 600_000) {
        const list: Instrument[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const res = await bybitCall(ctx, '/v5/market/instruments-info', () =>
            rest.getInstrumentsInfo({ category: 'linear', limit: 1000, ...(cursor ? { cursor } : {}) }) as Promise<VendorResponse<{ list?: VendorInstrument[]; nextPageCursor?: string }>>,
          );
          for (const row of res.result?.list ?? []) {
            const inst = toInstrument(row);
            if (inst) list.push(inst);
          }
          cursor = res.result?.nextPageCursor || undefined;
          if (!cursor) break;
        }
        instrumentCache = { at: clock.now(), list };
      }
      const wanted = new Set(symbols);
      return instrumentCache.list.filter((i) => wanted.has(i.symbol));
    },

    async history(symbol: string, interval: Interval, want: number): Promise<Bar[]> {
      if (!isInterval(interval)) throw new DeskError('VALIDATION', { field: 'interval' }, 'unknown interval');
      const n = Math.max(0, Math.floor(want));
      const out = new Map<number, Bar>();
      let end: number | undefined;
      for (let page = 0; page < MAX_PAGES && out.size < n; page++) {
        const pageSize = Math.min(KLINE_PAGE, n - out.size + 1);
        const { bars, raw } = await fetchKlines(symbol, interval, { ...(end !== undefined ? { end } : {}), limit: pageSize });
        for (const b of bars) out.set(b.start, b);
        if (raw.length < pageSize) break;
        end = Math.min(...raw) - 1;
      }
      const bars = [...out.values()].sort((a, b) => a.start - b.start).slice(-n);
      const seq = seqs.get(key(symbol, interval));
      if (seq && !started && bars.length > 0) seq.setBaseline(bars[bars.length - 1]!.start);
      return bars;
    },

    async start(onBar: BarHandler, onIdle?: IdleHandler): Promise<void> {
      handler = onBar;
      deliveries.onIdle = onIdle ?? null;
      if (started) return;
      if (stopped) throw new DeskError('SHUTTING_DOWN', {}, 'bybit feed stopped');
      started = true;
      await loadTickers();
      const client = createWsClient(config, 'public', log, opts.client);
      ws = client;
      // Klines only: the scan needs funding and turnover once per bar (the REST snapshot keeps them),
      // and an order asks for its own quote; the tickers.* streams would add 10 messages a second per
      // symbol, arriving in the middle of every bar-close burst.
      const topics: string[] = [];
      for (const symbol of universe) for (const interval of intervals) topics.push(`kline.${interval}.${symbol}`);
      const batches = Math.ceil(topics.length / MAX_TOPICS_PER_SUBSCRIBE);
      let acked = 0;
      let ackedAll: () => void = () => undefined;
      const allAcked = new Promise<void>((r) => (ackedAll = r));
      client.on('update', onUpdate);
      client.on('response', (r: { op?: unknown; success?: unknown }) => {
        if (r?.op !== 'subscribe') return;
        counters.subscribeRequests++;
        if (r.success === false) log.warn({ wsKey: PUBLIC_WS_KEY }, 'subscribe request refused');
        if (++acked >= batches) ackedAll();
      });
      client.on('reconnected', () => {
        counters.reconnects++;
        lastMessageAt = clock.now();
        log.info({ wsKey: PUBLIC_WS_KEY }, 'public stream reconnected: catching up over REST');
        void catchUpAll();
      });
      client.on('reconnect', () => log.warn({ wsKey: PUBLIC_WS_KEY }, 'public stream dropped: reconnecting'));
      client.on('exception', () => log.warn({ wsKey: PUBLIC_WS_KEY }, 'public stream exception'));
      try {
        await Promise.all(client.subscribeV5(topics, 'linear'));
      } catch {
        throw new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: 'ws/public' }, 'bybit public stream unreachable');
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        allAcked.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), opts.subscribeTimeoutMs ?? 10_000))),
      ]);
      clearTimeout(timer);
      if (timedOut) log.warn({ acked, batches }, 'not every subscribe request was confirmed in time');
      lastMessageAt = clock.now();
      watchdog = setInterval(checkStale, opts.staleCheckMs ?? 5_000);
      watchdog.unref?.();
      scheduleTickerPoll();
      await catchUpAll();
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      watchdog = null;
      if (tickerTimer) clearTimeout(tickerTimer);
      tickerTimer = null;
      if (ws) {
        ws.removeAllListeners();
        ws.closeAll(true);
        ws = null;
      }
    },

    quote(symbol: string): Quote | null {
      return tickers.quote(symbol);
    },

    freshQuote(symbol: string): Promise<Quote | null> {
      if (stopped) return Promise.reject(new DeskError('SHUTTING_DOWN', {}, 'bybit feed stopped'));
      if (!tickerSymbols.has(symbol)) return Promise.resolve(null);
      // Many asks for one symbol at once (an alert previewed for every recipient, a double tap) share
      // one request; one asked for within QUOTE_REUSE_MS is answered again (its age counts from then).
      const now = clock.now();
      const prior = quoteAsks.get(symbol);
      if (prior && now >= prior.at && now - prior.at <= QUOTE_REUSE_MS) return prior.answer;
      const answer = loadTickers(symbol).then((found) => (found ? tickers.quote(symbol) : null));
      quoteAsks.set(symbol, { at: now, answer });
      // A failed ask is not handed out again: the next one asks Bybit anew.
      answer.catch(() => {
        if (quoteAsks.get(symbol)?.answer === answer) quoteAsks.delete(symbol);
      });
      return answer;
    },

    funding(symbol: string, at: number): number | null {
      return tickers.funding(symbol, at);
    },

    lagMs(): number | null {
      return lastDelivered === null ? null : Math.max(0, clock.now() - lastDelivered);
    },

    ticker(symbol: string): TickerState | null {
      return tickers.get(symbol);
    },

    stats(): BybitFeedStats {
      const series: Record<string, SequencerStats> = {};
      for (const [k, s] of seqs) series[k] = s.stats();
      return { ...counters, series };
    },

    async drain(): Promise<void> {
      await Promise.all([...seqs.values()].map((s) => s.idle()));
      await deliveries.idle();
    },
  };
  return feed;
}
