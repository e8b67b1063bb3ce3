import { RestClientV5 } from 'bybit-api';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Broker, type DeskEvent, type Signal } from '../../engine/index.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';
import { createLiveAdapters } from '../../scripts/live-adapters.ts';
import { startBybitV5Fake, type BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { liveFakeConfig, until } from '../helpers/live-fake-desk.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT'];
const trader = { kind: 'rpc' as const, id: 'crash-trader', role: 'trader' as const };

let fake: BybitV5Fake | undefined;
const runtimes: DeskRuntime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close().catch(() => {});
  await fake?.close();
  fake = undefined;
});

/** Starts desk `rt` (closed after the test) and steps the fake until it holds a live signal on a quoted symbol. */
async function startAndAwaitSignal(rt: DeskRuntime): Promise<Signal> {
  runtimes.push(rt);
  await rt.desk.start();
  return until<Signal>(
    () => rt.store.signals.listLive(Date.now(), null, 50).find((s) => s.stage === 'live' && rt.feed.quote(s.symbol) !== null),
    30_000,
    () => fake!.advance(1, SYMBOLS),
  );
}

/**
 * A live desk on a fresh fake opens a position from a signal, moves the venue's stop to within 0.3 %
 * of the price (so the next bars reach it) and goes down; the fake then steps until that stop filled.
 */
async function stopFilledWhileDown(name: string) {
  fake = await startBybitV5Fake({ apiKey: `${name}-key-123`, apiSecret: `${name}-secret-4567890`, symbols: SYMBOLS });
  const config = liveFakeConfig(fake, SYMBOLS, `desk-live-${name}-`);
  const a = await composeDesk(config, { logger: silentLogger });
  const signal = await startAndAwaitSignal(a);
  await a.desk.execute(trader, { signalId: signal.id });
  const pos = await until(() => a.store.positions.openOn('live', signal.symbol), 10_000);
  const tick = Number(fake.instrument(signal.symbol).tickSize);
  const last = fake.market(signal.symbol).last;
  const stop = pos.side === 'long' ? Math.floor((last * 0.997) / tick) * tick : Math.ceil((last * 1.003) / tick) * tick;
  expect(await a.broker.setStop(signal.symbol, pos.side, stop)).toBe(true);
  await a.close(); // the desk is down from here
  const stopFill = await until(
    () => fake!.state.executions.find((e) => e.symbol === signal.symbol && /StopLoss/.test(e.stopOrderType)),
    10_000,
    () => fake!.advance(1, [signal.symbol]),
  );
  return { config, signal, pos, stopFill };
}

describe('live: restarting after a crash or downtime', () => {
  it('on restart, reconciliation finds the order by orderLinkId: one order at the venue, the fill recorded, no orphan', async () => {
    fake = await startBybitV5Fake({ apiKey: 'crash-key-123', apiSecret: 'crash-secret-4567890', symbols: SYMBOLS });
    const config = liveFakeConfig(fake, SYMBOLS, 'desk-live-crash-');
    // Desk A: its broker reaches the venue, then "dies": place never returns and no fill is recorded.
    const live = await createLiveAdapters(config, { now: () => Date.now() }, silentLogger, () => {}, { feed: true, broker: true });
    const real = live.broker!;
    const dying: Broker = {
      mode: 'live',
      place: async (req) => {
        await real.place(req);
        return new Promise(() => {});
      },
      setStop: (s, side, p) => real.setStop(s, side, p),
      cancelAll: (s) => real.cancelAll(s),
      positions: () => real.positions(),
      findOrder: (l) => real.findOrder(l),
      catchUp: async () => 0, // it records nothing
      balance: () => real.balance(),
      onExecution: () => {},
      onBar: (b) => real.onBar(b),
      close: () => real.close(),
    };
    const a = await composeDesk(config, { logger: silentLogger, feed: live.feed!, broker: dying });
    const signal = await startAndAwaitSignal(a);
    void a.desk.execute(trader, { signalId: signal.id }).catch(() => {});
    const linkId = await until(() => fake!.state.orders.find((o) => o.orderStatus === 'Filled')?.orderLinkId, 10_000);
    expect(a.store.orders.byLinkId(linkId)?.status).toBe('submitting');
    expect(a.store.positions.openOn('live', signal.symbol)).toBeNull();
    await a.close(); // the process is gone; its DB holds an order in 'submitting' and no fill

    // Desk B: a normal restart on the same database.
    await new Promise((r) => setTimeout(r, 300));
    const b = await composeDesk(config, { logger: silentLogger });
    runtimes.push(b);
    const bStart = Date.now();
    await b.desk.start();
    const order = b.store.orders.byLinkId(linkId)!;
    expect(order.status).toBe('filled');
    const pos = b.store.positions.openOn('live', signal.symbol)!;
    expect(pos).not.toBeNull();
    expect(pos.signalId).toBe(signal.id);
    expect(pos.stop).toBe(order.stop);
    expect(pos.actorId).toBe(trader.id);
    const venue = (await b.broker.positions()).find((p) => p.symbol === signal.symbol)!;
    expect(pos.qty).toBeCloseTo(venue.qty, 9);
    expect(fake.requests.filter((r) => r.path === '/v5/order/create' && (r.params as { orderLinkId?: string }).orderLinkId === linkId)).toHaveLength(1);
    expect((b.store.db.prepare(`SELECT COUNT(*) AS n FROM orders WHERE status IN ('submitting','unknown')`).get() as { n: number }).n).toBe(0);
    // The periodic pass reads the venue's executions from where the last catch-up began, not again
    // from the open position's entry.
    const catchUps = () => fake!.requests.filter((r) => r.path === '/v5/execution/list' && (r.params as { startTime?: string }).startTime !== undefined);
    const atStart = catchUps().length;
    b.desk.scheduleReconcile(50);
    await until(() => catchUps().length > atStart, 5_000);
    expect(Number((catchUps()[0]!.params as { startTime: string }).startTime)).toBeLessThan(pos.openedAt);
    expect(Number((catchUps()[atStart]!.params as { startTime: string }).startTime)).toBeGreaterThanOrEqual(bStart - 60_000);
    // a second restart changes nothing (idempotent)
    await b.close();
    const c = await composeDesk(config, { logger: silentLogger });
    runtimes.push(c);
    await c.desk.start();
    expect((c.store.db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(1);
    expect(c.store.positions.openAll('live')).toHaveLength(1);
  }, 90_000);

  it('a stop that fills on Bybit while the desk is down closes its position on restart at the stop price, with reason stop', async () => {
    const { config, signal, pos, stopFill } = await stopFilledWhileDown('down');
    expect(fake!.state.positions.get(signal.symbol)?.size ?? 0).toBe(0);

    const b = await composeDesk(config, { logger: silentLogger });
    runtimes.push(b);
    const events: DeskEvent[] = [];
    b.desk.subscribe((e) => void events.push(e));
    await b.desk.start();
    const closed = b.store.positions.get(pos.id)!;
    const dir = pos.side === 'long' ? 1 : -1;
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'stop', qty: 0 });
    expect(closed.realizedPnl).toBeCloseTo((stopFill.execPrice - pos.entryPrice) * pos.qty * dir, 6);
    expect(closed.fees).toBeGreaterThan(pos.fees);
    expect(b.store.orders.hasFill(stopFill.execId)).toBe(true);
    expect(events.filter((e) => e.type === 'reconcile.mismatch')).toEqual([]);
    expect(events.find((e) => e.type === 'position.closed')).toMatchObject({ reason: 'stop', position: { id: pos.id } });
    // A second restart changes nothing.
    const fillsNow = (b.store.db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n;
    await b.close();
    const c = await composeDesk(config, { logger: silentLogger });
    runtimes.push(c);
    await c.desk.start();
    expect((c.store.db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(fillsNow);
    expect(c.store.positions.get(pos.id)).toMatchObject({ status: 'closed', closeReason: 'stop' });
  }, 90_000);
});

describe('live: fills before the first reconcile', () => {
  it('a fill the stream brings before the desk started waits for the fills the venue made while it was down', async () => {
    const { config, signal, pos } = await stopFilledWhileDown('order');

    // The desk comes back: its stream is live (and its sink registered) before it reconciles, and a
    // trade made on the venue by hand fills in that gap.
    const live = await createLiveAdapters(config, { now: () => Date.now() }, silentLogger, () => {}, { feed: true, broker: true });
    const b = await composeDesk(config, { logger: silentLogger, feed: live.feed!, broker: live.broker! });
    runtimes.push(b);
    const spec = fake!.instrument(signal.symbol);
    const rest = new RestClientV5({ baseUrl: fake!.restUrl, key: fake!.apiKey, secret: fake!.apiSecret }, { timeout: 3000 });
    expect((await rest.submitOrder({ category: 'linear', symbol: signal.symbol, side: 'Buy', orderType: 'Market', qty: spec.minOrderQty })).retCode).toBe(0);
    await new Promise((r) => setTimeout(r, 300)); // the stream has brought it
    expect(b.store.positions.get(pos.id)!.status).toBe('open'); // held: the stop came first on the venue
    await b.desk.start();
    // In venue order: the stop closed the desk's position, then the hand trade opened one of its own.
    expect(b.store.positions.get(pos.id)).toMatchObject({ status: 'closed', closeReason: 'stop' });
    expect(b.store.positions.openOn('live', signal.symbol)).toMatchObject({ actorId: 'venue', side: 'long', qty: Number(spec.minOrderQty) });
  }, 90_000);
});

describe('live: reconcile of positions made on the venue', () => {
  it("a position opened on Bybit by hand takes the venue's stop, and one without a stop is reported (once an hour, not every pass)", async () => {
    fake = await startBybitV5Fake({ apiKey: 'hand-key-123', apiSecret: 'hand-secret-4567890', symbols: SYMBOLS });
    const config = liveFakeConfig(fake, SYMBOLS, 'desk-live-hand-');
    const rt = await composeDesk(config, { logger: silentLogger });
    runtimes.push(rt);
    const events: DeskEvent[] = [];
    rt.desk.subscribe((e) => void events.push(e));
    await rt.desk.start();
    const rest = new RestClientV5({ baseUrl: fake.restUrl, key: fake.apiKey, secret: fake.apiSecret }, { timeout: 3000 });
    const byHand = async (symbol: string, withStop: boolean) => {
      const spec = fake!.instrument(symbol);
      const tick = Number(spec.tickSize);
      const stop = Math.floor((fake!.market(symbol).last * 0.9) / tick) * tick;
      const r = await rest.submitOrder({ category: 'linear', symbol, side: 'Buy', orderType: 'Market', qty: spec.minOrderQty, ...(withStop ? { stopLoss: stop.toFixed(Number(spec.priceScale)) } : {}) });
      expect(r.retCode).toBe(0);
      return stop;
    };
    const stop = await byHand('ETHUSDT', true);
    await byHand('SOLUSDT', false);
    // The stream records both as the venue's positions, with a stop the desk only guessed.
    await until(() => rt.store.positions.openOn('live', 'ETHUSDT') && rt.store.positions.openOn('live', 'SOLUSDT'), 5_000);
    expect(rt.store.positions.openOn('live', 'ETHUSDT')).toMatchObject({ actorKind: 'system', actorId: 'venue' });
    // The venue's time of the position's last change comes through the real client (adoption stamps with it).
    const venueEth = (await rt.broker.positions()).find((p) => p.symbol === 'ETHUSDT')!;
    expect(venueEth.updatedAt).toBe(fake.state.positions.get('ETHUSDT')!.updatedTime);
    expect(venueEth.updatedAt).toBeGreaterThan(0);
    const passes = () => fake!.requests.filter((r) => r.path === '/v5/position/list').length;
    const before = passes();
    rt.desk.scheduleReconcile(50);
    await until(() => passes() >= before + 4, 5_000);
    expect(rt.store.positions.openOn('live', 'ETHUSDT')!.stop).toBeCloseTo(stop, 9);
    const mismatches = events.filter((e) => e.type === 'reconcile.mismatch').map((e) => [e.symbol, e.reason]);
    expect(mismatches).toEqual([
      ['ETHUSDT', 'venue stop adopted'],
      ['SOLUSDT', 'venue position WITHOUT a stop'],
    ]);
  }, 60_000);
});
