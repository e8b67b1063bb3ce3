import { afterEach, describe, expect, it } from 'vitest';
import { isDeskError, silentLogger, type Signal } from '../../engine/index.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';
import { startBybitV5Fake, type BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { liveFakeConfig, until } from '../helpers/live-fake-desk.ts';

// The live desk asks Bybit for a quote when an order is previewed, placed or closed (no tickers.*
// stream): what a trader sees when that request fails, is slow, or works.
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT'];
const trader = { kind: 'rpc' as const, id: 'quote-trader', role: 'trader' as const };

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

describe('live: the quote an order is sized on is asked for when the order is made', () => {
  it('a failing or slow ticker request refuses the entry with a clear error and stores nothing; then it executes on the fresh price', async () => {
    fake = await startBybitV5Fake({ apiKey: 'quote-key-123', apiSecret: 'quote-secret-4567890', symbols: SYMBOLS });
    const config = liveFakeConfig(fake, SYMBOLS, 'desk-live-quote-');
    rt = await composeDesk(config, { logger: silentLogger });
    await rt.desk.start();
    const signal = await until<Signal>(
      () => rt!.store.signals.listLive(Date.now(), null, 50).find((s) => s.stage === 'live'),
      30_000,
      () => fake!.advance(1, SYMBOLS),
    );
    // The snapshot taken at start is hours of market time behind the bars that made the signal.
    expect(rt.feed.quote(signal.symbol)!.last).not.toBe(fake.market(signal.symbol).last);

    // Bybit answers the ticker request with a server error: the entry is refused before any order row.
    fake.injectRetCode('/v5/market/tickers', 10016, { times: 2, retMsg: 'server error' });
    const preview = await rt.desk.previewExecution(trader, { signalId: signal.id });
    expect(preview).toMatchObject({ allowed: false, refusal: { code: 'EXCHANGE_UNAVAILABLE' } });
    const down = await rt.desk.execute(trader, { signalId: signal.id }).catch((e: unknown) => e);
    expect(isDeskError(down, 'EXCHANGE_UNAVAILABLE')).toBe(true);
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
  }, 90_000);
});
