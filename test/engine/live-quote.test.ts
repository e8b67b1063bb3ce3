import { afterEach, describe, expect, it } from 'vitest';
import { isDeskError, silentLogger, type Signal } from '../../engine/index.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';
import { startBybitV5Fake, type BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { liveFakeConfig, until } from '../helpers/live-fake-desk.ts';

// The live desk asks Bybit for a quote when an order is previewed, placed or closed (no tickers.*
// stream): what a trader sees when that request fails, is slow, or works.
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT'];
const trader = { kind: 'rpc' as const, id: 'quote-trader', role: 'trader' as const };
const admin = { kind: 'rpc' as const, id: 'quote-admin', role: 'admin' as const };

let fake: BybitV5Fake | undefined;
let rt: DeskRuntime | undefined;
afterEach(async () => {
  await rt?.close().catch(() => {});
  rt = undefined;
  await fake?.close();
  fake = undefined;
});

const creates = () => fake!.requests.filter((r) => r.path === '/v5/order/create').length;
const tickerAsks = (symbol: string) => fake!.requests.filter((r) => r.path === '/v5/market/tickers' && (r.params as { symbol?: string }).symbol === symbol).length;
const orderRows = () => (rt!.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;

/**
 * Starts the V5 fake and a live desk on it (or what `extra` says; no ticker snapshot poll after the
 * start, so the retCodes a test injects are meant for the orders' own asks) and plays bars until a
 * live signal exists.
 */
async function liveDeskWithSignal(dbPrefix: string, extra: Record<string, string> = {}): Promise<{ config: ReturnType<typeof liveFakeConfig>; signal: Signal }> {
  fake = await startBybitV5Fake({ apiKey: 'quote-key-123', apiSecret: 'quote-secret-4567890', symbols: SYMBOLS });
  const config = liveFakeConfig(fake, SYMBOLS, dbPrefix, { BYBIT_TICKER_POLL_MS: '0', ...extra });
  rt = await composeDesk(config, { logger: silentLogger });
  await rt.desk.start();
  const signal = await until<Signal>(
    () => rt!.store.signals.listLive(Date.now(), null, 50).find((s) => s.stage === 'live'),
    30_000,
    () => fake!.advance(1, SYMBOLS),
  );
  return { config, signal };
}

describe('live: the quote an order is sized on is asked for when the order is made', () => {
  it('a failing or slow ticker request refuses the entry with a clear error and stores nothing, executes on the fresh price, and never holds a close', async () => {
    const { config, signal } = await liveDeskWithSignal('desk-live-quote-');
    if (!fake || !rt) throw new Error('no desk');
    // The snapshot taken at start is hours of market time behind the bars that made the signal.
    expect(rt.feed.quote(signal.symbol)!.last).not.toBe(fake.market(signal.symbol).last);

    // Bybit answers the ticker request with a server error: the entry is refused before any order row,
    // and a refusal that comes earlier in the checks (here the kill switch) is the one reported.
    fake.injectRetCode('/v5/market/tickers', 10016, { times: 4, retMsg: 'server error' });
    await rt.desk.setKillSwitch(admin, { on: true });
    expect(await rt.desk.previewExecution(trader, { signalId: signal.id })).toMatchObject({ allowed: false, refusal: { code: 'KILL_SWITCH' } });
    expect(isDeskError(await rt.desk.execute(trader, { signalId: signal.id }).catch((e: unknown) => e), 'KILL_SWITCH')).toBe(true);
    await rt.desk.setKillSwitch(admin, { on: false });
    const preview = await rt.desk.previewExecution(trader, { signalId: signal.id });
    expect(preview).toMatchObject({ allowed: false, refusal: { code: 'EXCHANGE_UNAVAILABLE' } });
    const down = await rt.desk.execute(trader, { signalId: signal.id }).catch((e: unknown) => e);
    expect(isDeskError(down, 'EXCHANGE_UNAVAILABLE')).toBe(true);
    expect(rt.store.audit.recent(5).some((a) => a.actorId === trader.id && a.outcome === 'refused:EXCHANGE_UNAVAILABLE')).toBe(true);
    expect(orderRows()).toBe(0);
    expect(creates()).toBe(0);

    // The answer takes longer than RISK_QUOTE_MAX_AGE_MS: the price is stale by the time it is here.
    fake.setLatency('/v5/market/tickers', config.RISK_QUOTE_MAX_AGE_MS + 300);
    const slow = await rt.desk.execute(trader, { signalId: signal.id }).catch((e: unknown) => e);
    expect(isDeskError(slow, 'STALE_QUOTE')).toBe(true);
    expect(orderRows()).toBe(0);
    expect(creates()).toBe(0);

    // A prompt answer: one order, sized on the price Bybit quotes now.
    fake.setLatency('/v5/market/tickers', 0);
    const asked = tickerAsks(signal.symbol);
    const res = await rt.desk.execute(trader, { signalId: signal.id });
    expect(res).toMatchObject({ symbol: signal.symbol, duplicate: false });
    expect(['filled', 'accepted']).toContain(res.status);
    expect(tickerAsks(signal.symbol)).toBe(asked + 1);
    expect(creates()).toBe(1);
    const quote = rt.feed.quote(signal.symbol)!;
    expect(quote.last).toBe(fake.market(signal.symbol).last);
    const row = rt.store.db.prepare('SELECT q.last AS last FROM orders o JOIN quotes q ON q.id = o.quote_id').get() as { last: number };
    expect(row.last).toBe(quote.last);

    // Closing does not hang on the ticker: Bybit fails it, then answers too slowly; each close still
    // goes out at once, recorded with the last quote seen.
    const pos = await until(() => rt!.store.positions.openOn('live', signal.symbol), 10_000);
    const venueQty = async () => (await rt!.broker.positions()).find((p) => p.symbol === signal.symbol)?.qty ?? 0;
    expect(await venueQty()).toBeCloseTo(pos.qty, 9);
    // A double tap while the ticker fails and Bybit takes its time with the first close: both taps
    // share one failed ask and fall back to the last quote; the second is refused, nothing more is sent.
    await new Promise((r) => setTimeout(r, 600)); // past the half second in which the execute's quote is reused
    const asksBefore = tickerAsks(signal.symbol);
    fake.injectRetCode('/v5/market/tickers', 10016, { times: 1, retMsg: 'server error' });
    fake.setLatency('/v5/order/create', 300);
    const taps = await Promise.allSettled([0, 1].map(() => rt!.desk.closePosition(trader, { positionId: pos.id, fraction: 0.5 })));
    fake.setLatency('/v5/order/create', 0);
    expect(tickerAsks(signal.symbol)).toBe(asksBefore + 1);
    const sent = taps.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ closedQty: number }>).value);
    expect(sent).toHaveLength(1);
    expect(taps.some((r) => r.status === 'rejected' && isDeskError(r.reason, 'CLOSE_PENDING'))).toBe(true);
    expect(creates()).toBe(2);
    const half = sent[0]!;
    expect(half.closedQty).toBeGreaterThan(0);
    fake.setLatency('/v5/market/tickers', 5_000);
    const t0 = Date.now();
    const rest = await rt.desk.closePosition(trader, { positionId: pos.id });
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(rest.closedQty).toBeCloseTo(pos.qty - half.closedQty, 9);
    await until(() => rt!.store.positions.get(pos.id)?.status === 'closed', 10_000);
    expect(await venueQty()).toBe(0);
    fake.setLatency('/v5/market/tickers', 0);
  }, 90_000);

  it('an empty book on Bybit (no bid, no ask) still lets a position be closed: the close is recorded at its last mark', async () => {
    const { signal } = await liveDeskWithSignal('desk-live-nobook-');
    if (!fake || !rt) throw new Error('no desk');
    await rt.desk.execute(trader, { signalId: signal.id });
    const pos = await until(() => rt!.store.positions.openOn('live', signal.symbol), 10_000);
    // The kill switch leaves closes as the only way out, and then the book empties.
    await rt.desk.setKillSwitch(admin, { on: true });
    fake.setEmptyBook(signal.symbol, true);
    await new Promise((r) => setTimeout(r, 600)); // past the half second in which the execute's quote is reused
    const asked = tickerAsks(signal.symbol);
    const before = rt.store.positions.get(pos.id)!;
    const mark = before.lastPrice ?? before.entryPrice;
    const res = await rt.desk.closePosition(trader, { positionId: pos.id });
    expect(tickerAsks(signal.symbol)).toBe(asked + 1); // Bybit was asked, and answered with no book
    expect(rt.feed.quote(signal.symbol)).toBeNull();
    expect(res.closedQty).toBeCloseTo(pos.qty, 9);
    await until(() => rt!.store.positions.get(pos.id)?.status === 'closed', 10_000);
    expect((await rt.broker.positions()).find((p) => p.symbol === signal.symbol)?.qty ?? 0).toBe(0);
    const q = rt.store.db
      .prepare(`SELECT q.source AS source, q.bid AS bid, q.ask AS ask FROM orders o JOIN quotes q ON q.id = o.quote_id WHERE o.position_id = ? AND o.reduce_only = 1`)
      .get(pos.id) as { source: string; bid: number; ask: number };
    expect(q).toEqual({ source: 'bar', bid: mark, ask: mark });
    fake.setEmptyBook(signal.symbol, false);
  }, 90_000);

  it('a paper close with no book is refused NO_QUOTE, never filled at a price the venue does not show', async () => {
    const { signal } = await liveDeskWithSignal('desk-paper-nobook-', { DESK_MODE: 'paper' });
    if (!fake || !rt) throw new Error('no desk');
    await rt.desk.execute(trader, { signalId: signal.id });
    const pos = rt.store.positions.openOn('paper', signal.symbol)!;
    expect(pos).not.toBeNull();
    fake.setEmptyBook(signal.symbol, true);
    await new Promise((r) => setTimeout(r, 600)); // past the half second in which the execute's quote is reused
    const refused = await rt.desk.closePosition(trader, { positionId: pos.id }).catch((e: unknown) => e);
    expect(isDeskError(refused, 'NO_QUOTE')).toBe(true);
    expect(rt.store.positions.get(pos.id)?.status).toBe('open');
    // The book is back (asked for again after the half second in which an answer is shared): the
    // close fills at Bybit's bid.
    fake.setEmptyBook(signal.symbol, false);
    await new Promise((r) => setTimeout(r, 600));
    const res = await rt.desk.closePosition(trader, { positionId: pos.id });
    expect(res).toMatchObject({ status: 'closed', price: rt.feed.quote(signal.symbol)!.bid });
  }, 90_000);
});
