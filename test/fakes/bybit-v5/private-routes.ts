import { BybitError } from './envelope.ts';
import type { Exchange } from './exchange.ts';
import type { OrderRecord } from './records.ts';
import { restExecution, restOrderHistory, restOrderRealtime, restPosition, restWallet, type AccountView, type Fmt } from './serializers.ts';

/** API key permissions as /v5/user/query-api reports them (Bybit group names). */
export interface ApiPermissions {
  ContractTrade: string[];
  Spot: string[];
  Wallet: string[];
  Options: string[];
  Derivatives: string[];
  CopyTrading: string[];
  BlockTrade: string[];
  Exchange: string[];
  NFT: string[];
  Affiliate: string[];
  Earn: string[];
}

/** A trade-only key: contract orders and positions, no wallet transfer or withdrawal rights. */
export const DEFAULT_PERMISSIONS: ApiPermissions = {
  ContractTrade: ['Order', 'Position'],
  Spot: [],
  Wallet: [],
  Options: [],
  Derivatives: ['DerivativesTrade'],
  CopyTrading: [],
  BlockTrade: [],
  Exchange: [],
  NFT: [],
  Affiliate: [],
  Earn: [],
};

/** The API key as the fake describes it to /v5/user/query-api. */
export interface KeyInfo {
  apiKey: string;
  readOnly: 0 | 1;
  ips: string[];
  permissions: ApiPermissions;
}

/** What the private handlers need: the exchange, formatters and the key description. */
export interface PrivateContext {
  ex: Exchange;
  view: AccountView;
  fmt: (symbol: string) => Fmt;
  known: (symbol: string) => boolean;
  key: KeyInfo;
  wallNow: () => number;
}

type Params = Record<string, unknown>;

function s(p: Params, k: string): string | undefined {
  const v = p[k];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function needLinear(p: Params): void {
  if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
}

function needPermission(ctx: PrivateContext, right: 'Order' | 'Position'): void {
  if (ctx.key.readOnly === 1 || !ctx.key.permissions.ContractTrade.includes(right)) throw new BybitError(10005);
}

function page<T>(items: T[], p: Params, max: number, dflt: number): { slice: T[]; next: string } {
  const limitRaw = s(p, 'limit');
  const limit = limitRaw === undefined ? dflt : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new BybitError(10001, 'params error: limit invalid');
  const cursor = s(p, 'cursor');
  const offset = cursor ? Number(/^offset%3D(\d+)$|^offset=(\d+)$/.exec(cursor)?.slice(1).find((x) => x !== undefined) ?? NaN) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new BybitError(10001, 'params error: cursor invalid');
  const slice = items.slice(offset, offset + limit);
  return { slice, next: offset + limit < items.length ? `offset%3D${offset + limit}` : '' };
}

/** GET /v5/user/query-api: the key's permissions (secret always ""); never throws. */
export function queryApi(ctx: PrivateContext): unknown {
  const created = new Date(ctx.wallNow() - 10 * 86_400_000);
  return {
    id: '10000001',
    note: 'signal-desk fake',
    apiKey: ctx.key.apiKey,
    readOnly: ctx.key.readOnly,
    secret: '',
    permissions: ctx.key.permissions,
    ips: ctx.key.ips,
    type: 1,
    deadlineDay: ctx.key.ips.includes('*') ? 80 : -1,
    expiredAt: ctx.key.ips.includes('*') ? new Date(created.getTime() + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z') : '',
    createdAt: created.toISOString().replace(/\.\d+Z$/, 'Z'),
    unified: 0,
    uta: 1,
    userID: 10000001,
    inviterID: 0,
    vipLevel: 'No VIP',
    mktMakerLevel: '0',
    affiliateID: 0,
    rsaPublicKey: '',
    isMaster: true,
    parentUid: '0',
    kycLevel: 'LEVEL_1',
    kycRegion: '',
  };
}

/** GET /v5/account/wallet-balance (accountType UNIFIED only); throws BybitError 10001 otherwise. */
export function walletBalance(ctx: PrivateContext, p: Params): unknown {
  if (s(p, 'accountType') !== 'UNIFIED') throw new BybitError(10001, 'accountType only support UNIFIED');
  const coin = s(p, 'coin');
  const w = restWallet(ctx.ex) as { coin: { coin: string }[] };
  if (coin) w.coin = w.coin.filter((c) => coin.split(',').includes(c.coin));
  return { list: [w] };
}

/** GET /v5/position/list: one symbol (also when flat) or every open position of settleCoin USDT; throws BybitError 10001 on bad params. */
export function positionList(ctx: PrivateContext, p: Params): unknown {
  needLinear(p);
  const symbol = s(p, 'symbol');
  const settle = s(p, 'settleCoin');
  if (!symbol && !settle) throw new BybitError(10001, 'Missing some parameters that must be filled in, symbol or settleCoin');
  let list;
  if (symbol) {
    if (!ctx.known(symbol)) throw new BybitError(10001, 'params error: symbol invalid');
    list = [ctx.ex.position(symbol)];
  } else {
    list = settle === 'USDT' ? [...ctx.ex.state.positions.values()].filter((x) => x.size > 0) : [];
  }
  const { slice, next } = page(list, p, 200, 20);
  return { list: slice.map((x) => restPosition(x, ctx.view)), nextPageCursor: next, category: 'linear' };
}

function orderFilter(p: Params, o: OrderRecord): boolean {
  const symbol = s(p, 'symbol');
  const id = s(p, 'orderId');
  const link = s(p, 'orderLinkId');
  const baseCoin = s(p, 'baseCoin');
  if (symbol && o.symbol !== symbol) return false;
  if (baseCoin && !o.symbol.startsWith(baseCoin)) return false;
  if (id && o.orderId !== id) return false;
  if (link && o.orderLinkId !== link) return false;
  const filter = s(p, 'orderFilter');
  if (filter === 'Order' && o.stopOrderType !== '') return false;
  if ((filter === 'StopOrder' || filter === 'tpslOrder') && o.stopOrderType === '') return false;
  return true;
}

function newestFirst(a: OrderRecord, b: OrderRecord): number {
  return b.createdTime - a.createdTime || b.updatedTime - a.updatedTime;
}

/**
 * GET /v5/order/realtime: open orders (and the position TP/SL conditionals); by orderId/orderLinkId
 * (or openOnly=1) also recently closed ones. Needs symbol, baseCoin or settleCoin; throws BybitError 10001.
 */
export function orderRealtime(ctx: PrivateContext, p: Params): unknown {
  needLinear(p);
  if (!s(p, 'symbol') && !s(p, 'baseCoin') && !s(p, 'settleCoin')) {
    throw new BybitError(10001, 'Missing some parameters that must be filled in, symbol or settleCoin or baseCoin');
  }
  const byId = Boolean(s(p, 'orderId') || s(p, 'orderLinkId'));
  const openOnly = s(p, 'openOnly') ?? '0';
  const open = new Set(['New', 'PartiallyFilled', 'Untriggered']);
  const list = ctx.ex.state.orders
    .filter((o) => orderFilter(p, o) && (byId || openOnly !== '0' || open.has(o.orderStatus)))
    .sort(newestFirst);
  const { slice, next } = page(list, p, 50, 20);
  return { list: slice.map((o) => restOrderRealtime(o, ctx.fmt(o.symbol))), nextPageCursor: next, category: 'linear' };
}

/** GET /v5/order/history: every order incl. closed, newest first, with status/time filters; throws BybitError 10001 on bad params. */
export function orderHistory(ctx: PrivateContext, p: Params): unknown {
  needLinear(p);
  const status = s(p, 'orderStatus');
  const start = s(p, 'startTime');
  const end = s(p, 'endTime');
  const list = ctx.ex.state.orders
    .filter((o) => orderFilter(p, o) && (!status || o.orderStatus === status) && (!start || o.createdTime >= Number(start)) && (!end || o.createdTime <= Number(end)))
    .sort(newestFirst);
  const { slice, next } = page(list, p, 50, 20);
  return { list: slice.map((o) => restOrderHistory(o, ctx.fmt(o.symbol))), nextPageCursor: next, category: 'linear' };
}

/** The longest time range one /v5/execution/list query covers (Bybit's docs: 7 days). */
const EXECUTION_RANGE_MS = 7 * 86_400_000;

/**
 * The [from, to] execTime range of an execution query as Bybit documents it: neither bound → the last
 * 7 days; startTime only → 7 days from it; endTime only → the 7 days before it; both → at most 7 days
 * apart (else 10001). Throws BybitError 10001 on a malformed or too wide range.
 */
function executionRange(p: Params, now: number): [number, number] {
  const start = s(p, 'startTime');
  const end = s(p, 'endTime');
  const from = start === undefined ? undefined : Number(start);
  const to = end === undefined ? undefined : Number(end);
  if ((from !== undefined && !Number.isInteger(from)) || (to !== undefined && !Number.isInteger(to))) throw new BybitError(10001, 'params error: time invalid');
  if (from !== undefined && to !== undefined) {
    if (to < from || to - from > EXECUTION_RANGE_MS) throw new BybitError(10001, 'params error: the time range must be within 7 days');
    return [from, to];
  }
  if (from !== undefined) return [from, from + EXECUTION_RANGE_MS];
  if (to !== undefined) return [to - EXECUTION_RANGE_MS, to];
  return [now - EXECUTION_RANGE_MS, now];
}

/** GET /v5/execution/list: fills newest first with symbol/order filters, within Bybit's 7-day time range, limit 1..100; throws BybitError 10001 on bad params. */
export function executionList(ctx: PrivateContext, p: Params): unknown {
  needLinear(p);
  const symbol = s(p, 'symbol');
  const id = s(p, 'orderId');
  const link = s(p, 'orderLinkId');
  const [from, to] = executionRange(p, ctx.wallNow());
  const execType = s(p, 'execType');
  const list = ctx.ex.state.executions
    .filter(
      (e) =>
        (!symbol || e.symbol === symbol) &&
        (!id || e.orderId === id) &&
        (!link || e.orderLinkId === link) &&
        e.execTime >= from &&
        e.execTime <= to &&
        (!execType || execType === 'Trade'),
    )
    .sort((a, b) => b.execTime - a.execTime || b.seq - a.seq);
  const { slice, next } = page(list, p, 100, 50);
  return { nextPageCursor: next, category: 'linear', list: slice.map((e) => restExecution(e, ctx.fmt(e.symbol))) };
}

/** POST handlers that change state, gated by the key's ContractTrade rights (10005 when missing). */
export const mutations = {
  /** POST /v5/order/create. */
  create: (ctx: PrivateContext, p: Params) => (needPermission(ctx, 'Order'), ctx.ex.createOrder(p)),
  /** POST /v5/order/cancel. */
  cancel: (ctx: PrivateContext, p: Params) => (needPermission(ctx, 'Order'), ctx.ex.cancelOrder(p)),
  /** POST /v5/order/cancel-all. */
  cancelAll: (ctx: PrivateContext, p: Params) => (needPermission(ctx, 'Order'), ctx.ex.cancelAll(p)),
  /** POST /v5/position/set-leverage. */
  setLeverage: (ctx: PrivateContext, p: Params) => (needPermission(ctx, 'Position'), ctx.ex.setLeverage(p)),
  /** POST /v5/position/trading-stop. */
  tradingStop: (ctx: PrivateContext, p: Params) => (needPermission(ctx, 'Position'), ctx.ex.tradingStop(p)),
};
