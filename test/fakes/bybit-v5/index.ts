import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { RateCounter } from './envelope.ts';
import { Exchange, type ExchangeOptions } from './exchange.ts';
import { FaultPlan, type LoggedRequest } from './faults.ts';
import { deriveInstrument, instrumentFromRule, type InstrumentRule, type InstrumentSpec } from './instruments.ts';
import { intervalMs, listKlineFiles, REPO_ROOT, loadFunding, loadKlines, resolveFundingDir, resolveKlinesDir, type KlineSeries } from './kline-data.ts';
import { getFundingHistory, getInstruments, getKline, getTickers, getTime, type MarketContext } from './market-routes.ts';
import { DEFAULT_PERMISSIONS, executionList, mutations, orderHistory, orderRealtime, positionList, queryApi, walletBalance, type ApiPermissions, type PrivateContext } from './private-routes.ts';
import type { ExchangeState } from './records.ts';
import { stepSymbol, type ReplayContext } from './replay.ts';
import { handleRest, type Route } from './rest-server.ts';
import { fmtOf, wsExecution, wsOrder, wsPosition, wsWallet, type AccountView, type Fmt } from './serializers.ts';
import { verifyWsAuth } from './signing.ts';
import { SymbolMarket } from './symbol-market.ts';
import { TickerStream } from './tickers.ts';
import { PrivateStream } from './ws-private.ts';
import { PublicStream } from './ws-public.ts';

/** One logged REST call (see faults.ts). */
export type { LoggedRequest } from './faults.ts';
/** The fake's observable state records (see records.ts). */
export type { ExchangeState, OrderRecord, PositionRecord, ExecutionRecord, WalletRecord } from './records.ts';
/** API key permission groups (see private-routes.ts). */
export type { ApiPermissions } from './private-routes.ts';

/** Options of the loopback Bybit V5 fake; every field has a default. */
export interface BybitV5FakeOptions {
  /** API key the fake accepts (default "fake-api-key"). */
  apiKey?: string;
  /** API secret used to verify signatures (default "fake-api-secret"). */
  apiSecret?: string;
  /** Directory of `<SYMBOL>-<interval>.csv` klines (default repo data/klines, else ../shared/data/klines/bybit-linear). */
  klinesDir?: string;
  /** Directory of `<SYMBOL>.csv` funding history (default beside the klines; optional). */
  fundingDir?: string;
  /** Instrument rules `{instruments:[{symbol,tickSize,qtyStep,minQty,minNotional,maxLeverage}]}` (default repo data/instruments.json; symbols absent there are derived). */
  instrumentsFile?: string;
  /** Symbols to serve (default every symbol with kline files). */
  symbols?: string[];
  /** Interval whose bars drive each symbol's clock (default "60"; falls back to the symbol's smallest interval). */
  baseInterval?: string;
  /** Initial market time (epoch ms) for every symbol (default: 75 % into each base series). */
  startTime?: number;
  /** When set, the fake enforces this recv window instead of the X-BAPI-RECV-WINDOW header. */
  recvWindowMs?: number;
  /** API key rights reported by /v5/user/query-api and enforced on trading endpoints (merged over a trade-only key). */
  permissions?: Partial<ApiPermissions>;
  /** 1 = read-only key (trading endpoints answer 10005). Default 0. */
  readOnly?: 0 | 1;
  /** IPs bound to the key (default ["*"], i.e. none bound). */
  ips?: string[];
  /** Starting USDT wallet balance (default 10000). */
  walletUsdt?: number;
  /** Taker fee rate (default 0.00055). */
  takerFee?: number;
  /** Maker fee rate (default 0.0002). */
  makerFee?: number;
  /** Leverage of every symbol before set-leverage (default 10). */
  defaultLeverage?: number;
  /** 'report' (default) only sends X-Bapi-Limit* headers; 'enforce' answers 10006 over the limit. */
  rateLimit?: 'report' | 'enforce';
}

/** Cursor position: a base-bar index, or a market time in epoch ms. */
export type CursorTarget = number | { index: number } | { time: number };

/** A running fake: URLs to point the real bybit-api clients at, test hooks and observable state. */
export interface BybitV5Fake {
  /** REST base URL (RestClientV5 `baseUrl`). */
  restUrl: string;
  /** Public linear stream URL (WebsocketClient `wsUrl` for public topics). */
  wsPublicUrl: string;
  /** Private stream URL (WebsocketClient `wsUrl` for private topics). */
  wsPrivateUrl: string;
  /** The API key and secret the fake accepts. */
  apiKey: string;
  apiSecret: string;
  /** Stops the server, drops every socket and unanswered request; idempotent. */
  close(): Promise<void>;
  /** Moves symbols (default: subscribed ones and those with orders/positions) forward by `n` base bars; returns steps made. */
  advance(n?: number, symbols?: string[]): number;
  /**
   * Steps each of `symbols` by one base bar now, as advance(1, [symbol]) would (fills, triggers,
   * private pushes), but holds their public messages: returns per symbol two senders, `opening` (the
   * opening ticks of the bars that open; on Bybit those come at the start of the bar, long before it
   * closes) and `closing` (the bars that closed, forming updates, the ticker). For benches that time
   * the bar-close push alone; throws like advance(). Send a step's senders before that symbol's next
   * step, or not at all (an unsent ticker delta is left out of the ticker's delta base).
   */
  prepareAdvance(symbols: string[]): { opening: () => void; closing: () => void }[];
  /** Moves one symbol's cursor (index < 1e11, else epoch-ms time); no fills happen; throws RangeError out of range. */
  setCursor(symbol: string, target: CursorTarget): void;
  /** Answers the next `times` calls to `path` ("/v5/order/create", or "*") with `retCode`, applying no effect. */
  injectRetCode(path: string, retCode: number, opts?: { times?: number; retMsg?: string }): void;
  /** Delays every answer on `path` (or "*") by `ms` (0 removes). */
  setLatency(path: string, ms: number): void;
  /** Empties (true) or refills `symbol`'s order book in REST tickers: bid and ask come back as ''. */
  setEmptyBook(symbol: string, empty: boolean): void;
  /** The next call to `path` applies its effect but is never answered. */
  timeoutNext(path: string, times?: number): void;
  /** Shifts the fake's server clock by `ms` against the wall clock (for 10002 tests). */
  setClockSkew(ms: number): void;
  /** Abruptly drops every WebSocket (public and private). */
  disconnectAll(): void;
  /** Abruptly drops every public WebSocket. */
  disconnectPublic(): void;
  /** Abruptly drops every private WebSocket. */
  disconnectPrivate(): void;
  /** Skips pushing the next `n` closed klines of `symbol` on one interval's stream (or on each interval's), to simulate a gap. */
  dropKlines(symbol: string, n: number, interval?: string): void;
  /** Every REST call received, in order. */
  requests: LoggedRequest[];
  /** Orders, positions, executions and wallet, live. */
  state: ExchangeState;
  /** The replay cursor of a symbol: index, market time (epoch ms) and last price; throws Error for an unknown symbol. */
  market(symbol: string): { index: number; length: number; now: number; last: number; baseInterval: string };
  /** Trading rules the fake applies to a symbol; throws Error for an unknown symbol. */
  instrument(symbol: string): InstrumentSpec;
  /** Number of open sockets per stream. */
  connections(): { public: number; private: number };
}

/** Reads `{instruments: InstrumentRule[]}` from `file` into a map (empty when absent); throws on malformed JSON. */
function loadRules(file: string): Map<string, InstrumentRule> {
  if (!existsSync(file)) return new Map();
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { instruments?: InstrumentRule[] };
  return new Map((doc.instruments ?? []).map((r) => [r.symbol, r]));
}

function pickBaseInterval(available: string[], wanted: string): string {
  if (available.includes(wanted)) return wanted;
  return [...available].sort((a, b) => (intervalMs(a) ?? 0) - (intervalMs(b) ?? 0))[0];
}

/**
 * Starts the loopback Bybit V5 fake on 127.0.0.1 (port 0): REST (market + signed private), public
 * linear and private WebSocket streams, over the real klines. Rejects when no kline data is found or
 * a requested symbol has none.
 */
export async function startBybitV5Fake(opts: BybitV5FakeOptions = {}): Promise<BybitV5Fake> {
  const apiKey = opts.apiKey ?? 'fake-api-key';
  const apiSecret = opts.apiSecret ?? 'fake-api-secret';
  const klinesDir = resolveKlinesDir(opts.klinesDir);
  const fundingDir = opts.fundingDir ?? resolveFundingDir();
  const files = listKlineFiles(klinesDir);
  const symbols = opts.symbols ?? [...new Set(files.map((f) => f.symbol))].sort();
  const rules = loadRules(opts.instrumentsFile ?? join(REPO_ROOT, 'data/instruments.json'));
  const markets = new Map<string, SymbolMarket>();
  const specs = new Map<string, InstrumentSpec>();
  for (const symbol of symbols) {
    const intervals = files.filter((f) => f.symbol === symbol).map((f) => f.interval);
    if (intervals.length === 0) throw new Error(`bybit-v5 fake: no klines for ${symbol} in ${klinesDir}`);
    const series = new Map<string, KlineSeries>();
    for (const iv of intervals) series.set(iv, loadKlines(klinesDir, symbol, iv));
    const base = pickBaseInterval(intervals, opts.baseInterval ?? '60');
    const m = new SymbolMarket(symbol, series, base, loadFunding(fundingDir, symbol), opts.startTime);
    markets.set(symbol, m);
    const rule = rules.get(symbol);
    const ref = m.base.close[m.base.length - 1];
    if (rule) specs.set(symbol, instrumentFromRule(rule, ref));
    else {
      let decimals = 0;
      for (const t of m.base.text.close) decimals = Math.max(decimals, t.includes('.') ? t.length - t.indexOf('.') - 1 : 0);
      specs.set(symbol, deriveInstrument(symbol, ref, decimals));
    }
  }

  let skew = 0;
  const wallNow = () => Date.now() + skew;
  const exOpts: ExchangeOptions = {
    walletUsdt: opts.walletUsdt ?? 10_000,
    takerFee: opts.takerFee ?? 0.00055,
    makerFee: opts.makerFee ?? 0.0002,
    defaultLeverage: opts.defaultLeverage ?? 10,
    mmRate: 0.005,
    serverNow: wallNow,
  };
  const exchange = new Exchange(markets, specs, exOpts);
  const fmts = new Map<string, Fmt>();
  for (const [sym, spec] of specs) fmts.set(sym, fmtOf(spec));
  const fmt = (sym: string): Fmt => fmts.get(sym) ?? { px: String, qty: String };
  const view: AccountView = { ex: exchange, fmt, mark: (sym) => markets.get(sym)?.last() ?? 0, mmRate: exOpts.mmRate, takerFee: exOpts.takerFee };
  const emptyBooks = new Set<string>();
  const mctx: MarketContext = { markets, specs, wallNow, emptyBooks };
  const pctx: PrivateContext = {
    ex: exchange,
    view,
    fmt,
    known: (sym) => markets.has(sym),
    wallNow,
    key: { apiKey, readOnly: opts.readOnly ?? 0, ips: opts.ips ?? ['*'], permissions: { ...DEFAULT_PERMISSIONS, ...opts.permissions } },
  };

  const routes = new Map<string, Route>([
    ['GET /v5/market/time', { auth: false, handle: () => getTime(mctx) }],
    ['GET /v5/market/instruments-info', { auth: false, handle: (p) => getInstruments(mctx, p) }],
    ['GET /v5/market/tickers', { auth: false, handle: (p) => getTickers(mctx, p) }],
    // Klines answer at the symbol's market time, so a client can tell the forming bar from closed ones
    // exactly as it does against Bybit, whose server time and market time are the same clock.
    ['GET /v5/market/kline', { auth: false, handle: (p) => getKline(mctx, p), time: (p) => marketOf(String(p.symbol)).now() }],
    ['GET /v5/market/funding/history', { auth: false, handle: (p) => getFundingHistory(mctx, p) }],
    ['GET /v5/user/query-api', { auth: true, handle: () => queryApi(pctx) }],
    ['GET /v5/account/wallet-balance', { auth: true, handle: (p) => walletBalance(pctx, p) }],
    ['GET /v5/position/list', { auth: true, handle: (p) => positionList(pctx, p) }],
    ['POST /v5/position/set-leverage', { auth: true, handle: (p) => mutations.setLeverage(pctx, p) }],
    ['POST /v5/position/trading-stop', { auth: true, handle: (p) => mutations.tradingStop(pctx, p) }],
    ['POST /v5/order/create', { auth: true, handle: (p) => mutations.create(pctx, p) }],
    ['POST /v5/order/cancel', { auth: true, handle: (p) => mutations.cancel(pctx, p) }],
    ['POST /v5/order/cancel-all', { auth: true, handle: (p) => mutations.cancelAll(pctx, p) }],
    ['GET /v5/order/realtime', { auth: true, handle: (p) => orderRealtime(pctx, p) }],
    ['GET /v5/order/history', { auth: true, handle: (p) => orderHistory(pctx, p) }],
    ['GET /v5/execution/list', { auth: true, handle: (p) => executionList(pctx, p) }],
  ]);

  const faults = new FaultPlan();
  const requests: LoggedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const restDeps = {
    routes,
    faults,
    log: requests,
    apiKey,
    apiSecret,
    serverNow: wallNow,
    recvWindowOverride: opts.recvWindowMs,
    enforceRateLimit: opts.rateLimit === 'enforce',
    rate: new RateCounter(),
    hanging,
  };

  const server = createServer((req, res) => {
    void handleRest(restDeps, req, res);
  });
  const publicWss = new WebSocketServer({ noServer: true });
  const privateWss = new WebSocketServer({ noServer: true });
  let cs = 1_000_000;
  const tickers = new TickerStream(() => ++cs);

  const checkTopic = (topic: string): string | null => {
    const k = /^kline\.([0-9]+|D)\.([A-Z0-9]+)$/.exec(topic);
    if (k) {
      const m = markets.get(k[2]);
      if (!m) return `error:handler not found,topic:${topic}`;
      if (!m.series.has(k[1])) return `error:no kline data for interval ${k[1]} in this fake,topic:${topic}`;
      return null;
    }
    const t = /^tickers\.([A-Z0-9]+)$/.exec(topic);
    if (t && markets.has(t[1])) return null;
    return `error:handler not found,topic:${topic}`;
  };
  const publicStream = new PublicStream(publicWss, checkTopic, (topic, send) => {
    const t = /^tickers\.([A-Z0-9]+)$/.exec(topic);
    if (t) send(tickers.snapshot(markets.get(t[1])!, specs.get(t[1])!, publicStream.followers(topic) > 1));
  });
  const privateStream = new PrivateStream(privateWss, (args) => verifyWsAuth(args, apiKey, apiSecret, wallNow()), wallNow);

  exchange.onEvent((e) => {
    if (e.topic === 'order') privateStream.push('order', e.orders.map((o) => wsOrder(o, fmt(o.symbol))));
    else if (e.topic === 'execution') privateStream.push('execution', e.executions.map((x) => wsExecution(x, fmt(x.symbol))));
    else if (e.topic === 'position') privateStream.push('position', e.positions.map((p) => wsPosition(p, view)));
    else privateStream.push('wallet', [wsWallet(exchange)]);
  });

  const sockets = new Set<Duplex>();
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const wss = path === '/v5/public/linear' ? publicWss : path === '/v5/private' ? privateWss : null;
    if (!wss) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const drops = new Map<string, number>();

  const activeSymbols = (): string[] => {
    const out = new Set<string>();
    for (const topic of publicStream.topics()) {
      const sym = topic.split('.').pop();
      if (sym && markets.has(sym)) out.add(sym);
    }
    for (const o of exchange.state.orders) if (['New', 'PartiallyFilled', 'Untriggered'].includes(o.orderStatus)) out.add(o.symbol);
    for (const p of exchange.state.positions.values()) if (p.size > 0) out.add(p.symbol);
    return [...out];
  };

  const marketOf = (symbol: string): SymbolMarket => {
    const m = markets.get(symbol);
    if (!m) throw new Error(`bybit-v5 fake: unknown symbol ${symbol}`);
    return m;
  };

  let closed = false;
  return {
    restUrl: `http://127.0.0.1:${port}`,
    wsPublicUrl: `ws://127.0.0.1:${port}/v5/public/linear`,
    wsPrivateUrl: `ws://127.0.0.1:${port}/v5/private`,
    apiKey,
    apiSecret,
    requests,
    state: exchange.state,
    async close() {
      if (closed) return;
      closed = true;
      publicStream.dropAll();
      privateStream.dropAll();
      for (const res of hanging) res.destroy();
      hanging.clear();
      for (const s of sockets) s.destroy();
      publicWss.close();
      privateWss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    advance(n = 1, only?: string[]) {
      const targets = only ?? activeSymbols();
      let made = 0;
      for (let k = 0; k < n; k++) {
        let any = false;
        for (const sym of targets) {
          const ctx: ReplayContext = { market: marketOf(sym), spec: specs.get(sym)!, exchange, stream: publicStream, drops, tickers };
          if (stepSymbol(ctx)) any = true;
        }
        if (!any) break;
        made += 1;
      }
      return made;
    },
    prepareAdvance(symbols) {
      return symbols.map((sym) => {
        let opening: () => void = () => undefined;
        const closing = publicStream.hold(() => {
          stepSymbol({ market: marketOf(sym), spec: specs.get(sym)!, exchange, stream: publicStream, drops, tickers }, () => (opening = publicStream.cut()));
        });
        return { opening, closing };
      });
    },
    setCursor(symbol, target) {
      const m = marketOf(symbol);
      if (typeof target === 'number') m.setCursor(target, target >= 1e11);
      else if ('index' in target) m.setCursor(target.index);
      else m.setCursor(target.time, true);
    },
    injectRetCode: (path, retCode, o) => faults.injectRetCode(path, retCode, o),
    setLatency: (path, ms) => faults.setLatency(path, ms),
    setEmptyBook(symbol, empty) {
      if (empty) emptyBooks.add(symbol);
      else emptyBooks.delete(symbol);
    },
    timeoutNext: (path, times) => faults.timeoutNext(path, times),
    setClockSkew(ms) {
      skew = ms;
    },
    disconnectAll() {
      publicStream.dropAll();
      privateStream.dropAll();
    },
    disconnectPublic: () => publicStream.dropAll(),
    disconnectPrivate: () => privateStream.dropAll(),
    dropKlines(symbol, n, interval) {
      const m = marketOf(symbol);
      for (const iv of interval ? [interval] : [...m.series.keys()]) drops.set(`${symbol}|${iv}`, n);
    },
    market(symbol) {
      const m = marketOf(symbol);
      return { index: m.cursor, length: m.base.length, now: m.now(), last: m.last(), baseInterval: m.base.interval };
    },
    instrument(symbol) {
      marketOf(symbol);
      return { ...specs.get(symbol)! };
    },
    connections: () => ({ public: publicStream.size, private: privateStream.size }),
  };
}
