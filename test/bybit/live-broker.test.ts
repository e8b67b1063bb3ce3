import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createBybitBroker, type BybitBroker } from '../../engine/bybit/live-broker.ts';
import { createBybitFeed } from '../../engine/bybit/market-feed.ts';
import type { Execution, OrderRequest } from '../../engine/exec/broker.ts';
import type { Instrument } from '../../engine/market/types.ts';
import { systemClock, type Clock } from '../../engine/clock.ts';
import { DeskError, isDeskError } from '../../engine/errors.ts';
import { createLogger, silentLogger, type DeskLogger } from '../../engine/log.ts';
import type { DeskConfig } from '../../engine/config.ts';
import type { BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { fakeEnv, waitFor } from './fake-env.ts';

const KEY = 'KEYu7Rk2Qp9Zt4Wm';
const SECRET = 'SECRETa8Fh3Lx6Vn1Bc5Jd';
let fake: BybitV5Fake | null = null;
const brokers: BybitBroker[] = [];

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  await fake?.close();
  fake = null;
});

function instrumentOf(f: BybitV5Fake, symbol: string): Instrument {
  const s = f.instrument(symbol);
  return { symbol, tickSize: Number(s.tickSize), qtyStep: Number(s.qtyStep), minQty: Number(s.minOrderQty), minNotional: Number(s.minNotionalValue), maxLeverage: Number(s.maxLeverage), status: 'Trading' };
}

function order(f: BybitV5Fake, over: Partial<OrderRequest> = {}): OrderRequest {
  const symbol = over.symbol ?? 'BTCUSDT';
  const last = f.market(symbol).last;
  return {
    orderLinkId: `sig-1-tg-1-${Math.random().toString(36).slice(2, 10)}`,
    symbol,
    side: 'long',
    qty: 0.01,
    type: 'Market',
    reduceOnly: false,
    stopLoss: last * 0.9,
    quote: { id: 1, symbol, bid: last, ask: last, last, mark: last, ts: Date.now(), source: 'bybit' },
    instrument: instrumentOf(f, symbol),
    ...over,
  };
}

async function setup(
  fakeOpts: Parameters<typeof fakeEnv>[0] = {},
  overrides: Record<string, string> = {},
  brokerOpts: { logger?: DeskLogger; restTimeoutMs?: number; lookupAttempts?: number; lookupDelayMs?: number; clock?: Clock } = {},
): Promise<{ f: BybitV5Fake; broker: BybitBroker; config: DeskConfig; fills: Execution[] }> {
  const env = await fakeEnv({ symbols: ['BTCUSDT', 'ETHUSDT'], baseInterval: '60', apiKey: KEY, apiSecret: SECRET, ...fakeOpts }, overrides);
  fake = env.fake;
  const broker = createBybitBroker({
    config: env.config,
    clock: brokerOpts.clock ?? systemClock,
    logger: brokerOpts.logger ?? silentLogger,
    client: { restTimeoutMs: brokerOpts.restTimeoutMs ?? 5_000, reconnectDelayMs: 50 },
    lookupAttempts: brokerOpts.lookupAttempts ?? 4,
    lookupDelayMs: brokerOpts.lookupDelayMs ?? 50,
    maxRateLimitWaitMs: 100,
  });
  brokers.push(broker);
  const fills: Execution[] = [];
  broker.onExecution((e) => void fills.push(e));
  return { f: env.fake, broker, config: env.config, fills };
}


/** Real bars of `symbol` (base 60) starting at the fake's cursor: [start, open, high, low, close, volume]. */
function barsAhead(f: BybitV5Fake, symbol: string, n: number): number[][] {
  const now = f.market(symbol).now;
  const rows = readFileSync(new URL(`../../data/klines/${symbol}-60.csv`, import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  return rows.filter((r) => r[0]! >= now).slice(0, n);
}

async function rejection(p: Promise<unknown>): Promise<DeskError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeskError) return e;
    throw new Error(`expected a DeskError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

const creates = (f: BybitV5Fake) => f.requests.filter((r) => r.path === '/v5/order/create');

describe('Bybit live broker against the V5 fake (real RestClientV5 + private WebsocketClient)', () => {
  it('places a market entry that carries its stop; fills make a position; partial targets are set per level', async () => {
    const { f, broker, fills } = await setup();
    const report = await broker.start();
    expect(report).toMatchObject({ canWithdraw: false, readOnly: false, canTradeContracts: true });
    const last = f.market('BTCUSDT').last;
    const req = order(f, { qty: 0.01, stopLoss: last * 0.95, takeProfits: [{ price: last * 1.01, qty: 0.004 }, { price: last * 1.02, qty: 0.006 }], leverage: 3 });
    const ack = await broker.place(req);
    expect(ack).toMatchObject({ orderLinkId: req.orderLinkId, status: 'filled', duplicate: false });
    expect(ack.orderId).not.toBe('');

    const sent = creates(f)[0]!.params;
    expect(sent).toMatchObject({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.010', positionIdx: 0, tpslMode: 'Full' });
    expect(sent.stopLoss).toBe((Math.round((last * 0.95) / 0.1) * 0.1).toFixed(1));

    const [pos] = await broker.positions();
    expect(pos).toMatchObject({ symbol: 'BTCUSDT', side: 'long', qty: 0.01, stopLoss: Number(sent.stopLoss), leverage: 3 });
    await broker.drain();
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ orderLinkId: req.orderLinkId, symbol: 'BTCUSDT', side: 'long', qty: 0.01, kind: 'entry', reduceOnly: false });
    expect(fills[0]!.fee).toBeGreaterThan(0);

    const partials = f.state.orders.filter((o) => o.stopOrderType === 'PartialTakeProfit' && o.orderStatus === 'Untriggered');
    expect(partials.map((o) => o.qty).sort()).toEqual([0.004, 0.006]);
    // The venue's times of the last change come through: reconcile stamps recovered fills and adopted positions with them.
    const venueOrder = f.state.orders.find((o) => o.orderLinkId === req.orderLinkId)!;
    expect(await broker.findOrder(req.orderLinkId)).toMatchObject({ orderId: ack.orderId, status: 'Filled', filledQty: 0.01, updatedAt: venueOrder.updatedTime });
    expect(pos!.updatedAt).toBe(f.state.positions.get('BTCUSDT')!.updatedTime);
    expect(await broker.findOrder('never-sent')).toBeNull();

    const bal = await broker.balance();
    expect(bal.equity).toBeGreaterThan(9_900);
    expect(bal.available).toBeLessThan(bal.equity);
  });

  it('setStop twice with the same price moves it once; a different price moves it again', async () => {
    const { f, broker } = await setup();
    await broker.place(order(f));
    const last = f.market('BTCUSDT').last;
    const stopCalls = () => f.requests.filter((r) => r.path === '/v5/position/trading-stop').length;
    expect(await broker.setStop('BTCUSDT', 'long', last * 0.97)).toBe(true);
    expect(await broker.setStop('BTCUSDT', 'long', last * 0.97)).toBe(false);
    expect(stopCalls()).toBe(1);
    // Two concurrent calls for one new price: still a single exchange call.
    const both = await Promise.all([broker.setStop('BTCUSDT', 'long', last * 0.98), broker.setStop('BTCUSDT', 'long', last * 0.98)]);
    expect(both.sort()).toEqual([false, true]);
    expect(stopCalls()).toBe(2);
    const [pos] = await broker.positions();
    expect(pos!.stopLoss).toBeCloseTo(last * 0.98, 0);
    expect((await rejection(broker.setStop('ETHUSDT', 'long', 100))).code).toBe('POSITION_CLOSED');
    expect((await rejection(broker.setStop('BTCUSDT', 'short', last * 1.1))).code).toBe('POSITION_CLOSED');
  });

  it('a partial target closes exactly its quantity and is reported as a target fill', async () => {
    const { f, broker, fills } = await setup();
    await broker.start();
    // Read the real bars ahead of the fake's cursor to put target 1 where the market will reach it.
    const now = f.market('BTCUSDT').now;
    const rows = readFileSync(new URL('../../data/klines/BTCUSDT-60.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const ahead = rows.filter((r) => r[0]! >= now).slice(0, 24);
    const last = f.market('BTCUSDT').last;
    const highs = ahead.map((r) => r[2]!);
    const lows = ahead.map((r) => r[3]!);
    const firstAbove = highs.findIndex((h) => h > last * 1.001);
    expect(firstAbove).toBeGreaterThanOrEqual(0);
    const tp1 = last * 1.001;
    const stop = Math.min(...lows) * 0.9;
    const req = order(f, { qty: 0.01, stopLoss: stop, takeProfits: [{ price: tp1, qty: 0.004 }, { price: last * 3, qty: 0.006 }] });
    await broker.place(req);
    f.advance(firstAbove + 1, ['BTCUSDT']);
    await waitFor(() => fills.some((x) => x.kind === 'target'), 'target fill');
    const target = fills.find((x) => x.kind === 'target')!;
    expect(target).toMatchObject({ symbol: 'BTCUSDT', side: 'long', qty: 0.004, reduceOnly: true });
    const [pos] = await broker.positions();
    expect(pos!.qty).toBeCloseTo(0.006, 9);
  });

  it('every retCode gets its documented behaviour and a clear DeskError', async () => {
    const { f, broker } = await setup();
    await broker.start();
    const posCalls = () => f.requests.filter((r) => r.path === '/v5/position/list').length;

    // 10006: waits for the reset timestamp and retries (bounded), then succeeds.
    f.injectRetCode('/v5/position/list', 10006, { times: 2 });
    const before = posCalls();
    expect(await broker.positions()).toEqual([]);
    expect(posCalls() - before).toBe(3);
    // 10006 that never clears: bounded, then RATE_LIMITED.
    f.injectRetCode('/v5/position/list', 10006, { times: 10 });
    const rl = await rejection(broker.positions());
    expect(rl.code).toBe('RATE_LIMITED');
    expect(posCalls() - before).toBe(3 + 4);
    f.injectRetCode('/v5/position/list', 0, { times: 0 });

    // 10003 / 10004: CONFIG (fatal).
    f.injectRetCode('/v5/account/wallet-balance', 10003);
    expect(await rejection(broker.balance())).toMatchObject({ code: 'CONFIG', detail: expect.objectContaining({ retCode: 10003 }) });
    f.injectRetCode('/v5/account/wallet-balance', 10004);
    expect(await rejection(broker.balance())).toMatchObject({ code: 'CONFIG', detail: expect.objectContaining({ retCode: 10004 }) });

    // 110007: INSUFFICIENT_BALANCE with a reason (a real refusal by the fake: 50 BTC on a 10k wallet).
    const big = await rejection(broker.place(order(f, { qty: 50, leverage: 1 })));
    expect(big.code).toBe('INSUFFICIENT_BALANCE');
    expect(String(big.detail.reason)).toMatch(/available balance/);

    // 110043: leverage not modified is not an error.
    expect(await broker.setLeverage('BTCUSDT', 4)).toBe(true);
    expect(await broker.setLeverage('BTCUSDT', 4)).toBe(false);

    // Any other retCode: EXCHANGE_REJECTED carrying only the retCode.
    f.injectRetCode('/v5/order/create', 110017, { retMsg: 'orderQty will be truncated to zero' });
    const other = await rejection(broker.place(order(f)));
    expect(other.code).toBe('EXCHANGE_REJECTED');
    expect(other.detail).toEqual({ retCode: 110017 });
    expect(JSON.stringify(other)).not.toMatch(/truncated/);

    // 110072: a duplicate orderLinkId returns the existing order, marked duplicate.
    const req = order(f);
    const first = await broker.place(req);
    const again = await broker.place(req);
    expect(again).toMatchObject({ orderId: first.orderId, orderLinkId: req.orderLinkId, duplicate: true });
    expect(f.state.orders.filter((o) => o.orderLinkId === req.orderLinkId)).toHaveLength(1);
  });

  it('10002 becomes CLOCK_SKEW with the measured offset', async () => {
    const { f, broker } = await setup();
    await broker.start();
    f.setClockSkew(120_000);
    const e = await rejection(broker.balance());
    expect(e.code).toBe('CLOCK_SKEW');
    expect(e.detail.offsetMs).toBeGreaterThan(110_000);
    expect(e.detail.offsetMs).toBeLessThan(130_000);
  });

  it('a wrong secret or key is refused at start (CONFIG) and nothing is ever submitted', async () => {
    const { f, broker } = await setup({}, { BYBIT_API_SECRET: 'not-the-secret-at-all' });
    expect(await rejection(broker.start())).toMatchObject({ code: 'CONFIG', detail: expect.objectContaining({ retCode: 10004 }) });
    expect((await rejection(broker.place(order(f)))).code).toBe('CONFIG');
    expect(creates(f)).toHaveLength(0);
  });

  it('refuses a key that can withdraw unless BYBIT_ALLOW_WITHDRAW_KEY', async () => {
    const { f, broker } = await setup({ permissions: { Wallet: ['AccountTransfer', 'Withdraw'] } });
    const e = await rejection(broker.start());
    expect(e.code).toBe('CONFIG');
    expect(String(e.detail.reason)).toMatch(/withdraw/);
    expect((await rejection(broker.place(order(f)))).code).toBe('CONFIG');
    expect(creates(f)).toHaveLength(0);
    await f.close();
    const allowed = await setup({ permissions: { Wallet: ['Withdraw'] } }, { BYBIT_ALLOW_WITHDRAW_KEY: 'true' });
    expect((await allowed.broker.start()).canWithdraw).toBe(true);
  });

  it('a submit that times out is resolved by orderLinkId and never produces a second order', async () => {
    const { f, broker, fills } = await setup({}, {}, { restTimeoutMs: 300 });
    await broker.start();
    f.timeoutNext('/v5/order/create');
    const req = order(f);
    const ack = await broker.place(req);
    expect(ack).toMatchObject({ orderLinkId: req.orderLinkId, duplicate: false });
    expect(creates(f)).toHaveLength(1);
    expect(f.state.orders.filter((o) => o.orderLinkId === req.orderLinkId && o.stopOrderType === '')).toHaveLength(1);
    await waitFor(() => fills.length === 1, 'the fill');
  });

  it('a submit whose outcome stays unknown rejects UNKNOWN_OUTCOME, still with exactly one create', async () => {
    const { f, broker } = await setup({}, {}, { restTimeoutMs: 200, lookupAttempts: 3, lookupDelayMs: 50 });
    await broker.start();
    f.setLatency('/v5/order/create', 1_500); // the venue applies it only after the client gave up and looked
    const req = order(f);
    const e = await rejection(broker.place(req));
    expect(e.code).toBe('UNKNOWN_OUTCOME');
    expect(e.detail.orderLinkId).toBe(req.orderLinkId);
    await waitFor(() => f.state.orders.some((o) => o.orderLinkId === req.orderLinkId), 'the late order', 5_000);
    expect(creates(f)).toHaveLength(1);
    // Asking again later finds it: reconciliation can settle the outcome.
    f.setLatency('/v5/order/create', 0);
    expect(await broker.findOrder(req.orderLinkId)).toMatchObject({ status: 'Filled' });
  });

  it('an unreachable exchange is EXCHANGE_UNAVAILABLE', async () => {
    const { f, config } = await setup();
    await f.close();
    const broker = createBybitBroker({ config, clock: systemClock, logger: silentLogger, client: { restTimeoutMs: 1_000 } });
    brokers.push(broker);
    expect(await rejection(broker.positions())).toMatchObject({ code: 'EXCHANGE_UNAVAILABLE' });
    expect(await rejection(broker.start())).toMatchObject({ code: 'EXCHANGE_UNAVAILABLE' });
    fake = null;
  });

  it('logs hold neither the key nor the secret across failing authenticated calls', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    const { f, broker, config } = await setup({}, {}, { logger, restTimeoutMs: 200, lookupAttempts: 2, lookupDelayMs: 20 });
    await broker.start();
    f.injectRetCode('/v5/position/list', 10006, { times: 10 });
    await rejection(broker.positions());
    f.injectRetCode('/v5/account/wallet-balance', 10004);
    await rejection(broker.balance());
    f.setClockSkew(120_000);
    await rejection(broker.balance());
    f.setClockSkew(0);
    f.setLatency('/v5/order/create', 1_000);
    await rejection(broker.place(order(f)));
    f.setLatency('/v5/order/create', 0);
    f.disconnectPrivate();
    await new Promise((r) => setTimeout(r, 200));
    // A broker whose secret is wrong, and one whose exchange is gone.
    const bad = createBybitBroker({ config: { ...config, BYBIT_API_SECRET: 'SECRETwrongQ7Zx2Kd' }, clock: systemClock, logger });
    brokers.push(bad);
    await rejection(bad.start());
    // The feed shares the logger too.
    const feed = createBybitFeed({ config, clock: systemClock, logger, universe: ['BTCUSDT'], intervals: ['60'] });
    await feed.start(() => undefined);
    f.disconnectAll();
    await new Promise((r) => setTimeout(r, 200));
    await feed.stop();
    await f.close();
    fake = null;
    await rejection(broker.balance());
    const text = lines.join('');
    if (process.env.SHOW_LOGS) console.log(text);
    expect(lines.length).toBeGreaterThan(10);
    expect(text).toMatch(/retCode/);
    for (const secret of [KEY, SECRET, 'SECRETwrongQ7Zx2Kd']) expect(text).not.toContain(secret);
  });

  it('a resting limit entry gets its partial targets only once it fills', async () => {
    const { f, broker, fills } = await setup();
    await broker.start();
    const last = f.market('BTCUSDT').last;
    const price = Math.floor((last * 0.999) / 0.1) * 0.1;
    const ahead = barsAhead(f, 'BTCUSDT', 48);
    const j = ahead.findIndex((r) => r[3]! <= price);
    expect(j).toBeGreaterThanOrEqual(0);
    const req = order(f, { type: 'Limit', price, qty: 0.01, stopLoss: Math.min(...ahead.map((r) => r[3]!)) * 0.9, takeProfits: [{ price: last * 2, qty: 0.003 }, { price: last * 3, qty: 0.007 }] });
    const ack = await broker.place(req);
    expect(ack).toMatchObject({ status: 'accepted', duplicate: false });
    const partials = () => f.state.orders.filter((o) => o.stopOrderType === 'PartialTakeProfit' && o.orderStatus === 'Untriggered');
    expect(partials()).toHaveLength(0);
    f.advance(j + 1, ['BTCUSDT']);
    await waitFor(() => partials().length === 2, 'partial targets after the fill');
    expect(partials().map((o) => o.qty).sort()).toEqual([0.003, 0.007]);
    await broker.drain();
    expect(fills.filter((x) => x.kind === 'entry')).toEqual([expect.objectContaining({ orderLinkId: req.orderLinkId, qty: 0.01, price })]);
  });

  it('catchUp reads every page of every 7-day window and hands the sink each execution once, oldest first', async () => {
    const { f, broker, config, fills } = await setup();
    const since = Date.now() - 60_000;
    // 105 executions: market entries of 0.001 BTC, long then short (one-way: each nets the last).
    for (let i = 0; i < 105; i++) await broker.place(order(f, { qty: 0.001, side: i % 2 === 0 ? 'long' : 'short', stopLoss: undefined }));
    await broker.drain();
    expect(fills).toHaveLength(105);
    // A desk that was down: its broker's clock reads 15 days on, so the catch-up spans three windows.
    const late = createBybitBroker({ config, clock: { now: () => Date.now() + 15 * 86_400_000 }, logger: silentLogger, client: { restTimeoutMs: 5_000 } });
    brokers.push(late);
    // Nothing can be caught up before the desk registered where fills go.
    expect((await rejection(late.catchUp(since))).code).toBe('INTERNAL');
    const caught: Execution[] = [];
    late.onExecution((e) => void caught.push(e));
    const before = f.requests.length;
    expect(await late.catchUp(since)).toBe(105);
    expect(caught.map((e) => e.execId)).toEqual(fills.map((e) => e.execId));
    const queries = f.requests.slice(before).filter((r) => r.path === '/v5/execution/list').map((r) => r.params as Record<string, string>);
    const week = 7 * 86_400_000;
    // Window 1 (where the fills are): two pages of 100; windows 2 and 3: one empty page each; the last has no endTime.
    expect(queries.map((q) => [Number(q.startTime) - since, q.endTime === undefined ? null : Number(q.endTime) - since, q.cursor !== undefined])).toEqual([
      [0, week - 1, false],
      [0, week - 1, true],
      [week, 2 * week - 1, false],
      [2 * week, null, false],
    ]);
    // Caught up again: the same rows are listed, none reaches the sink twice.
    expect(await late.catchUp(since)).toBe(105);
    expect(caught).toHaveLength(105);
  });

  it('an execution list longer than the page limit goes on from the oldest row read; one millisecond that holds more rejects', async () => {
    const { f, broker, config } = await setup();
    for (let i = 0; i < 2; i++) await broker.place(order(f, { qty: 0.001, side: i % 2 === 0 ? 'long' : 'short', stopLoss: undefined }));
    await broker.drain();
    // The account's history: 150 more executions over the last 3 days (copies of a real one, 30 minutes apart).
    const now = Date.now();
    const model = f.state.executions[0]!;
    for (let k = 1; k <= 150; k++) f.state.executions.push({ ...model, execId: `hist-${k}`, orderId: `hist-o-${k}`, execTime: now - k * 1_800_000, seq: model.seq - k });
    const small = createBybitBroker({ config, clock: systemClock, logger: silentLogger, client: { restTimeoutMs: 5_000 }, maxExecutionPages: 1 });
    brokers.push(small);
    const caught: Execution[] = [];
    small.onExecution((e) => void caught.push(e));
    expect(await small.catchUp(now - 4 * 86_400_000)).toBe(152);
    expect(new Set(caught.map((e) => e.execId)).size).toBe(152);
    expect(caught.map((e) => e.at)).toEqual([...caught.map((e) => e.at)].sort((a, b) => a - b));
    // 101 executions 1 ms apart: page one holds the newest 100, the next query ends at the oldest of them.
    for (let k = 1; k <= 101; k++) f.state.executions.push({ ...model, execId: `tight-${k}`, orderId: `tight-o-${k}`, execTime: now - 20 * 86_400_000 + k });
    const tight: Execution[] = [];
    small.onExecution((e) => void tight.push(e));
    expect(await small.catchUp(now - 21 * 86_400_000)).toBe(253); // listed: these and the 152 already delivered
    expect(tight.map((e) => e.execId)).toEqual(Array.from({ length: 101 }, (_, k) => `tight-${k + 1}`));
    // 101 executions stamped with the same millisecond cannot be read 100 at a time.
    for (let k = 1; k <= 101; k++) f.state.executions.push({ ...model, execId: `burst-${k}`, orderId: `burst-o-${k}`, execTime: now - 10 * 86_400_000 });
    expect((await rejection(small.catchUp(now - 11 * 86_400_000))).code).toBe('EXCHANGE_UNAVAILABLE');
    expect(tight).toHaveLength(101);
  });

  it('fills that happen while the private stream is down are caught up once, in order, after it reconnects', async () => {
    const { f, broker, fills } = await setup();
    await broker.start();
    await broker.place(order(f, { qty: 0.01 }));
    await broker.drain();
    const last = f.market('BTCUSDT').last;
    const ahead = barsAhead(f, 'BTCUSDT', 48);
    const stop = Math.floor((last * 0.998) / 0.1) * 0.1;
    const j = ahead.findIndex((r) => r[3]! <= stop);
    expect(j).toBeGreaterThanOrEqual(0);
    expect(await broker.setStop('BTCUSDT', 'long', stop)).toBe(true);
    f.disconnectPrivate();
    f.advance(j + 1, ['BTCUSDT']); // the stop fills while nobody listens
    await waitFor(() => fills.some((x) => x.kind === 'stop'), 'the stop fill via REST catch-up');
    await new Promise((r) => setTimeout(r, 200));
    await broker.drain();
    expect(fills.map((x) => x.kind)).toEqual(['entry', 'stop']);
    expect(f.requests.some((r) => r.path === '/v5/execution/list')).toBe(true); // came back over REST
    expect(fills[1]).toMatchObject({ side: 'long', qty: 0.01, reduceOnly: true });
    expect(await broker.positions()).toEqual([]);
  });

  it('two concurrent places with one orderLinkId make one order, one duplicate, and targets attached once', async () => {
    const { f, broker } = await setup();
    await broker.start();
    const last = f.market('BTCUSDT').last;
    const req = order(f, { qty: 0.01, takeProfits: [{ price: last * 2, qty: 0.004 }, { price: last * 3, qty: 0.006 }] });
    const acks = await Promise.all([broker.place(req), broker.place(req)]);
    expect(acks.map((a) => a.duplicate).sort()).toEqual([false, true]);
    expect(acks[0]!.orderId).toBe(acks[1]!.orderId);
    expect(f.state.orders.filter((o) => o.orderLinkId === req.orderLinkId && o.stopOrderType === '')).toHaveLength(1);
    await waitFor(() => f.state.orders.filter((o) => o.stopOrderType === 'PartialTakeProfit').length >= 2, 'targets');
    await new Promise((r) => setTimeout(r, 200));
    expect(f.state.orders.filter((o) => o.stopOrderType === 'PartialTakeProfit').map((o) => o.qty).sort()).toEqual([0.004, 0.006]);
  });

  it('checks its inputs before reaching the exchange', async () => {
    const { f, broker } = await setup();
    await broker.start();
    expect((await rejection(broker.place(order(f, { qty: 0.0004 })))).code).toBe('SIZE_TOO_SMALL');
    const last = f.market('BTCUSDT').last;
    const tiny = order(f, { qty: 0.001 });
    const belowNotional = await rejection(broker.place({ ...tiny, instrument: { ...tiny.instrument, minNotional: last * 0.001 * 2 } }));
    expect(belowNotional).toMatchObject({ code: 'SIZE_TOO_SMALL', detail: expect.objectContaining({ minNotional: last * 0.002 }) });
    expect((await rejection(broker.place(order(f, { type: 'Limit' })))).code).toBe('VALIDATION');
    expect((await rejection(broker.place(order(f, { orderLinkId: 'x'.repeat(40) })))).code).toBe('VALIDATION');
    expect(creates(f)).toHaveLength(0);
    expect(isDeskError(await rejection(broker.setStop('BTCUSDT', 'long', -1)), 'VALIDATION')).toBe(true);
  });
});
