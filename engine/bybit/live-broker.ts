import type { OrderParamsV5, RestClientV5, WebsocketClient } from 'bybit-api';
import type { Clock } from '../clock.ts';
import type { DeskConfig } from '../config.ts';
import type { DeskLogger } from '../log.ts';
import type { Side } from '../schemas.ts';
import type { Bar, Instrument } from '../market/types.ts';
import type { Broker, Execution, OrderAck, OrderRequest, VenueBalance, VenueOrder, VenuePosition } from '../exec/broker.ts';
import { DeskError, isDeskError } from '../errors.ts';
import { bybitCall, realSleep, RET, submitOnce, type CallContext, type VendorResponse } from './errors.ts';
import { createRestClient, createWsClient, PRIVATE_WS_KEY, type BybitClientOptions } from './client.ts';
import { num, positive, roundToStep } from './decimal.ts';
import { toInstrument, type VendorInstrument } from './instruments.ts';
import { FINAL_ORDER_STATUSES, PrivateStreamRouter, type OrderUpdate, type VendorExecution, type VendorOrder } from './executions.ts';
import { judgeKeyPermissions, type KeyPermissionReport, type VendorKeyInfo } from './key-permissions.ts';

/** Options of createBybitBroker; everything but config, clock and logger has a production default. */
export interface BybitBrokerOptions {
  config: DeskConfig;
  clock: Clock;
  logger: DeskLogger;
  client?: BybitClientOptions;
  /** Order lookups after a submit with an unknown outcome, and the pause between them (default 4 × 500 ms). */
  lookupAttempts?: number;
  lookupDelayMs?: number;
  /** How long place() waits for a Market entry to fill (to attach its partial targets), ms (default 5 000). */
  fillWaitMs?: number;
  /** Longest wait for the private stream's auth + subscribe in start(), ms (default 10 000). */
  streamTimeoutMs?: number;
  maxRateLimitRetries?: number;
  maxRateLimitWaitMs?: number;
  /** Pages of 100 executions one /v5/execution/list query reads before it goes on with a narrower one (default 50). */
  maxExecutionPages?: number;
  /**
   * Hold the private stream's fills until a call of catchUp (the desk's start-up reconcile) has
   * delivered them with the fills the venue made while the desk was down, all in venue order; a
   * reconnect's own catch-up meanwhile keeps what it lists for that call too.
   */
  holdFillsUntilCatchUp?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** The live Broker plus the Bybit-specific steps the composition root calls. */
export interface BybitBroker extends Broker {
  readonly mode: 'live';
  /** Checks the key (refuses withdraw-capable and read-only keys) and opens the private stream; idempotent. */
  start(): Promise<KeyPermissionReport>;
  /** Reads /v5/user/query-api and refuses (DeskError CONFIG) a key that can withdraw, unless BYBIT_ALLOW_WITHDRAW_KEY. */
  checkKeyPermissions(): Promise<KeyPermissionReport>;
  /** Sets buy and sell leverage of `symbol`; resolves false when it was already set (110043). */
  setLeverage(symbol: string, leverage: number): Promise<boolean>;
  /** Registers a sink for order updates; each is delivered after the fills it reports. */
  onOrderUpdate(sink: (o: OrderUpdate) => void | Promise<void>): void;
  /** Resolves when every private-stream message received so far has reached the sinks. */
  drain(): Promise<void>;
}

/**
 * The exchange side of a desk order: `side` is the position side, so an entry buys a long and sells a
 * short, and a reduce-only close does the opposite. Never throws.
 */
export function venueOrderSide(side: Side, reduceOnly: boolean): 'Buy' | 'Sell' {
  const buy = side === 'long';
  return buy !== reduceOnly ? 'Buy' : 'Sell';
}

interface TargetPlan {
  symbol: string;
  requestedQty: number;
  levels: { price: number; qty: number }[];
  instrument: Instrument;
}

interface VendorPosition {
  symbol: string;
  side: string;
  size: string;
  avgPrice: string;
  stopLoss?: string;
  leverage?: string;
  updatedTime?: string;
}

/** The longest time range one /v5/execution/list query may cover (Bybit: 7 days). */
const EXECUTION_WINDOW_MS = 7 * 86_400_000;
/** How far back a catch-up reads at most. */
const MAX_CATCH_UP_MS = 30 * 86_400_000;
/** Pages of 100 executions one query reads at most (default of maxExecutionPages). */
const MAX_EXECUTION_PAGES = 50;
/** First and longest pause before a catch-up retried after the desk refused a fill. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** The last catch-up window must reach this far past the desk's clock. */
const LAST_WINDOW_SLACK_MS = 3_600_000;

/**
 * Creates the live Bybit V5 Broker (one-way mode, linear USDT perpetuals): places orders idempotently
 * by orderLinkId with the stop attached and partial targets set per level once filled, moves stops,
 * cancels, reads positions / orders / wallet, and turns the private stream into ordered Executions.
 * Throws DeskError CONFIG when BYBIT_API_KEY / SECRET are missing; methods reject with DeskError.
 */
export function createBybitBroker(opts: BybitBrokerOptions): BybitBroker {
  const { config, clock } = opts;
  const log = opts.logger.child({ module: 'bybit-broker' });
  const sleep = opts.sleep ?? realSleep;
  const rest: RestClientV5 = createRestClient(config, { signed: true, ...opts.client });
  const ctx: CallContext = {
    logger: log,
    clock,
    sleep,
    maxRateLimitRetries: opts.maxRateLimitRetries,
    maxRateLimitWaitMs: opts.maxRateLimitWaitMs,
    measureOffsetMs: async () => {
      const before = clock.now();
      const res = (await rest.getServerTime()) as VendorResponse<{ timeNano?: string; timeSecond?: string }>;
      const after = clock.now();
      const server = res.result?.timeNano ? Number(BigInt(res.result.timeNano) / 1_000_000n) : num(res.time, num(res.result?.timeSecond) * 1000);
      return server - (before + after) / 2;
    },
  };
  const instruments = new Map<string, Instrument>();
  const targets = new Map<string, TargetPlan>();
  const inflight = new Map<string, number>();
  /** Final statuses seen on the stream (after any targets were attached), so a late waiter resolves at once. */
  const finals = new Map<string, string>();
  const fillWaiters = new Map<string, ((filled: boolean) => void)[]>();
  const stopLocks = new Map<string, Promise<unknown>>();
  let execSink: ((e: Execution) => void | Promise<void>) | null = null;
  let orderSink: ((o: OrderUpdate) => void | Promise<void>) | null = null;
  let ws: WebsocketClient | null = null;
  let startPromise: Promise<KeyPermissionReport> | null = null;
  let closed = false;

  const maxPages = opts.maxExecutionPages ?? MAX_EXECUTION_PAGES;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryMs = RETRY_FIRST_MS;
  /** When this broker was made: a reconnect before any execution was seen catches up from here. */
  const createdAt = clock.now();

  /**
   * The pages of one /v5/execution/list query (100 rows a page, newest first) up to maxExecutionPages;
   * `complete` is false when the list went on past them or a cursor came back. Rejects with the
   * venue's DeskError.
   */
  async function listExecutions(q: { orderId?: string; startTime?: number; endTime?: number }): Promise<{ rows: VendorExecution[]; complete: boolean }> {
    const rows: VendorExecution[] = [];
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await bybitCall(ctx, '/v5/execution/list', () =>
        rest.getExecutionList({ category: 'linear', ...q, ...(cursor ? { cursor } : {}), limit: 100 }) as Promise<VendorResponse<{ list?: VendorExecution[]; nextPageCursor?: string }>>,
      );
      const list = res.result?.list ?? [];
      rows.push(...list);
      cursor = res.result?.nextPageCursor || undefined;
      if (!cursor || list.length === 0) return { rows, complete: true };
      if (cursors.has(cursor)) break;
      cursors.add(cursor);
    }
    return { rows, complete: false };
  }

  /**
   * Every execution of [start, end] (end null: Bybit's 7 days from start), each once. Pages come
   * newest first, so a list longer than maxExecutionPages goes on with a query ending at the oldest
   * time read so far (rows of that millisecond are read again and kept once). Rejects with DeskError:
   * the venue's, or EXCHANGE_UNAVAILABLE when one millisecond holds more rows than the pages read.
   */
  async function listRange(start: number, end: number | null): Promise<VendorExecution[]> {
    const rows: VendorExecution[] = [];
    const ids = new Set<string>();
    let upTo = end;
    for (;;) {
      const got = await listExecutions(upTo === null ? { startTime: start } : { startTime: start, endTime: upTo });
      for (const r of got.rows) {
        if (ids.has(r.execId)) continue;
        ids.add(r.execId);
        rows.push(r);
      }
      if (got.complete) return rows;
      const times = got.rows.map((r) => num(r.execTime)).filter((t) => t > 0);
      const oldest = times.length > 0 ? Math.min(...times) : Number.NaN;
      if (!(oldest > start) || (upTo !== null && oldest >= upTo)) {
        throw new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: '/v5/execution/list', reason: 'the execution list did not end', start }, 'bybit: execution list did not end');
      }
      upTo = oldest;
    }
  }

  /**
   * Every execution the venue lists at or after `since` (epoch ms), oldest window first: Bybit answers
   * one query for at most 7 days, so a longer stretch is read window by window. The last window is
   * asked with its start only (Bybit then reads 7 days on from it), once that reaches an hour past
   * the desk's clock, so it also covers a venue clock ahead of ours and the time the earlier windows
   * took. Looks back at most MAX_CATCH_UP_MS. Rejects with DeskError (see listRange).
   */
  async function executionsSince(since: number): Promise<VendorExecution[]> {
    const from = Math.max(since, clock.now() - MAX_CATCH_UP_MS);
    if (from > since) log.warn({ since, from }, 'execution catch-up limited to the last 30 days');
    const rows: VendorExecution[] = [];
    for (let start = from; ; start += EXECUTION_WINDOW_MS) {
      const last = start + EXECUTION_WINDOW_MS > clock.now() + LAST_WINDOW_SLACK_MS;
      rows.push(...(await listRange(start, last ? null : start + EXECUTION_WINDOW_MS - 1)));
      if (last) break;
    }
    return rows;
  }

  const router = new PrivateStreamRouter({
    holding: opts.holdFillsUntilCatchUp ?? false,
    logger: log,
    now: () => clock.now(),
    fetchExecutions: async (q) => {
      const got = await listExecutions({ orderId: q.orderId });
      if (!got.complete) throw new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: '/v5/execution/list', reason: 'the execution list did not end' }, 'bybit: execution list did not end');
      return got.rows;
    },
    onRefused: () => retryCatchUp(),
    onExecution: async (e) => {
      // Before the desk registered its sink nothing may be taken as delivered: the row stays unseen
      // and the desk's first reconcile catches it up.
      if (!execSink) throw new DeskError('INTERNAL', {}, 'no execution sink yet');
      await execSink(e);
    },
    onOrder: async (o) => {
      if (orderSink) await orderSink(o);
      settleOrder(o);
    },
  });

  function settleOrder(o: OrderUpdate): void {
    if (!o.orderLinkId) return;
    const plan = targets.get(o.orderLinkId);
    const done = FINAL_ORDER_STATUSES.has(o.status);
    if (!done) return;
    const filled = o.filledQty > 0;
    const finish = (): void => {
      finals.set(o.orderLinkId, o.status);
      if (finals.size > 5_000) finals.delete(finals.keys().next().value as string);
      const ws = fillWaiters.get(o.orderLinkId);
      fillWaiters.delete(o.orderLinkId);
      for (const w of ws ?? []) w(o.status === 'Filled');
    };
    if (plan) {
      targets.delete(o.orderLinkId);
      if (filled) {
        void applyTargets(plan, o.filledQty).finally(finish);
        return;
      }
    }
    finish();
  }

  async function applyTargets(plan: TargetPlan, filledQty: number): Promise<void> {
    const ratio = plan.requestedQty > 0 ? Math.min(1, filledQty / plan.requestedQty) : 1;
    for (const level of plan.levels) {
      const size = roundToStep(level.qty * ratio, plan.instrument.qtyStep, 'down');
      if (!(Number(size) > 0)) continue;
      const price = roundToStep(level.price, plan.instrument.tickSize);
      try {
        await bybitCall(
          ctx,
          '/v5/position/trading-stop',
          () =>
            rest.setTradingStop({ category: 'linear', symbol: plan.symbol, positionIdx: 0, tpslMode: 'Partial', takeProfit: price, tpSize: size, tpOrderType: 'Market' }) as Promise<VendorResponse<object>>,
          { pass: [RET.TPSL_NOT_MODIFIED] },
        );
      } catch (e) {
        log.error({ symbol: plan.symbol, code: isDeskError(e) ? e.code : 'INTERNAL', price }, 'could not attach a partial take-profit');
      }
    }
  }

  function waitFilled(orderLinkId: string, ms: number): Promise<boolean> {
    const known = finals.get(orderLinkId);
    if (known !== undefined) return Promise.resolve(known === 'Filled');
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(v);
      };
      const list = fillWaiters.get(orderLinkId) ?? [];
      list.push(finish);
      fillWaiters.set(orderLinkId, list);
      const timer = setTimeout(() => finish(false), ms);
      // Polling fallback in case the private stream is lagging or down.
      void (async () => {
        await sleep(Math.min(1000, ms / 3));
        while (!done && !closed) {
          const o = await broker.findOrder(orderLinkId).catch(() => null);
          if (done) return;
          if (o?.final) {
            settleOrder({ orderId: o.orderId, orderLinkId, symbol: '', status: o.status, filledQty: o.filledQty, avgPrice: o.avgPrice });
            return;
          }
          await sleep(300);
        }
      })();
    });
  }

  async function instrument(symbol: string): Promise<Instrument> {
    const hit = instruments.get(symbol);
    if (hit) return hit;
    const res = await bybitCall(ctx, '/v5/market/instruments-info', () =>
      rest.getInstrumentsInfo({ category: 'linear', symbol }) as Promise<VendorResponse<{ list?: VendorInstrument[] }>>,
    );
    const inst = (res.result?.list ?? []).map(toInstrument).find((i) => i?.symbol === symbol) ?? null;
    if (!inst) throw new DeskError('NOT_FOUND', { symbol }, 'bybit: unknown instrument');
    instruments.set(symbol, inst);
    return inst;
  }

  async function openPrivateStream(): Promise<void> {
    const client = createWsClient(config, 'private', log, opts.client);
    ws = client;
    let settle: (err: DeskError | null) => void = () => undefined;
    const ready = new Promise<DeskError | null>((r) => (settle = r));
    client.on('update', (m: { topic?: unknown; data?: unknown }) => router.push(m));
    client.on('response', (r: { op?: unknown; success?: unknown }) => {
      if (r?.op === 'subscribe') settle(r.success === false ? new DeskError('EXCHANGE_REJECTED', { endpoint: 'ws/private' }, 'bybit: private subscribe refused') : null);
    });
    client.on('exception', (e: { op?: unknown; success?: unknown }) => {
      if (e?.op === 'auth' || (e?.success === false && e?.op === undefined)) {
        settle(new DeskError('CONFIG', { endpoint: 'ws/private', reason: 'private stream refused the API key' }, 'bybit: private stream auth failed'));
      }
      log.warn({ wsKey: PRIVATE_WS_KEY }, 'private stream exception');
    });
    client.on('reconnected', () => {
      log.info({ wsKey: PRIVATE_WS_KEY }, 'private stream reconnected: catching up executions over REST');
      void catchUpExecutions();
    });
    client.on('reconnect', () => log.warn({ wsKey: PRIVATE_WS_KEY }, 'private stream dropped: reconnecting'));
    try {
      await Promise.all(client.subscribeV5(['order', 'execution', 'position', 'wallet'], 'linear', true));
    } catch {
      throw new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: 'ws/private' }, 'bybit private stream unreachable');
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      ready,
      new Promise<DeskError>((r) => (timer = setTimeout(() => r(new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: 'ws/private', reason: 'no subscribe confirmation' })), opts.streamTimeoutMs ?? 10_000))),
    ]);
    clearTimeout(timer);
    if (outcome) {
      client.removeAllListeners();
      client.closeAll(true);
      ws = null;
      throw outcome;
    }
  }

  /**
   * Lists the executions since `since` and hands them to the router (see deliverExecutions); once
   * nothing is held any more, the retry backoff starts over. Resolves how many were listed and how
   * many refused or held back; rejects with listRange's DeskError.
   */
  async function deliverSince(since: number, endsFirstHold: boolean): Promise<{ listed: number; refused: number }> {
    const rows = await executionsSince(since);
    const refused = await router.deliverExecutions(rows, endsFirstHold);
    if (!router.holding) {
      retryMs = RETRY_FIRST_MS;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    }
    return { listed: rows.length, refused };
  }

  /** After a reconnect: the executions since the newest one delivered (or since this broker was made) that the stream may have missed. */
  async function catchUpExecutions(): Promise<void> {
    try {
      await deliverSince(router.lastExecutionAt || createdAt, false);
    } catch (e) {
      log.warn({ code: isDeskError(e) ? e.code : 'INTERNAL' }, 'execution catch-up failed');
      if (router.holding) retryCatchUp();
    }
  }

  /** While the router holds fills after a refusal: the next catch-up, 1 s on, doubling to a minute. */
  function retryCatchUp(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void catchUpExecutions();
    }, retryMs);
    retryTimer.unref?.();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function ensureStarted(): Promise<KeyPermissionReport> {
    if (closed) return Promise.reject(new DeskError('SHUTTING_DOWN', {}, 'bybit broker closed'));
    if (!startPromise) {
      startPromise = (async () => {
        const report = await broker.checkKeyPermissions();
        await openPrivateStream();
        log.info({ canTradeContracts: report.canTradeContracts, ipBound: report.ipBound }, 'bybit broker started');
        return report;
      })();
      // A transient failure may be retried by the next call; a CONFIG refusal sticks.
      startPromise.catch((e: unknown) => {
        if (!isDeskError(e, 'CONFIG')) startPromise = null;
      });
    }
    return startPromise;
  }

  async function lookup(orderLinkId: string): Promise<VenueOrder | null> {
    const map = (o: VendorOrder): VenueOrder => ({
      orderId: o.orderId,
      status: o.orderStatus,
      filledQty: num(o.cumExecQty),
      avgPrice: positive(o.avgPrice),
      final: FINAL_ORDER_STATUSES.has(o.orderStatus),
      updatedAt: positive(o.updatedTime),
    });
    const live = await bybitCall(ctx, '/v5/order/realtime', () =>
      rest.getActiveOrders({ category: 'linear', orderLinkId, settleCoin: 'USDT' }) as Promise<VendorResponse<{ list?: VendorOrder[] }>>,
    );
    const a = (live.result?.list ?? []).find((o) => o.orderLinkId === orderLinkId);
    if (a) return map(a);
    const hist = await bybitCall(ctx, '/v5/order/history', () =>
      rest.getHistoricOrders({ category: 'linear', orderLinkId }) as Promise<VendorResponse<{ list?: VendorOrder[] }>>,
    );
    const h = (hist.result?.list ?? []).find((o) => o.orderLinkId === orderLinkId);
    return h ? map(h) : null;
  }

  async function vendorPositions(symbol?: string): Promise<VendorPosition[]> {
    const out: VendorPosition[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await bybitCall(ctx, '/v5/position/list', () =>
        rest.getPositionInfo({ category: 'linear', ...(symbol ? { symbol } : { settleCoin: 'USDT' }), limit: 200, ...(cursor ? { cursor } : {}) }) as Promise<
          VendorResponse<{ list?: VendorPosition[]; nextPageCursor?: string }>
        >,
      );
      out.push(...(res.result?.list ?? []));
      cursor = res.result?.nextPageCursor || undefined;
      if (!cursor) break;
    }
    return out.filter((p) => num(p.size) > 0 && (p.side === 'Buy' || p.side === 'Sell'));
  }

  async function withSymbolLock<T>(symbol: string, job: () => Promise<T>): Promise<T> {
    const prev = stopLocks.get(symbol) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(job);
    stopLocks.set(symbol, run);
    try {
      return await run;
    } finally {
      if (stopLocks.get(symbol) === run) stopLocks.delete(symbol);
    }
  }

  const broker: BybitBroker = {
    mode: 'live',

    start: ensureStarted,

    async checkKeyPermissions(): Promise<KeyPermissionReport> {
      const res = await bybitCall(ctx, '/v5/user/query-api', () => rest.getQueryApiKey() as unknown as Promise<VendorResponse<VendorKeyInfo>>);
      try {
        return judgeKeyPermissions(res.result ?? {}, config.BYBIT_ALLOW_WITHDRAW_KEY);
      } catch (e) {
        log.error({ code: isDeskError(e) ? e.code : 'INTERNAL' }, 'bybit API key refused');
        throw e;
      }
    },

    async setLeverage(symbol: string, leverage: number): Promise<boolean> {
      await ensureStarted();
      const inst = await instrument(symbol);
      if (!(leverage >= 1)) throw new DeskError('VALIDATION', { field: 'leverage' }, 'leverage must be at least 1');
      const lev = roundToStep(Math.min(leverage, inst.maxLeverage), 0.01, 'down');
      const res = await bybitCall(
        ctx,
        '/v5/position/set-leverage',
        () => rest.setLeverage({ category: 'linear', symbol, buyLeverage: lev, sellLeverage: lev }) as Promise<VendorResponse<object>>,
        { pass: [RET.LEVERAGE_NOT_MODIFIED] },
      );
      return res.retCode === RET.OK;
    },

    async place(req: OrderRequest): Promise<OrderAck> {
      await ensureStarted();
      const inst = req.instrument;
      if (!req.orderLinkId || req.orderLinkId.length > 36) throw new DeskError('VALIDATION', { field: 'orderLinkId' }, 'orderLinkId must be 1..36 characters');
      if (!(req.qty > 0)) throw new DeskError('VALIDATION', { field: 'qty' }, 'qty must be positive');
      const qty = roundToStep(req.qty, inst.qtyStep, 'down');
      if (!(Number(qty) > 0) || Number(qty) < inst.minQty - inst.qtyStep / 2) {
        throw new DeskError('SIZE_TOO_SMALL', { symbol: req.symbol, qty: Number(qty), minQty: inst.minQty }, 'order below the minimum quantity');
      }
      const refPrice = req.type === 'Limit' && req.price ? req.price : req.quote.last;
      if (!req.reduceOnly && inst.minNotional > 0 && Number(qty) * refPrice < inst.minNotional) {
        throw new DeskError('SIZE_TOO_SMALL', { symbol: req.symbol, notional: Number(qty) * refPrice, minNotional: inst.minNotional }, 'order below the minimum notional');
      }
      if (req.leverage && !req.reduceOnly) await broker.setLeverage(req.symbol, req.leverage);
      const params: OrderParamsV5 = {
        category: 'linear',
        symbol: req.symbol,
        side: venueOrderSide(req.side, req.reduceOnly),
        orderType: req.type,
        qty,
        orderLinkId: req.orderLinkId,
        positionIdx: 0,
      };
      if (req.type === 'Limit') {
        if (!(req.price && req.price > 0)) throw new DeskError('VALIDATION', { field: 'price' }, 'a Limit order needs a price');
        params.price = roundToStep(req.price, inst.tickSize);
        params.timeInForce = 'GTC';
      }
      if (req.reduceOnly) params.reduceOnly = true;
      if (!req.reduceOnly && req.stopLoss !== undefined) {
        if (!(req.stopLoss > 0)) throw new DeskError('VALIDATION', { field: 'stopLoss' }, 'stopLoss must be positive');
        params.stopLoss = roundToStep(req.stopLoss, inst.tickSize);
        params.tpslMode = 'Full';
        params.slOrderType = 'Market';
      }
      const plan: TargetPlan | null =
        !req.reduceOnly && req.takeProfits && req.takeProfits.length > 0
          ? { symbol: req.symbol, requestedQty: Number(qty), levels: req.takeProfits.map((t) => ({ price: t.price, qty: t.qty })), instrument: inst }
          : null;
      // The first registered plan wins; a concurrent call with the same orderLinkId must not replace or drop it.
      if (plan && !targets.has(req.orderLinkId)) targets.set(req.orderLinkId, plan);
      inflight.set(req.orderLinkId, (inflight.get(req.orderLinkId) ?? 0) + 1);
      const alone = (): boolean => (inflight.get(req.orderLinkId) ?? 0) <= 1;
      let result: Awaited<ReturnType<typeof submitOnce>>;
      try {
        result = await submitOnce({
          ctx,
          endpoint: '/v5/order/create',
          orderLinkId: req.orderLinkId,
          submit: () => rest.submitOrder(params) as Promise<VendorResponse<{ orderId?: string; orderLinkId?: string }>>,
          lookup: () => lookup(req.orderLinkId),
          lookupAttempts: opts.lookupAttempts,
          lookupDelayMs: opts.lookupDelayMs,
        });
        log.info({ orderLinkId: req.orderLinkId, symbol: req.symbol, type: req.type, resolvedBy: result.resolvedBy }, 'bybit order placed');
        if (result.duplicate) {
          // An order placed earlier (another session) owns its follow-up: never attach its targets twice.
          // A concurrent call in this process is the creator and still needs the plan.
          if (alone()) targets.delete(req.orderLinkId);
          const found = await lookup(req.orderLinkId).catch(() => null);
          return { orderId: result.orderId, orderLinkId: req.orderLinkId, status: found?.status === 'Filled' ? 'filled' : 'accepted', duplicate: true };
        }
      } catch (e) {
        if (alone()) targets.delete(req.orderLinkId);
        throw e;
      } finally {
        const n = (inflight.get(req.orderLinkId) ?? 1) - 1;
        if (n <= 0) inflight.delete(req.orderLinkId);
        else inflight.set(req.orderLinkId, n);
      }
      let status: OrderAck['status'] = 'accepted';
      if (req.type === 'Market') status = (await waitFilled(req.orderLinkId, opts.fillWaitMs ?? 5_000)) ? 'filled' : 'accepted';
      return { orderId: result.orderId, orderLinkId: req.orderLinkId, status, duplicate: false };
    },

    async setStop(symbol: string, side: Side, stop: number): Promise<boolean> {
      await ensureStarted();
      if (!(stop > 0)) throw new DeskError('VALIDATION', { field: 'stop' }, 'stop must be positive');
      return withSymbolLock(symbol, async () => {
        const inst = await instrument(symbol);
        const pos = (await vendorPositions(symbol)).find((p) => p.symbol === symbol);
        const posSide: Side | null = pos ? (pos.side === 'Buy' ? 'long' : 'short') : null;
        if (!pos || posSide !== side) throw new DeskError('POSITION_CLOSED', { symbol, side }, 'no open position to move the stop of');
        const price = roundToStep(stop, inst.tickSize);
        if (num(pos.stopLoss) > 0 && Math.abs(num(pos.stopLoss) - Number(price)) < inst.tickSize / 2) return false;
        const res = await bybitCall(
          ctx,
          '/v5/position/trading-stop',
          () => rest.setTradingStop({ category: 'linear', symbol, positionIdx: 0, tpslMode: 'Full', stopLoss: price, slOrderType: 'Market' }) as Promise<VendorResponse<object>>,
          { pass: [RET.TPSL_NOT_MODIFIED] },
        );
        return res.retCode === RET.OK;
      });
    },

    async cancelAll(symbol: string): Promise<number> {
      await ensureStarted();
      const res = await bybitCall(ctx, '/v5/order/cancel-all', () =>
        rest.cancelAllOrders({ category: 'linear', symbol, orderFilter: 'Order' }) as Promise<VendorResponse<{ list?: unknown[] }>>,
      );
      return res.result?.list?.length ?? 0;
    },

    async positions(): Promise<VenuePosition[]> {
      return (await vendorPositions()).map((p) => ({
        symbol: p.symbol,
        side: p.side === 'Buy' ? 'long' : 'short',
        qty: num(p.size),
        entryPrice: num(p.avgPrice),
        stopLoss: positive(p.stopLoss),
        leverage: num(p.leverage, 1),
        updatedAt: positive(p.updatedTime),
      }));
    },

    findOrder(orderLinkId: string) {
      return lookup(orderLinkId);
    },

    async balance(): Promise<VenueBalance> {
      const res = await bybitCall(ctx, '/v5/account/wallet-balance', () =>
        rest.getWalletBalance({ accountType: 'UNIFIED', coin: 'USDT' }) as Promise<
          VendorResponse<{ list?: { totalEquity?: string; totalAvailableBalance?: string; coin?: { coin: string; equity?: string; walletBalance?: string; totalPositionIM?: string; totalOrderIM?: string; availableToWithdraw?: string }[] }[] }>
        >,
      );
      const acct = res.result?.list?.[0];
      if (!acct) throw new DeskError('EXCHANGE_UNAVAILABLE', { endpoint: '/v5/account/wallet-balance', reason: 'no UNIFIED account in the response' });
      const usdt = acct.coin?.find((c) => c.coin === 'USDT');
      const equity = usdt ? num(usdt.equity, num(acct.totalEquity)) : num(acct.totalEquity);
      const fallbackAvail = usdt ? num(usdt.walletBalance) - num(usdt.totalPositionIM) - num(usdt.totalOrderIM) : 0;
      const available = acct.totalAvailableBalance !== undefined && acct.totalAvailableBalance !== '' ? num(acct.totalAvailableBalance) : fallbackAvail;
      return { equity, available: Math.max(0, available) };
    },

    onExecution(sink: (e: Execution) => void | Promise<void>): void {
      execSink = sink;
    },

    onOrderUpdate(sink: (o: OrderUpdate) => void | Promise<void>): void {
      orderSink = sink;
    },

    async catchUp(since: number): Promise<number> {
      if (!execSink) throw new DeskError('INTERNAL', {}, 'bybit: catch-up before an execution sink was registered');
      const { listed, refused } = await deliverSince(since, true);
      if (refused > 0) throw new DeskError('INTERNAL', { refused }, 'bybit: the desk could not record every caught-up execution');
      return listed;
    },

    async onBar(_bar: Bar): Promise<void> {
      // Live stops and targets live on the exchange; nothing to simulate.
    },

    drain(): Promise<void> {
      return router.idle();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (ws) {
        ws.removeAllListeners();
        ws.closeAll(true);
        ws = null;
      }
      for (const [, list] of fillWaiters) for (const w of list) w(false);
      fillWaiters.clear();
    },
  };
  return broker;
}
