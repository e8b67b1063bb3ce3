import type { Quote } from '../market/types.ts';

/** The ticker fields the desk reads (a REST /v5/market/tickers row; a WS tickers.* snapshot or delta has the same names). */
export interface VendorTicker {
  symbol?: string;
  lastPrice?: string;
  markPrice?: string;
  indexPrice?: string;
  bid1Price?: string;
  ask1Price?: string;
  turnover24h?: string;
  fundingRate?: string;
  nextFundingTime?: string;
  fundingIntervalHour?: string;
}

/** The merged ticker state of one symbol, numbers parsed; `ts` is when the desk asked for its newest update. */
export interface TickerState {
  symbol: string;
  last: number;
  mark: number;
  index: number;
  bid: number;
  ask: number;
  turnover24h: number;
  fundingRate: number | null;
  nextFundingTime: number | null;
  fundingIntervalMs: number;
  ts: number;
}

/** A present, non-empty, finite numeric field, or null (absent from a delta, empty, or not a number). */
function num(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Keeps the latest ticker per symbol, merging updates (only fields present and non-empty overwrite, so
 * a WS delta works as well as a full REST row) and dropping one older than what it holds (a slow
 * snapshot answered after a newer one-symbol request); hands out quotes only when bid, ask, last and
 * mark are all known and positive. Never throws.
 */
export class TickerCache {
  private readonly map = new Map<string, TickerState>();

  /** Merges one ticker update as of `ts` (desk clock); ignores rows without a symbol and updates older than the state held. */
  apply(t: VendorTicker, ts: number, symbolHint?: string): void {
    const symbol = t.symbol || symbolHint;
    if (!symbol) return;
    let cur = this.map.get(symbol);
    if (!cur) {
      cur = { symbol, last: 0, mark: 0, index: 0, bid: 0, ask: 0, turnover24h: 0, fundingRate: null, nextFundingTime: null, fundingIntervalMs: 8 * 3_600_000, ts };
      this.map.set(symbol, cur);
    } else if (ts < cur.ts) return;
    // A snapshot carries every symbol: each field is read without a closure per call.
    let n = num(t.lastPrice);
    if (n !== null) cur.last = n;
    if ((n = num(t.markPrice)) !== null) cur.mark = n;
    if ((n = num(t.indexPrice)) !== null) cur.index = n;
    if ((n = num(t.bid1Price)) !== null) cur.bid = n;
    if ((n = num(t.ask1Price)) !== null) cur.ask = n;
    if ((n = num(t.turnover24h)) !== null) cur.turnover24h = n;
    if ((n = num(t.fundingRate)) !== null) cur.fundingRate = n;
    if ((n = num(t.nextFundingTime)) !== null) cur.nextFundingTime = n > 0 ? n : null;
    if ((n = num(t.fundingIntervalHour)) !== null && n > 0) cur.fundingIntervalMs = n * 3_600_000;
    cur.ts = ts;
  }

  /** The merged state of `symbol`, or null. */
  get(symbol: string): TickerState | null {
    return this.map.get(symbol) ?? null;
  }

  /** A quote for `symbol`, or null until bid, ask, last and mark are all known. */
  quote(symbol: string): Quote | null {
    const t = this.map.get(symbol);
    if (!t || !(t.bid > 0 && t.ask > 0 && t.last > 0 && t.mark > 0)) return null;
    return { symbol, bid: t.bid, ask: t.ask, last: t.last, mark: t.mark, ts: t.ts, source: 'bybit' };
  }

  /**
   * The funding rate for `at`: a live ticker only knows the running period's rate (settled at
   * nextFundingTime), so it is returned for any `at` within a day of that settlement, else null.
   */
  funding(symbol: string, at: number): number | null {
    const t = this.map.get(symbol);
    if (!t || t.fundingRate === null) return null;
    if (t.nextFundingTime === null) return t.fundingRate;
    return Math.abs(at - t.nextFundingTime) <= 86_400_000 ? t.fundingRate : null;
  }
}
