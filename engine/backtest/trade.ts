import type { Interval, Side } from '../schemas.ts';

/** One finished round trip as the backtest (or a shadow ledger) reports it; money in USDT. */
export interface TradeRecord {
  symbol: string;
  interval: Interval;
  strategy: string;
  side: Side;
  openedAt: number;
  closedAt: number;
  entryPrice: number;
  /** Initial quantity (base coin). */
  qty: number;
  /** Entry notional: entryPrice × qty. */
  notional: number;
  /** Price PnL of every close, before fees and funding. */
  grossPnl: number;
  /** Trading fees of the entry and every close. */
  fees: number;
  /** Net funding paid while open (positive = paid, negative = received). */
  funding: number;
  /** grossPnl − fees − funding. */
  netPnl: number;
  /** netPnl as % of the entry notional. */
  pnlPct: number;
  /** Why it closed: stop | target | close | end. */
  closeReason: string;
}

/**
 * Builds a TradeRecord from its parts, computing netPnl and pnlPct (0 for a zero notional); never throws.
 */
export function tradeRecord(t: Omit<TradeRecord, 'notional' | 'netPnl' | 'pnlPct'>): TradeRecord {
  const notional = t.entryPrice * t.qty;
  const netPnl = t.grossPnl - t.fees - t.funding;
  // One literal in a fixed key order (one hidden class; reports print the keys in this order).
  return {
    symbol: t.symbol,
    interval: t.interval,
    strategy: t.strategy,
    side: t.side,
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    entryPrice: t.entryPrice,
    qty: t.qty,
    grossPnl: t.grossPnl,
    fees: t.fees,
    funding: t.funding,
    closeReason: t.closeReason,
    notional,
    netPnl,
    pnlPct: notional > 0 ? (netPnl / notional) * 100 : 0,
  };
}

/** Orders trades by close time, then open time, symbol, strategy (a total order for reproducible output). */
export function byClose(a: TradeRecord, b: TradeRecord): number {
  return (
    a.closedAt - b.closedAt ||
    a.openedAt - b.openedAt ||
    (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
    (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0) ||
    (a.interval < b.interval ? -1 : a.interval > b.interval ? 1 : 0)
  );
}
