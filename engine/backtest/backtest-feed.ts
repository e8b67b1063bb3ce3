import type { Interval } from '../schemas.ts';
import { barAt as marketBarAt } from '../market/bar-at.ts';
import type { Bar, BarHandler, Instrument, MarketFeed, Quote } from '../market/types.ts';
import type { BacktestSeries } from './data.ts';
import type { FundingFile } from '../market/csv.ts';
import { FundingStore } from '../market/funding-store.ts';
import { quoteAsk, quoteBid } from './desk-rules.ts';

/** A row of a series as a Bar. */
export function barAt(s: BacktestSeries, i: number): Bar {
  return marketBarAt(s.data, i, s.symbol, s.interval);
}

/**
 * The MarketFeed a backtest desk runs on: history() hands out each series' warm-up rows, bars are
 * pushed by the backtest runner (not by a timer), and quotes are whatever the runner last observed
 * (setQuote: a price with the same synthetic half-tick spread as the replay feed). Funding is the
 * rate settled at or before the asked time. Never throws.
 */
export class BacktestFeed implements MarketFeed {
  readonly kind = 'replay' as const;
  private readonly quotes = new Map<string, Quote>();
  private readonly fundingStore = new FundingStore();
  private readonly tick: Map<string, number>;

  /** Wraps the loaded series, instruments and funding files. */
  constructor(
    private readonly series: readonly BacktestSeries[],
    private readonly rules: readonly Instrument[],
    funding: ReadonlyMap<string, FundingFile>,
  ) {
    this.tick = new Map(rules.map((i) => [i.symbol, i.tickSize]));
    for (const [symbol, f] of funding) this.fundingStore.set(symbol, f.time.subarray(0, f.length), f.rate.subarray(0, f.length));
  }

  /** Instrument rules of the requested symbols. */
  async instruments(symbols: readonly string[]): Promise<Instrument[]> {
    return this.rules.filter((i) => symbols.includes(i.symbol));
  }

  /** The last `limit` warm-up bars of the series (all before its traded window). */
  async history(symbol: string, interval: Interval, limit: number): Promise<Bar[]> {
    const s = this.series.find((x) => x.symbol === symbol && x.interval === interval);
    if (!s) return [];
    const out: Bar[] = [];
    for (let i = Math.max(s.warmFrom, s.from - limit); i < s.from; i++) out.push(barAt(s, i));
    return out;
  }

  /** Bars are pushed by the runner; nothing to start. */
  async start(_onBar: BarHandler): Promise<void> {}

  /** Nothing to release. */
  async stop(): Promise<void> {}

  /** The last observed price of `symbol` as a quote, or null. */
  quote(symbol: string): Quote | null {
    return this.quotes.get(symbol) ?? null;
  }

  /** The recorded quote (a backtest has nothing fresher to ask for); never rejects. */
  freshQuote(symbol: string): Promise<Quote | null> {
    return Promise.resolve(this.quote(symbol));
  }

  /**
   * Records `price` as the quote of `symbol` observed at `ts`: bid/ask = price ∓ half a tick (rounded
   * to half-tick decimals), last = mark = price.
   */
  setQuote(symbol: string, price: number, ts: number): Quote {
    const tick = this.tick.get(symbol) ?? 0;
    const q: Quote = {
      symbol,
      bid: quoteBid(price, tick),
      ask: quoteAsk(price, tick),
      last: price,
      mark: price,
      ts,
      source: 'replay',
    };
    this.quotes.set(symbol, q);
    return q;
  }

  /** Funding rate settled at or before `at` (null when unknown or stale). */
  funding(symbol: string, at: number): number | null {
    return this.fundingStore.rateAt(symbol, at);
  }

  /** Always fresh: the runner drives time. */
  lagMs(): number | null {
    return 0;
  }
}
