import type { Exchange } from './exchange.ts';
import type { InstrumentSpec } from './instruments.ts';
import { lastAtOrBefore } from './kline-data.ts';
import type { SymbolMarket } from './symbol-market.ts';
import type { TickerStream } from './tickers.ts';
import { klineMessage, type PublicStream } from './ws-public.ts';

/** What one replay step touches: the market, the exchange, the public stream and the gap plan. */
export interface ReplayContext {
  market: SymbolMarket;
  spec: InstrumentSpec;
  exchange: Exchange;
  stream: PublicStream;
  /** Remaining closed bars to drop per `${symbol}|${interval}`. */
  drops: Map<string, number>;
  /** The ticker topic (snapshot, then deltas). */
  tickers: TickerStream;
}

function takeDrop(drops: Map<string, number>, symbol: string, interval: string): boolean {
  const key = `${symbol}|${interval}`;
  const n = drops.get(key) ?? 0;
  if (n <= 0) return false;
  drops.set(key, n - 1);
  return true;
}

/**
 * Moves one symbol forward by one base bar: pushes opening ticks (confirm:false) of kline bars that
 * open, calls `afterOpening` if given, lets the exchange fill orders and trigger TP/SL on the new bar,
 * then pushes the bars that closed (confirm:true, unless dropped), forming-bar updates and a ticker
 * delta. Returns false at the end of the data; never throws.
 */
export function stepSymbol(ctx: ReplayContext, afterOpening?: () => void): boolean {
  const m = ctx.market;
  if (!m.canStep()) return false;
  const sym = m.symbol;
  const oldNow = m.now();
  const newNow = oldNow + m.base.ms;
  type Plan = { topic: string; opening: number[]; closing: number[]; forming: boolean };
  const plans: Plan[] = [];
  for (const [interval, s] of m.series) {
    const topic = `kline.${interval}.${sym}`;
    if (!ctx.stream.hasSubscriber(topic)) continue;
    const plan: Plan = { topic, opening: [], closing: [], forming: false };
    const first = Math.max(0, lastAtOrBefore(s.start, oldNow - s.ms));
    const last = lastAtOrBefore(s.start, newNow - 1);
    for (let i = first; i <= last; i++) {
      const start = s.start[i];
      const end = start + s.ms;
      const closes = end > oldNow && end <= newNow;
      if (closes && takeDrop(ctx.drops, sym, interval)) continue;
      if (start >= oldNow && start < newNow) plan.opening.push(i);
      if (closes) plan.closing.push(i);
      else if (start < newNow && end > newNow) plan.forming = true;
    }
    plans.push(plan);
  }
  for (const p of plans) {
    const s = m.series.get(p.topic.split('.')[1])!;
    for (const i of p.opening) ctx.stream.publish(p.topic, klineMessage(sym, m.openingTick(s, i), s.start[i]));
  }
  afterOpening?.();
  const bar = m.step();
  ctx.exchange.onBar(sym, bar);
  for (const p of plans) {
    const s = m.series.get(p.topic.split('.')[1])!;
    for (const i of p.closing) ctx.stream.publish(p.topic, klineMessage(sym, m.closedBar(s, i), s.start[i] + s.ms - 1));
    if (p.forming) {
      const f = m.formingBar(s, newNow);
      if (f) ctx.stream.publish(p.topic, klineMessage(sym, f, newNow));
    }
  }
  const tickerTopic = `tickers.${sym}`;
  if (ctx.stream.hasSubscriber(tickerTopic)) {
    const t = ctx.tickers.delta(m, ctx.spec);
    ctx.stream.publish(tickerTopic, t.msg, t.sent);
  }
  return true;
}
