import type { Interval } from '../schemas.ts';

/** One closed candle. `start` is the candle open time (UTC epoch ms); volume is in the base coin. */
export interface Bar {
  symbol: string;
  interval: Interval;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The six columns of one series' bars (index 0 = oldest), as a CSV loads them and the kline store keeps them. */
export interface OhlcvColumns {
  start: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Trading rules of one linear instrument (from Bybit instruments-info, or the bundled defaults). */
export interface Instrument {
  symbol: string;
  tickSize: number;
  qtyStep: number;
  minQty: number;
  minNotional: number;
  maxLeverage: number;
  status: 'Trading' | 'PreLaunch' | 'Settling' | 'Closed';
}

/** A price observation the desk may trade at; `ts` is when the desk received it (epoch ms); source 'bar' = a level a closed bar traded through. */
export interface Quote {
  symbol: string;
  bid: number;
  ask: number;
  last: number;
  mark: number;
  ts: number;
  source: 'replay' | 'bybit' | 'bar';
}

/** Called for each closed bar, in order per symbol × interval; may be async (the feed awaits it). */
export type BarHandler = (bar: Bar) => void | Promise<void>;

/**
 * Called when a burst of bars is over: every bar handed to the BarHandler so far has been handled and
 * none is queued (the place to commit work batched across bars). Must not throw; a throw is logged.
 */
export type IdleHandler = () => void;

/**
 * The MarketFeed port: where closed bars, quotes and funding come from (replay files or Bybit).
 * Methods reject with DeskError EXCHANGE_UNAVAILABLE when the source cannot be reached.
 */
export interface MarketFeed {
  /** Which implementation this is. */
  readonly kind: 'replay' | 'bybit';
  /** Instruments of the universe; an unknown symbol is simply absent. */
  instruments(symbols: readonly string[]): Promise<Instrument[]>;
  /** The most recent `limit` closed bars before the live stream starts, ascending by start. */
  history(symbol: string, interval: Interval, limit: number): Promise<Bar[]>;
  /** Starts delivering closed bars (after history) to `onBar`, and burst ends to `onIdle`; resolves once streaming has begun. */
  start(onBar: BarHandler, onIdle?: IdleHandler): Promise<void>;
  /** Stops delivering bars and releases sockets and timers; idempotent. */
  stop(): Promise<void>;
  /** The last quote seen for `symbol` (it may be seconds old), or null if none has been seen. */
  quote(symbol: string): Quote | null;
  /**
   * A quote for `symbol` taken now, for placing an order (Bybit: one REST ticker request, shared by the
   * asks of the same half second; replay: the current quote), or null when the venue has none for it;
   * `ts` is when it was asked for. Rejects with DeskError EXCHANGE_UNAVAILABLE & co, SHUTTING_DOWN after stop().
   */
  freshQuote(symbol: string): Promise<Quote | null>;
  /** The funding rate in force for `symbol` at `at` (epoch ms), or null when unknown. */
  funding(symbol: string, at: number): number | null;
  /** Milliseconds since the feed last delivered anything, or null before the first bar. */
  lagMs(): number | null;
}
