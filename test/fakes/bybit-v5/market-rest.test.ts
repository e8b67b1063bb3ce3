import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { keyShape, sample } from './sample-shapes.ts';

let fake: BybitV5Fake;
let client: RestClientV5;

beforeAll(async () => {
  fake = await startBybitV5Fake({ symbols: ['BTCUSDT', 'ETHUSDT', 'AAVEUSDT'] });
  client = new RestClientV5({ baseUrl: fake.restUrl, parseAPIRateLimits: true });
});
afterAll(() => fake.close());

describe('bybit-v5 fake: market REST through the real RestClientV5', () => {
  it('serves server time in the docs shape, close to the wall clock', async () => {
    const r = await client.getServerTime();
    expect(r.retCode).toBe(0);
    expect(keyShape(r.result)).toEqual(keyShape(sample('rest-market-time.json').result));
    expect(Math.abs(Number(r.result.timeSecond) * 1000 - Date.now())).toBeLessThan(5000);
    expect(r.rateLimitApi).toMatchObject({ maxRequests: expect.any(Number), remainingRequests: expect.any(Number) });
  });

  it('lists linear instruments with the BTCUSDT filters of the docs sample and the same keys for others', async () => {
    const r = await client.getInstrumentsInfo({ category: 'linear' });
    expect(r.retCode).toBe(0);
    const s = sample('rest-market-instruments-info-linear.json').result.list[0];
    const btc = r.result.list.find((i) => i.symbol === 'BTCUSDT')!;
    expect(btc.lotSizeFilter).toEqual(s.lotSizeFilter);
    expect(btc.priceFilter).toEqual(s.priceFilter);
    for (const item of r.result.list) {
      expect(keyShape(item)).toEqual(keyShape(s));
      expect(item.status).toBe('Trading');
    }
    expect(r.result.list.map((i) => i.symbol).sort()).toEqual(['AAVEUSDT', 'BTCUSDT', 'ETHUSDT']);
  });

  it('serves tickers with string prices equal to the cursor close', async () => {
    const r = await client.getTickers({ category: 'linear', symbol: 'ETHUSDT' });
    expect(r.retCode).toBe(0);
    const t = r.result.list[0] as unknown as Record<string, unknown>;
    expect(keyShape(t)).toEqual(keyShape(sample('rest-market-tickers-inverse.json').result.list[0]));
    for (const v of Object.values(t)) expect(typeof v).toBe('string');
    expect(Number(t.lastPrice)).toBeCloseTo(fake.market('ETHUSDT').last, 6);
    expect(Number(t.ask1Price)).toBeGreaterThan(Number(t.bid1Price));
  });

  it('serves real klines newest first, up to the market time, limit-capped and pageable with end', async () => {
    const m = fake.market('BTCUSDT');
    const r = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '60', limit: 5 });
    expect(r.retCode).toBe(0);
    const rows = r.result.list;
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.every((c: unknown) => typeof c === 'string')).toBe(true);
    const starts = rows.map((x) => Number(x[0]));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expect(starts[0]).toBe(m.now - 3_600_000);
    expect(rows[0][4]).toBe(String(m.last));
    const older = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '60', limit: 3, end: starts[4] - 1 });
    expect(Number(older.result.list[0][0])).toBe(starts[4] - 3_600_000);
    const big = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '60', limit: 5000 });
    expect(big.result.list).toHaveLength(1000);
    const fwd = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '240', start: starts[4], limit: 2 });
    expect(Number(fwd.result.list[1][0])).toBeGreaterThanOrEqual(starts[4]);
  });

  it('includes the forming higher-interval bar (confirm pending) as the newest row', async () => {
    const m = fake.market('BTCUSDT');
    const r = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '240', limit: 2 });
    const newest = Number(r.result.list[0][0]);
    expect(newest).toBeLessThanOrEqual(m.now);
    expect(newest + 4 * 3_600_000).toBeGreaterThanOrEqual(m.now);
  });

  it('setCursor by time moves the market clock; REST klines never show bars after it', async () => {
    const before = fake.market('ETHUSDT');
    const target = before.now - 30 * 86_400_000;
    fake.setCursor('ETHUSDT', { time: target });
    const m = fake.market('ETHUSDT');
    expect(m.now).toBeLessThanOrEqual(target + 3_600_000);
    expect(m.now).toBeGreaterThan(target - 3_600_000);
    const rows = (await client.getKline({ category: 'linear', symbol: 'ETHUSDT', interval: '60', limit: 3 })).result.list;
    expect(Number(rows[0][0])).toBe(m.now - 3_600_000);
    const t = (await client.getTickers({ category: 'linear', symbol: 'ETHUSDT' })).result.list[0];
    expect(Number(t.lastPrice)).toBeCloseTo(m.last, 6);
    fake.setCursor('ETHUSDT', before.index);
    expect(fake.market('ETHUSDT').now).toBe(before.now);
  });

  it('rejects unknown symbols and intervals with retCode 10001', async () => {
    const a = await client.getKline({ category: 'linear', symbol: 'NOPEUSDT', interval: '60' });
    expect(a.retCode).toBe(10001);
    const b = await client.getKline({ category: 'linear', symbol: 'BTCUSDT', interval: '1' });
    expect(b.retCode).toBe(10001);
  });

  it('serves real funding history up to market time, newest first', async () => {
    const r = await client.getFundingRateHistory({ category: 'linear', symbol: 'BTCUSDT', limit: 3 });
    expect(r.retCode).toBe(0);
    expect(r.result.list).toHaveLength(3);
    expect(keyShape(r.result.list[0])).toEqual(keyShape(sample('rest-market-funding-history.json').result.list[0]));
    const ts = r.result.list.map((x) => Number(x.fundingRateTimestamp));
    expect(ts[0]).toBeGreaterThan(ts[1]);
    expect(ts[0]).toBeLessThanOrEqual(fake.market('BTCUSDT').now);
  });

  it('sends X-Bapi-Limit headers on every response and logs public calls as unsigned', async () => {
    const before = fake.requests.length;
    await client.getServerTime();
    const entry = fake.requests[before];
    expect(entry).toMatchObject({ method: 'GET', path: '/v5/market/time', signed: false, signatureValid: null, retCode: 0 });
  });
});
