import { decimalsOf, fixed, money } from './decimal.ts';
import type { InstrumentSpec } from './instruments.ts';
import type { SymbolMarket } from './symbol-market.ts';

const EIGHT_HOURS = 8 * 3_600_000;

/** Best bid/ask the fake shows: bid = last, ask = last + one tick (sizes = max market order qty). */
export function bookOf(m: SymbolMarket, spec: InstrumentSpec): { bid: string; ask: string; size: string } {
  const d = decimalsOf(spec.tickSize);
  const last = m.last();
  return { bid: fixed(last, d), ask: fixed(last + Number(spec.tickSize), d), size: spec.maxMktOrderQty };
}

function common(m: SymbolMarket, spec: InstrumentSpec) {
  const d = decimalsOf(spec.tickSize);
  const last = m.last();
  const day = m.stats(86_400_000);
  const hour = m.stats(3_600_000);
  const book = bookOf(m, spec);
  const now = m.now();
  return {
    lastPrice: fixed(last, d),
    markPrice: fixed(last, d),
    indexPrice: fixed(last, d),
    prevPrice24h: fixed(day.prev, d),
    price24hPcnt: (day.prev > 0 ? (last - day.prev) / day.prev : 0).toFixed(6),
    highPrice24h: fixed(day.high, d),
    lowPrice24h: fixed(day.low, d),
    prevPrice1h: fixed(hour.prev, d),
    openInterest: '0',
    openInterestValue: '0',
    turnover24h: money(day.turnover),
    volume24h: money(day.volume),
    fundingRate: m.fundingRate() ?? '',
    nextFundingTime: String(Math.floor(now / EIGHT_HOURS) * EIGHT_HOURS + EIGHT_HOURS),
    bid1Price: book.bid,
    bid1Size: book.size,
    ask1Price: book.ask,
    ask1Size: book.size,
  };
}

/** The /v5/market/tickers list item for a linear perpetual (key set of the docs' linear/inverse table); never throws. */
export function restTicker(m: SymbolMarket, spec: InstrumentSpec): Record<string, string> {
  const c = common(m, spec);
  return {
    symbol: m.symbol,
    lastPrice: c.lastPrice,
    indexPrice: c.indexPrice,
    markPrice: c.markPrice,
    prevPrice24h: c.prevPrice24h,
    price24hPcnt: c.price24hPcnt,
    highPrice24h: c.highPrice24h,
    lowPrice24h: c.lowPrice24h,
    prevPrice1h: c.prevPrice1h,
    openInterest: c.openInterest,
    openInterestValue: c.openInterestValue,
    turnover24h: c.turnover24h,
    volume24h: c.volume24h,
    fundingRate: c.fundingRate,
    nextFundingTime: c.nextFundingTime,
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    ask1Size: c.ask1Size,
    bid1Price: c.bid1Price,
    ask1Price: c.ask1Price,
    bid1Size: c.bid1Size,
    basis: '',
    preOpenPrice: '',
    preQty: '',
    curPreListingPhase: '',
    fundingIntervalHour: '8',
    basisRateYear: '',
    fundingCap: '0.005',
  };
}

/** Tick direction of the cursor bar against the previous close (Bybit's four values); never throws. */
function tickDirection(m: SymbolMarket): string {
  const i = m.cursor;
  if (i === 0) return 'ZeroPlusTick';
  const prev = m.base.close[i - 1];
  const last = m.base.close[i];
  if (last > prev) return 'PlusTick';
  if (last < prev) return 'MinusTick';
  return i > 1 && m.base.close[i - 2] > prev ? 'ZeroMinusTick' : 'ZeroPlusTick';
}

/** A `tickers.{symbol}` snapshot message shaped like ws-tickers-linear-perpetual.json; never throws. */
export function wsTicker(m: SymbolMarket, spec: InstrumentSpec, cs: number): Record<string, unknown> {
  const c = common(m, spec);
  return {
    topic: `tickers.${m.symbol}`,
    type: 'snapshot',
    data: {
      symbol: m.symbol,
      tickDirection: tickDirection(m),
      price24hPcnt: c.price24hPcnt,
      lastPrice: c.lastPrice,
      prevPrice24h: c.prevPrice24h,
      highPrice24h: c.highPrice24h,
      lowPrice24h: c.lowPrice24h,
      prevPrice1h: c.prevPrice1h,
      markPrice: c.markPrice,
      indexPrice: c.indexPrice,
      openInterest: c.openInterest,
      openInterestValue: c.openInterestValue,
      turnover24h: c.turnover24h,
      volume24h: c.volume24h,
      fundingIntervalHour: '8',
      fundingCap: '0.005',
      nextFundingTime: c.nextFundingTime,
      fundingRate: c.fundingRate,
      bid1Price: c.bid1Price,
      bid1Size: c.bid1Size,
      ask1Price: c.ask1Price,
      ask1Size: c.ask1Size,
      preOpenPrice: '',
      preQty: '',
      curPreListingPhase: '',
    },
    cs,
    ts: m.now(),
  };
}

/**
 * Bybit's linear `tickers.{symbol}` topic: each new subscriber gets a snapshot, and every later push is
 * a `delta` carrying the symbol and only the fields that changed since the previous push ("if a
 * response param is not found in the message, then its value has not changed", docs/v5/websocket/
 * public/ticker.mdx). Remembers per symbol what its subscribers were last sent: a push becomes that
 * base only once it is really sent, and when a new subscriber's snapshot shows a state the others
 * were never sent, the next push is a full snapshot for everyone. Never throws.
 */
export class TickerStream {
  private readonly sent = new Map<string, Record<string, unknown>>();

  /** `nextCs` numbers the pushes (Bybit's cross sequence). */
  constructor(private readonly nextCs: () => number) {}

  /**
   * The full ticker for a new subscriber of `m`'s topic; `others` says whether other sockets already
   * follow the topic (their base stays, unless it differs from this snapshot: then it is dropped).
   */
  snapshot(m: SymbolMarket, spec: InstrumentSpec, others: boolean): Record<string, unknown> {
    const msg = wsTicker(m, spec, this.nextCs());
    const data = msg.data as Record<string, unknown>;
    const base = this.sent.get(m.symbol);
    if (!others) this.sent.set(m.symbol, data);
    else if (base && Object.keys(data).some((k) => k !== 'symbol' && data[k] !== base[k])) this.sent.delete(m.symbol);
    return msg;
  }

  /**
   * The push for a step: the fields that changed since the last push that was sent (a full snapshot
   * when there is no such base), and `sent`, to call once it has gone out to the subscribers.
   */
  delta(m: SymbolMarket, spec: InstrumentSpec): { msg: Record<string, unknown>; sent: () => void } {
    const msg = wsTicker(m, spec, this.nextCs());
    const full = msg.data as Record<string, unknown>;
    const sent = (): void => void this.sent.set(m.symbol, full);
    const prev = this.sent.get(m.symbol);
    if (!prev) return { msg, sent };
    const changed: Record<string, unknown> = { symbol: m.symbol };
    for (const k of Object.keys(full)) if (k !== 'symbol' && full[k] !== prev[k]) changed[k] = full[k];
    return { msg: { ...msg, type: 'delta', data: changed }, sent };
  }
}
