import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { keyShape, sample } from './sample-shapes.ts';

let fake: BybitV5Fake;
let c: RestClientV5;

/** Top-level `key:type` list (nested objects/arrays by kind only). */
function topShape(o: Record<string, unknown>): string[] {
  return Object.entries(o)
    .map(([k, v]) => `${k}:${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`)
    .sort();
}

beforeAll(async () => {
  fake = await startBybitV5Fake({ symbols: ['BTCUSDT'] });
  c = new RestClientV5({ baseUrl: fake.restUrl, key: fake.apiKey, secret: fake.apiSecret });
  const last = fake.market('BTCUSDT').last;
  await c.submitOrder({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.010', stopLoss: (Math.round((last - 2000) * 10) / 10).toFixed(2), orderLinkId: 'shape-1' });
  await c.submitOrder({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.010', price: (Math.round(last * 0.5 * 10) / 10).toFixed(2), orderLinkId: 'shape-2' });
});
afterAll(() => fake.close());

describe('bybit-v5 fake: REST payload key sets and value types match the docs samples', () => {
  it('envelope', async () => {
    const r = (await c.getServerTime()) as unknown as Record<string, unknown>;
    const { rateLimitApi: _x, ...env } = r;
    expect(Object.keys(env).sort()).toEqual(Object.keys(sample('rest-market-time.json')).sort());
  });

  it('order/create result', async () => {
    const r = await c.submitOrder({ category: 'linear', symbol: 'BTCUSDT', side: 'Sell', orderType: 'Market', qty: '0.001' });
    expect(keyShape(r.result)).toEqual(keyShape(sample('rest-order-create.json').result));
  });

  it('order/realtime and order/history items', async () => {
    const rt = await c.getActiveOrders({ category: 'linear', symbol: 'BTCUSDT', openOnly: 1 });
    const s1 = sample('rest-order-realtime.json').result;
    expect(Object.keys(rt.result).sort()).toEqual(Object.keys(s1).sort());
    for (const o of rt.result.list) expect(topShape(o as unknown as Record<string, unknown>)).toEqual(topShape(s1.list[0]));
    const h = await c.getHistoricOrders({ category: 'linear', symbol: 'BTCUSDT' });
    const s2 = sample('rest-order-history.json').result;
    expect(Object.keys(h.result).sort()).toEqual(Object.keys(s2).sort());
    for (const o of h.result.list) expect(topShape(o as unknown as Record<string, unknown>)).toEqual(topShape(s2.list[0]));
    expect(h.result.list.length).toBeGreaterThanOrEqual(3);
  });

  it('execution/list items', async () => {
    const r = await c.getExecutionList({ category: 'linear', symbol: 'BTCUSDT' });
    const s = sample('rest-execution-list.json').result;
    expect(Object.keys(r.result).sort()).toEqual(Object.keys(s).sort());
    expect(topShape(r.result.list[0] as unknown as Record<string, unknown>)).toEqual(topShape(s.list[0]));
  });

  it('position/list items, flat or open', async () => {
    const r = await c.getPositionInfo({ category: 'linear', symbol: 'BTCUSDT' });
    const s = sample('rest-position-list.json').result;
    expect(Object.keys(r.result).sort()).toEqual(Object.keys(s).sort());
    expect(keyShape(r.result.list[0])).toEqual(keyShape(s.list[0]));
    const all = await c.getPositionInfo({ category: 'linear', settleCoin: 'USDT' });
    expect(all.result.list).toHaveLength(1);
  });

  it('wallet-balance account and coin', async () => {
    const r = await c.getWalletBalance({ accountType: 'UNIFIED' });
    expect(keyShape(r.result)).toEqual(keyShape(sample('rest-account-wallet-balance.json').result));
  });

  it('order/cancel, cancel-all, set-leverage and trading-stop results', async () => {
    const cancel = await c.cancelOrder({ category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'shape-2' });
    expect(keyShape(cancel.result)).toEqual(keyShape(sample('rest-order-cancel.json').result));
    await c.submitOrder({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.010', price: '1000.00', orderLinkId: 'shape-3' });
    const all = await c.cancelAllOrders({ category: 'linear', symbol: 'BTCUSDT' });
    expect(keyShape(all.result)).toEqual(keyShape(sample('rest-order-cancel-all.json').result));
    const lev = await c.setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '4', sellLeverage: '4' });
    expect(lev.result).toEqual(sample('rest-position-set-leverage.json').result);
    const ts = await c.setTradingStop({ category: 'linear', symbol: 'BTCUSDT', positionIdx: 0, tpslMode: 'Full', stopLoss: '0' });
    expect(ts.retCode).toBe(0);
    expect(ts.result).toEqual(sample('rest-position-trading-stop.json').result);
  });
});
