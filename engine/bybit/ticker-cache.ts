import type { Quote } from '../market/types.ts';

/** The ticker fields the desk reads from a REST /v5/market/tickers row. */
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

/** The ticker state of one symbol, numbers parsed; `ts` is when the desk asked for the row it came from. */
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

/** A present, non-empty, finite numeric field, or null (absent, empty, or not a number). */
function num(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Keeps the latest ticker row per symbol, each replacing the one before whole (an empty bid or ask in
 * a REST row means the book has none now, not "unchanged"), and drops a row asked for before the one
 * it holds (a slow snapshot answered after a newer one-symbol request): rows are ordered by the
 * sequence number of their request, not by the clock. Quotes need bid, ask, last and mark all
 * positive. Never throws.
 */
export class TickerCache {
  private readonly map = new Map<string, TickerState>();
  /** Per symbol, the request number of the row held. */
  private readonly seqs = new Map<string, number>();

  /** Stores `t` as the state of its symbol, asked for at `ts` (desk clock) by request number `seq`; ignores rows without a symbol and rows of an earlier request than the one held. */
  apply(t: VendorTicker, ts: number, seq: number): void {
    const symbol = t.symbol;
    if (!symbol) return;
    const held = this.seqs.get(symbol);
    if (held !== undefined && seq < held) return;
    this.seqs.set(symbol, seq);
    const next = num(t.nextFundingTime);
    const hours = num(t.fundingIntervalHour);
    this.map.set(symbol, {
      symbol,
      last: num(t.lastPrice) ?? 0,
      mark: num(t.markPrice) ?? 0,
      index: num(t.indexPrice) ?? 0,
      bid: num(t.bid1Price) ?? 0,
      ask: num(t.ask1Price) ?? 0,
      turnover24h: num(t.turnover24h) ?? 0,
      fundingRate: num(t.fundingRate),
      nextFundingTime: next !== null && next > 0 ? next : null,
      fundingIntervalMs: hours !== null && hours > 0 ? hours * 3_600_000 : 8 * 3_600_000,
      ts,
    });
  }

  /** The state of `symbol`, or null. */
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
