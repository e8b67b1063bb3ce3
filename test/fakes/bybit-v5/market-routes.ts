import { BybitError } from './envelope.ts';
import { instrumentItem, type InstrumentSpec } from './instruments.ts';
import { lastAtOrBefore } from './kline-data.ts';
import type { SymbolMarket } from './symbol-market.ts';
import { restTicker } from './tickers.ts';

/** What the public REST handlers read: the replayed markets, their rules and the wall clock. */
export interface MarketContext {
  markets: Map<string, SymbolMarket>;
  specs: Map<string, InstrumentSpec>;
  wallNow: () => number;
  /** Symbols whose order book is empty: their REST tickers carry '' for bid/ask price and size (as Bybit's do then). */
  emptyBooks: Set<string>;
}

type Params = Record<string, unknown>;

function str(p: Params, k: string): string | undefined {
  const v = p[k];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function int(p: Params, k: string): number | undefined {
  const v = str(p, k);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new BybitError(10001, `params error: ${k} invalid`);
  return Number(v);
}

function linearOnly(p: Params, required: boolean): void {
  const c = str(p, 'category');
  if (c === undefined && !required) return;
  if (c !== 'linear') throw new BybitError(10001, 'Illegal category');
}

/** Resolves a known symbol's market or throws BybitError 10001 ("Not supported symbols"). */
export function marketOf(ctx: MarketContext, symbol: string | undefined): SymbolMarket {
  const m = symbol ? ctx.markets.get(symbol) : undefined;
  if (!m) throw new BybitError(10001, 'Not supported symbols');
  return m;
}

/** GET /v5/market/time: wall-clock server time; never throws. */
export function getTime(ctx: MarketContext): unknown {
  const now = ctx.wallNow();
  return { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
}

/** GET /v5/market/instruments-info (linear): every loaded symbol, status Trading; throws BybitError 10001 on a bad category/symbol. */
export function getInstruments(ctx: MarketContext, p: Params): unknown {
  linearOnly(p, true);
  const symbol = str(p, 'symbol');
  const status = str(p, 'status');
  const all = [...ctx.specs.values()];
  let list = symbol ? all.filter((s) => s.symbol === symbol) : all;
  if (status && status !== 'Trading') list = [];
  return { category: 'linear', list: list.map((s) => instrumentItem(s, all.indexOf(s) + 1)), nextPageCursor: '' };
}

/** GET /v5/market/tickers (linear): one or every symbol at its market time; throws BybitError 10001 on a bad category/symbol. */
export function getTickers(ctx: MarketContext, p: Params): unknown {
  linearOnly(p, true);
  const symbol = str(p, 'symbol');
  const markets = symbol ? [marketOf(ctx, symbol)] : [...ctx.markets.values()];
  const row = (m: SymbolMarket) => {
    const t = restTicker(m, ctx.specs.get(m.symbol)!);
    return ctx.emptyBooks.has(m.symbol) ? { ...t, bid1Price: '', bid1Size: '', ask1Price: '', ask1Size: '' } : t;
  };
  return { category: 'linear', list: markets.map(row) };
}

/**
 * GET /v5/market/kline: real klines visible at the symbol's market time, newest first, limit 1..1000
 * (default 200), start/end filters; throws BybitError 10001 on bad symbol/interval/limit.
 */
export function getKline(ctx: MarketContext, p: Params): unknown {
  linearOnly(p, false);
  const m = marketOf(ctx, str(p, 'symbol'));
  const interval = str(p, 'interval');
  if (!interval) throw new BybitError(10001, 'params error: interval is required');
  const limitRaw = int(p, 'limit') ?? 200;
  if (limitRaw < 1) throw new BybitError(10001, 'params error: limit invalid');
  const rows = m.klines(interval, { start: int(p, 'start'), end: int(p, 'end'), limit: Math.min(1000, limitRaw) });
  if (!rows) throw new BybitError(10001, 'Invalid period!');
  return {
    symbol: m.symbol,
    category: 'linear',
    list: rows.map((b) => [String(b.start), b.open, b.high, b.low, b.close, b.volume, b.turnover]),
  };
}

/**
 * GET /v5/market/funding/history: recorded settlements up to market time, newest first, limit 1..200;
 * startTime alone is rejected like Bybit (10001); throws BybitError 10001 on a bad symbol.
 */
export function getFundingHistory(ctx: MarketContext, p: Params): unknown {
  linearOnly(p, true);
  const m = marketOf(ctx, str(p, 'symbol'));
  const startTime = int(p, 'startTime');
  const endTime = int(p, 'endTime');
  if (startTime !== undefined && endTime === undefined) throw new BybitError(10001, 'params error: endTime is required when startTime is set');
  const limit = Math.min(200, Math.max(1, int(p, 'limit') ?? 200));
  const f = m.funding;
  const list: { symbol: string; fundingRate: string; fundingRateTimestamp: string }[] = [];
  if (f) {
    const hi = lastAtOrBefore(f.time, Math.min(m.now(), endTime ?? Infinity));
    for (let i = hi; i >= 0 && list.length < limit; i--) {
      if (startTime !== undefined && f.time[i] < startTime) break;
      list.push({ symbol: m.symbol, fundingRate: f.rate[i], fundingRateTimestamp: String(f.time[i]) });
    }
  }
  return { category: 'linear', list };
}
