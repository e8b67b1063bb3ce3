import { RestClientV5 } from 'bybit-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { loadKlines, resolveKlinesDir } from './kline-data.ts';

let fake: BybitV5Fake;
let c: RestClientV5;
const S = 'BTCUSDT';
const series = loadKlines(resolveKlinesDir(), S, '60');

/** Index of the first bar after the cursor whose low goes at least `drop` below the cursor close. */
function findDrop(fromIndex: number, drop: number): { at: number; low: number } {
  const ref = series.close[fromIndex];
  for (let i = fromIndex + 1; i < series.length; i++) if (series.low[i] <= ref - drop) return { at: i, low: series.low[i] };
  throw new Error('no such bar');
}

function findRise(fromIndex: number, rise: number): { at: number; high: number } {
  const ref = series.close[fromIndex];
  for (let i = fromIndex + 1; i < series.length; i++) if (series.high[i] >= ref + rise) return { at: i, high: series.high[i] };
  throw new Error('no such bar');
}

/** A price on BTCUSDT's 0.10 grid, written with its 2 price decimals like Bybit. */
const px = (v: number) => (Math.round(v * 10) / 10).toFixed(2);

beforeEach(async () => {
  fake = await startBybitV5Fake({ symbols: [S, 'ETHUSDT'], walletUsdt: 10_000 });
  c = new RestClientV5({ baseUrl: fake.restUrl, key: fake.apiKey, secret: fake.apiSecret }, { timeout: 3000 });
});
afterEach(() => fake.close());

describe('bybit-v5 fake: order entry and matching through the real RestClientV5', () => {
  it('stamps executions with the server clock and lists them within 7-day time ranges, as Bybit documents', async () => {
    const t0 = Date.now();
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'w-1' });
    const at = Number((await c.getExecutionList({ category: 'linear', symbol: S })).result.list[0]!.execTime);
    expect(at).toBeGreaterThanOrEqual(t0);
    expect(at).toBeLessThanOrEqual(Date.now());
    const week = 7 * 86_400_000;
    const count = async (q: { startTime?: number; endTime?: number }) => (await c.getExecutionList({ category: 'linear', ...q })).result.list.length;
    expect(await count({ startTime: at - week + 1 })).toBe(1); // startTime only: the 7 days from it
    expect(await count({ startTime: at - week - 1 })).toBe(0);
    expect(await count({ endTime: at + week - 1 })).toBe(1); // endTime only: the 7 days before it
    expect(await count({ endTime: at + week + 1 })).toBe(0);
    expect(await count({ startTime: at - 1, endTime: at + 1 })).toBe(1);
    const wide = await c.getExecutionList({ category: 'linear', startTime: at - week, endTime: at + 1 });
    expect(wide.retCode).toBe(10001);
  });

  it('fills a market order at the last price, opens a position and charges the taker fee', async () => {
    const last = fake.market(S).last;
    const r = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'm-1' });
    expect(r.retCode).toBe(0);
    expect(r.result.orderLinkId).toBe('m-1');
    const pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos).toMatchObject({ side: 'Buy', size: '0.010', leverage: '10' });
    expect(Number(pos.avgPrice)).toBeCloseTo(last, 6);
    const ex = (await c.getExecutionList({ category: 'linear', symbol: S })).result.list;
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ orderLinkId: 'm-1', isMaker: false, feeRate: '0.00055', execQty: '0.010' });
    expect(Number(ex[0].execFee)).toBeCloseTo(0.01 * last * 0.00055, 6);
    const w = (await c.getWalletBalance({ accountType: 'UNIFIED' })).result.list[0];
    expect(Number(w.coin[0].walletBalance)).toBeCloseTo(10_000 - 0.01 * last * 0.00055, 6);
    const ord = (await c.getActiveOrders({ category: 'linear', symbol: S, orderLinkId: 'm-1' })).result.list[0];
    expect(ord).toMatchObject({ orderStatus: 'Filled', cumExecQty: '0.010', leavesQty: '0.000' });
    expect((await c.getActiveOrders({ category: 'linear', symbol: S })).result.list).toHaveLength(0);
  });

  it('refuses a duplicate orderLinkId with 110072 "OrderLinkedID is duplicate", also under concurrency', async () => {
    const reqs = Array.from({ length: 8 }, () => c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.001', orderLinkId: 'dup-1' }));
    const res = await Promise.all(reqs);
    expect(res.filter((r) => r.retCode === 0)).toHaveLength(1);
    const dups = res.filter((r) => r.retCode === 110072);
    expect(dups).toHaveLength(7);
    expect(dups[0].retMsg).toBe('OrderLinkedID is duplicate');
    expect(fake.state.positions.get(S)!.size).toBeCloseTo(0.001, 9);
  });

  it('triggers an attached stop-loss on the first bar that reaches it and closes the position', async () => {
    const m = fake.market(S);
    const { at, low } = findDrop(m.index, 150);
    const sl = px(series.close[m.index] - 120);
    const r = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.020', stopLoss: sl, tpslMode: 'Full', orderLinkId: 'sl-1' });
    expect(r.retCode).toBe(0);
    const stops = (await c.getActiveOrders({ category: 'linear', symbol: S })).result.list;
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ stopOrderType: 'StopLoss', orderStatus: 'Untriggered', triggerPrice: sl, reduceOnly: true });
    expect((await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0].stopLoss).toBe(sl);
    expect(low).toBeLessThan(Number(sl));
    fake.advance(at - m.index);
    const pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos.size).toBe('0.000');
    expect(pos.side).toBe('');
    const ex = (await c.getExecutionList({ category: 'linear', symbol: S })).result.list;
    expect(ex[0]).toMatchObject({ stopOrderType: 'StopLoss', side: 'Sell', execQty: '0.020', closedSize: '0.020' });
    const open = Number(series.open[at]);
    expect(Number(ex[0].execPrice)).toBeCloseTo(Math.min(Number(sl), open), 6);
    const w = fake.state.wallet.walletBalance;
    const entry = Number(ex[1].execPrice);
    const expected = 10_000 + (Number(ex[0].execPrice) - entry) * 0.02 - Number(ex[0].execFee) - Number(ex[1].execFee);
    expect(w).toBeCloseTo(expected, 6);
  });

  it('does not trigger a stop before the bar that reaches it', async () => {
    const m = fake.market(S);
    const { at } = findDrop(m.index, 150);
    const sl = px(series.close[m.index] - 120);
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.020', stopLoss: sl });
    const firstHit = (() => {
      for (let i = m.index + 1; i <= at; i++) if (series.low[i] <= Number(sl)) return i;
      return at;
    })();
    fake.advance(firstHit - m.index - 1);
    expect(fake.state.positions.get(S)!.size).toBeCloseTo(0.02, 9);
    fake.advance(1);
    expect(fake.state.positions.get(S)!.size).toBe(0);
  });

  it('takes a partial profit set with trading-stop tpslMode Partial and keeps the rest of the position', async () => {
    const m = fake.market(S);
    const { at } = findRise(m.index, 150);
    const tp = px(series.close[m.index] + 100);
    expect((await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'ptp-1' })).retCode).toBe(0);
    const r = await c.setTradingStop({ category: 'linear', symbol: S, positionIdx: 0, tpslMode: 'Partial', takeProfit: tp, tpSize: '0.004', tpOrderType: 'Market' });
    expect(r.retCode).toBe(0);
    fake.advance(at - m.index);
    const pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos.size).toBe('0.006');
    const hist = (await c.getHistoricOrders({ category: 'linear', symbol: S })).result.list;
    const leg = hist.find((o) => o.stopOrderType === 'PartialTakeProfit')!;
    expect(leg).toMatchObject({ orderStatus: 'Filled', cumExecQty: '0.004', tpslMode: 'Partial', reduceOnly: true });
    const ex = (await c.getExecutionList({ category: 'linear', symbol: S })).result.list[0];
    expect(ex).toMatchObject({ stopOrderType: 'PartialTakeProfit', execQty: '0.004', closedSize: '0.004' });
  });

  it('order/create with tpslMode Partial attaches legs sized to the filled qty (Bybit has no tpSize there)', async () => {
    const last = fake.market(S).last;
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.003', takeProfit: px(last + 2000), stopLoss: px(last - 2000), tpslMode: 'Partial' });
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.002', stopLoss: px(last - 3000), tpslMode: 'Partial' });
    const legs = (await c.getActiveOrders({ category: 'linear', symbol: S, orderFilter: 'StopOrder' })).result.list;
    expect(legs.map((o) => `${o.stopOrderType}:${o.qty}`).sort()).toEqual(['PartialStopLoss:0.002', 'PartialStopLoss:0.003', 'PartialTakeProfit:0.003']);
    const pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos).toMatchObject({ tpslMode: 'Partial', takeProfit: '0', stopLoss: '0', size: '0.005' });
  });

  it('adds and clears position TP/SL with trading-stop', async () => {
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Sell', orderType: 'Market', qty: '0.005' });
    const last = fake.market(S).last;
    const bad = await c.setTradingStop({ category: 'linear', symbol: S, positionIdx: 0, tpslMode: 'Full', stopLoss: px(last - 50) });
    expect(bad.retCode).toBe(10001);
    const ok = await c.setTradingStop({ category: 'linear', symbol: S, positionIdx: 0, tpslMode: 'Full', stopLoss: px(last + 500), takeProfit: px(last - 500) });
    expect(ok.retCode).toBe(0);
    let pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos).toMatchObject({ stopLoss: px(last + 500), takeProfit: px(last - 500), tpslMode: 'Full' });
    await c.setTradingStop({ category: 'linear', symbol: S, positionIdx: 0, tpslMode: 'Full', takeProfit: '0' });
    pos = (await c.getPositionInfo({ category: 'linear', symbol: S })).result.list[0];
    expect(pos.takeProfit).toBe('0');
    expect(pos.stopLoss).toBe(px(last + 500));
    const flat = await c.setTradingStop({ category: 'linear', symbol: 'ETHUSDT', positionIdx: 0, tpslMode: 'Full', stopLoss: '1' });
    expect(flat.retCode).toBe(10001);
  });

  it('never lets reduceOnly increase a position', async () => {
    const none = await c.submitOrder({ category: 'linear', symbol: S, side: 'Sell', orderType: 'Market', qty: '0.010', reduceOnly: true });
    expect(none.retCode).toBe(110017);
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010' });
    const same = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', reduceOnly: true });
    expect(same.retCode).toBe(110017);
    const over = await c.submitOrder({ category: 'linear', symbol: S, side: 'Sell', orderType: 'Market', qty: '0.050', reduceOnly: true });
    expect(over.retCode).toBe(0);
    const pos = fake.state.positions.get(S)!;
    expect(pos.size).toBe(0);
    expect(pos.side).toBe('');
  });

  it('flips a position through zero with a plain opposite order (one-way mode)', async () => {
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010' });
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Sell', orderType: 'Market', qty: '0.015' });
    const pos = fake.state.positions.get(S)!;
    expect(pos.side).toBe('Sell');
    expect(pos.size).toBeCloseTo(0.005, 9);
  });

  it('answers 110007 when available balance cannot cover the margin, and 110094 below min notional', async () => {
    const big = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '5.000' });
    expect(big.retCode).toBe(110007);
    expect(fake.state.orders).toHaveLength(0);
    const eth = fake.instrument('ETHUSDT');
    const tiny = await c.submitOrder({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: eth.minOrderQty });
    expect(tiny.retCode).toBe(fake.market('ETHUSDT').last * Number(eth.minOrderQty) < 5 ? 110094 : 0);
  });

  it('does not let concurrent opening orders spend the same balance twice', async () => {
    const last = fake.market(S).last;
    const qty = (Math.floor(((10_000 * 10 * 0.3) / last) * 1000) / 1000).toFixed(3);
    const res = await Promise.all(Array.from({ length: 6 }, () => c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Limit', qty, price: (Math.round(last * 0.99 * 10) / 10).toFixed(2) })));
    expect(res.filter((r) => r.retCode === 0)).toHaveLength(3);
    expect(res.filter((r) => r.retCode === 110007)).toHaveLength(3);
    const w = (await c.getWalletBalance({ accountType: 'UNIFIED' })).result.list[0];
    expect(Number(w.totalAvailableBalance)).toBeGreaterThanOrEqual(0);
  });

  it('answers 10001 to a POST body that is not a JSON object (signature still checked on the raw body)', async () => {
    const { createHmac } = await import('node:crypto');
    const body = '[1,2]';
    const ts = String(Date.now());
    const sign = createHmac('sha256', fake.apiSecret).update(ts + fake.apiKey + '5000' + body).digest('hex');
    const res = await fetch(`${fake.restUrl}/v5/order/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-BAPI-API-KEY': fake.apiKey, 'X-BAPI-TIMESTAMP': ts, 'X-BAPI-RECV-WINDOW': '5000', 'X-BAPI-SIGN': sign },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bapi-limit')).toBe('10');
    expect(((await res.json()) as { retCode: number }).retCode).toBe(10001);
    expect(fake.state.orders).toHaveLength(0);
  });

  it('stops advancing at the end of the recorded data', async () => {
    fake.setCursor(S, { index: series.length - 3 });
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.001' });
    expect(fake.advance(10)).toBe(2);
    expect(fake.market(S).index).toBe(series.length - 1);
  });

  it('rejects bad parameters with 10001 (qty off-grid price, missing price, hedge positionIdx, wrong category)', async () => {
    const base = { category: 'linear' as const, symbol: S, side: 'Buy' as const, qty: '0.001' };
    expect((await c.submitOrder({ ...base, orderType: 'Limit' })).retCode).toBe(10001);
    expect((await c.submitOrder({ ...base, orderType: 'Limit', price: '100.05' })).retCode).toBe(10001);
    expect((await c.submitOrder({ ...base, orderType: 'Market', positionIdx: 1 })).retCode).toBe(10001);
    expect((await c.submitOrder({ ...base, category: 'spot', orderType: 'Market' })).retCode).toBe(10001);
    expect((await c.submitOrder({ ...base, orderType: 'Market', qty: '0.0001' })).retCode).toBe(110017);
    expect((await c.submitOrder({ ...base, orderType: 'Market', qty: 'abc' })).retCode).toBe(10001);
  });

  it('rests a limit order, fills it as maker on the first bar that reaches it, and can cancel others', async () => {
    const m = fake.market(S);
    const { at } = findDrop(m.index, 100);
    const price = px(series.close[m.index] - 90);
    const r = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Limit', qty: '0.010', price, orderLinkId: 'lim-1' });
    expect(r.retCode).toBe(0);
    const far = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Limit', qty: '0.010', price: px(series.close[m.index] * 0.5), orderLinkId: 'lim-2' });
    expect(far.retCode).toBe(0);
    const open = (await c.getActiveOrders({ category: 'linear', symbol: S })).result.list;
    expect(open.map((o) => o.orderLinkId).sort()).toEqual(['lim-1', 'lim-2']);
    const w = (await c.getWalletBalance({ accountType: 'UNIFIED' })).result.list[0];
    expect(Number(w.coin[0].totalOrderIM)).toBeGreaterThan(0);
    fake.advance(at - m.index);
    const ex = (await c.getExecutionList({ category: 'linear', symbol: S, orderLinkId: 'lim-1' })).result.list;
    expect(ex[0]).toMatchObject({ isMaker: true, execPrice: price, feeRate: '0.0002' });
    const cancel = await c.cancelOrder({ category: 'linear', symbol: S, orderLinkId: 'lim-2' });
    expect(cancel.retCode).toBe(0);
    expect((await c.cancelOrder({ category: 'linear', symbol: S, orderLinkId: 'lim-2' })).retCode).toBe(110001);
    const gone = (await c.getActiveOrders({ category: 'linear', symbol: S, orderLinkId: 'lim-2' })).result.list[0];
    expect(gone).toMatchObject({ orderStatus: 'Cancelled', cancelType: 'CancelByUser' });
  });

  it('cancel-all cancels plain orders but keeps the position stop', async () => {
    const last = fake.market(S).last;
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', stopLoss: px(last - 1000) });
    await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Limit', qty: '0.010', price: px(last * 0.5), orderLinkId: 'x-1' });
    const r = await c.cancelAllOrders({ category: 'linear', symbol: S });
    expect(r.retCode).toBe(0);
    expect(r.result.list.map((x) => x.orderLinkId)).toEqual(['x-1']);
    const open = (await c.getActiveOrders({ category: 'linear', symbol: S })).result.list;
    expect(open.map((o) => o.stopOrderType)).toEqual(['StopLoss']);
  });

  it('order/realtime needs symbol, baseCoin or settleCoin, like Bybit', async () => {
    const r = await c.getActiveOrders({ category: 'linear' });
    expect(r.retCode).toBe(10001);
    expect((await c.getActiveOrders({ category: 'linear', settleCoin: 'USDT' })).retCode).toBe(0);
  });

  it('timeoutNext: the order is placed but the call never answers; a retry with the same orderLinkId is refused', async () => {
    fake.timeoutNext('/v5/order/create');
    const short = new RestClientV5({ baseUrl: fake.restUrl, key: fake.apiKey, secret: fake.apiSecret }, { timeout: 300 });
    await expect(short.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.002', orderLinkId: 'to-1' })).rejects.toBeTruthy();
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v5/order/create', retCode: null, signatureValid: true });
    const found = (await c.getActiveOrders({ category: 'linear', symbol: S, orderLinkId: 'to-1' })).result.list;
    expect(found[0]).toMatchObject({ orderLinkId: 'to-1', orderStatus: 'Filled' });
    const retry = await c.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.002', orderLinkId: 'to-1' });
    expect(retry.retCode).toBe(110072);
    expect(fake.state.positions.get(S)!.size).toBeCloseTo(0.002, 9);
  });

  it('setLatency holds answers back long enough for a client timeout to fire', async () => {
    fake.setLatency('/v5/market/time', 1500);
    const impatient = new RestClientV5({ baseUrl: fake.restUrl }, { timeout: 100 });
    await expect(impatient.getServerTime()).rejects.toBeTruthy();
    fake.setLatency('/v5/market/time', 0);
    expect((await impatient.getServerTime()).retCode).toBe(0);
  });

  it('paginates order history and executions with nextPageCursor', async () => {
    for (let i = 0; i < 5; i++) await c.submitOrder({ category: 'linear', symbol: S, side: i % 2 ? 'Sell' : 'Buy', orderType: 'Market', qty: '0.001', orderLinkId: `pg-${i}` });
    const p1 = await c.getHistoricOrders({ category: 'linear', symbol: S, limit: 2 });
    expect(p1.result.list).toHaveLength(2);
    expect(p1.result.nextPageCursor).not.toBe('');
    const seen = new Set(p1.result.list.map((o) => o.orderLinkId));
    let cursor = p1.result.nextPageCursor;
    while (cursor) {
      const p = await c.getHistoricOrders({ category: 'linear', symbol: S, limit: 2, cursor });
      p.result.list.forEach((o) => seen.add(o.orderLinkId));
      cursor = p.result.nextPageCursor;
    }
    expect(seen.size).toBe(5);
  });
});
