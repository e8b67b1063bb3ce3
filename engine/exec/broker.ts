import type { Side } from '../schemas.ts';
import type { Bar, Instrument, Quote } from '../market/types.ts';

/** An order the desk asks a broker to place. Prices and quantities are already rounded to the instrument. */
export interface OrderRequest {
  orderLinkId: string;
  symbol: string;
  side: Side;
  qty: number;
  type: 'Market' | 'Limit';
  price?: number;
  reduceOnly: boolean;
  /** Exchange-attached stop (entries only). */
  stopLoss?: number;
  /** Exchange-attached take-profit levels with the quantity each closes (entries only). */
  takeProfits?: { price: number; qty: number }[];
  leverage?: number;
  /** The quote snapshot the desk validated; the paper broker fills only at it. */
  quote: Quote & { id: number };
  instrument: Instrument;
}

/** What the broker reports back for a placed order. */
export interface OrderAck {
  orderId: string;
  orderLinkId: string;
  status: 'filled' | 'accepted';
  /** True when the venue already had this orderLinkId and returned the existing order. */
  duplicate: boolean;
}

/** One execution (fill) reported by a venue; paper fills reference the quote snapshot they used. */
export interface Execution {
  execId: string;
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  fee: number;
  reduceOnly: boolean;
  /** 'entry' | 'stop' | 'target' | 'close' | 'liquidation' — why the venue executed. */
  kind: 'entry' | 'stop' | 'target' | 'close' | 'liquidation';
  quoteId: number | null;
  at: number;
}

/** A position as the venue sees it (for reconciliation). */
export interface VenuePosition {
  symbol: string;
  side: Side;
  qty: number;
  entryPrice: number;
  stopLoss: number | null;
  leverage: number;
  /** The venue's time of the position's last change (Bybit `updatedTime`, epoch ms): every fill it holds is at or before it; null or absent when not given. */
  updatedAt?: number | null;
}

/** Wallet as the venue sees it, in USDT. */
export interface VenueBalance {
  equity: number;
  available: number;
}

/** An order as the venue reports it: its status word, what it filled, and whether it is over (`final`: filled, cancelled, rejected or expired; the venue will fill no more of it). */
export interface VenueOrder {
  orderId: string;
  status: string;
  filledQty: number;
  avgPrice: number | null;
  final: boolean;
  /** The venue's time of the order's last change (Bybit `updatedTime`, epoch ms): its fills so far are at or before it; null or absent when not given. */
  updatedAt?: number | null;
}

/**
 * The Broker port: paper and live are two adapters, never `if (paper)` branches. Methods reject with
 * DeskError (EXCHANGE_REJECTED, INSUFFICIENT_BALANCE, UNKNOWN_OUTCOME, EXCHANGE_UNAVAILABLE, ...).
 */
export interface Broker {
  /** Which ledger this broker writes to. */
  readonly mode: 'paper' | 'live';
  /** Places an order idempotently by `orderLinkId`; executions arrive through `onExecution`. */
  place(req: OrderRequest): Promise<OrderAck>;
  /** Moves the exchange-side stop of the position on `symbol`; resolves false if nothing changed. */
  setStop(symbol: string, side: Side, stop: number): Promise<boolean>;
  /** Cancels every open (non-position) order on `symbol`; resolves the number cancelled. */
  cancelAll(symbol: string): Promise<number>;
  /** Venue positions, for reconciliation. */
  positions(): Promise<VenuePosition[]>;
  /** Looks an order up by its orderLinkId; null when the venue never saw it. */
  findOrder(orderLinkId: string): Promise<VenueOrder | null>;
  /** Wallet equity and available balance. */
  balance(): Promise<VenueBalance>;
  /** Registers the single execution sink (the desk); executions are delivered in venue order. */
  onExecution(sink: (e: Execution) => void | Promise<void>): void;
  /**
   * Hands the sink, in venue order, every execution the venue lists at or after `since` (epoch ms; a
   * live venue reads back 30 days at most), so fills made while the desk was down or its stream was
   * cut reach the ledger (which skips exec ids it holds). Resolves how many the venue listed, once
   * the sink took them all (0 for a simulated venue, which misses nothing). Rejects with DeskError
   * when the venue cannot be read or its list does not end, when no sink is registered yet, or when
   * the sink refused one (those before it stay recorded; it and those after it are offered again by
   * the next catch-up).
   */
  catchUp(since: number): Promise<number>;
  /**
   * Lets a simulated venue trigger attached stops / targets on a closed bar; live brokers ignore it.
   * Returns a promise only when the bar triggered something to wait for (most bars trigger nothing).
   */
  onBar(bar: Bar): Promise<void> | void;
  /** Releases sockets and timers; idempotent. */
  close(): Promise<void>;
}
