import { afterEach, describe, expect, it } from 'vitest';
import { DeskError, isDeskError, silentLogger, type Actor, type Broker, type Signal } from '../../engine/index.ts';
import { reconcile } from '../../engine/exec/reconcile.ts';
import { applyExecution } from '../../engine/exec/ledger.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

// What is left of an order whose outcome the desk lost (a crash, a call that gave up) is settled
// from the venue's answer, without counting a fill twice and without blocking the position's closes.
const trader: Actor = { kind: 'rpc', id: 'settle-trader', role: 'trader' };

let t: TestDesk | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The desk's paper broker, except that findOrder answers `answer` (the venue's word on the order). */
function venueSays(real: Broker, answer: { status: string; filledQty: number; avgPrice: number | null; final: boolean; updatedAt?: number }): Broker {
  return { ...real, mode: real.mode, catchUp: (since: number) => real.catchUp(since), findOrder: async () => ({ orderId: 'venue-1', ...answer }) } as Broker;
}

const count = (t: TestDesk, sql: string) => (t.store.db.prepare(sql).get() as { n: number }).n;

/** A desk holding one paper position, plus a reduce-only close `id` of all of it left in `status` just now. */
async function withLostClose(id: string, status: 'unknown' | 'accepted') {
  t = await createTestDesk();
  const s = await t.nextSignal();
  await t.desk.execute(trader, { signalId: s.id });
  const pos = t.store.positions.openOn('paper', s.symbol)!;
  const now = t.clock.now();
  t.store.orders.insert(
    { id, mode: 'paper', orderLinkId: `sc-${id}`, signalId: null, positionId: pos.id, actorKind: 'rpc', actorId: trader.id, symbol: pos.symbol, side: pos.side, qty: pos.qty, type: 'Market', price: null, reduceOnly: true, stop: null, targets: [], leverage: pos.leverage, quoteId: null },
    now,
  );
  t.store.orders.setStatus(id, status, now, status === 'unknown' ? { errorCode: 'UNKNOWN_OUTCOME' } : { venueOrderId: `venue-${id}` });
  return { t, pos, now };
}

/** Writes an entry order `o-<name>` (link `sd-<name>`) for `qty` of signal `s`, created at `at`, as execute would before calling the venue. */
function insertEntry(t: TestDesk, s: Signal, name: string, qty: number, at: number): void {
  t.store.orders.insert(
    { id: `o-${name}`, mode: 'paper', orderLinkId: `sd-${name}`, signalId: s.id, positionId: null, actorKind: 'rpc', actorId: trader.id, symbol: s.symbol, side: s.side, qty, type: 'Market', price: null, reduceOnly: false, stop: s.stop, targets: [], leverage: 1, quoteId: null },
    at,
  );
}

describe('reconcile settles lost outcomes', () => {
  it("a fill recovered from the order's totals is replaced by the venue's own executions when they are listed, never counted twice", async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const now = t.clock.now();
    // An entry for 2 units whose call was lost; the venue says 1 unit filled at 100 (still working).
    insertEntry(t, s, 'rec', 2, now);
    t.store.orders.setStatus('o-rec', 'unknown', now, { errorCode: 'UNKNOWN_OUTCOME' });
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'PartiallyFilled', filledQty: 1, avgPrice: 100, final: false }), silentLogger, now);
    const pos = t.store.positions.openOn('paper', s.symbol)!;
    expect(pos).toMatchObject({ qty: 1, entryPrice: 100, fees: 0 });
    const venueExec = (execId: string, qty: number, price: number, at: number) =>
      applyExecution(t!.store, 'paper', { execId, orderId: 'venue-1', orderLinkId: 'sd-rec', symbol: s.symbol, side: s.side, qty, price, fee: 0.01, reduceOnly: false, kind: 'entry', quoteId: null, at }, { cooldownMs: 0 });
    const fills = () => t!.store.db.prepare(`SELECT exec_id AS id, qty FROM fills WHERE order_link_id = 'sd-rec' ORDER BY exec_id`).all();
    // The rest of the order fills a minute after reconciliation, and the stream delivers it first: it is new.
    expect(venueExec('venue-e3', 1, 101, now + 60_000).map((e) => e.type)).toEqual(['order.filled']);
    expect(t.store.positions.get(pos.id)!.qty).toBe(2);
    // Then the catch-up lists the venue's two executions behind the recovered unit (0.4 at 99.5 and
    // 0.6 at 100.33, both before reconciliation): they take the stand-in's place.
    expect(venueExec('venue-e1', 0.4, 99.5, now - 1_000)).toEqual([]);
    expect(fills()).toEqual([
      { id: 'recon-sd-rec', qty: expect.closeTo(0.6, 9) },
      { id: 'venue-e1', qty: 0.4 },
      { id: 'venue-e3', qty: 1 },
    ]);
    expect(venueExec('venue-e2', 0.6, 100.33, now - 1_000)).toEqual([]);
    expect(fills()).toEqual([
      { id: 'venue-e1', qty: 0.4 },
      { id: 'venue-e2', qty: 0.6 },
      { id: 'venue-e3', qty: 1 },
    ]);
    expect(t.store.positions.get(pos.id)).toMatchObject({ qty: 2, fees: expect.closeTo(0.03, 9) });
    expect(t.store.orders.filledQtyOf('sd-rec')).toBeCloseTo(2, 9);
    // Listed again (a second catch-up): nothing changes.
    expect(venueExec('venue-e2', 0.6, 100.33, now - 1_000)).toEqual([]);
    expect(t.store.orders.filledQtyOf('sd-rec')).toBeCloseTo(2, 9);
  });

  it('an entry marked unknown whose fill the stream already recorded becomes filled, with no second fill', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const res = await t.desk.execute(trader, { signalId: s.id });
    const pos = t.store.positions.openOn('paper', s.symbol)!;
    const order = t.store.orders.byLinkId(res.orderLinkId)!;
    t.store.orders.setStatus(order.id, 'unknown', t.clock.now(), { errorCode: 'UNKNOWN_OUTCOME' });
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'Filled', filledQty: order.qty, avgPrice: res.avgPrice, final: true }), silentLogger, t.clock.now());
    expect(t.store.orders.byId(order.id)!.status).toBe('filled');
    expect(count(t, `SELECT COUNT(*) AS n FROM fills WHERE order_link_id = '${res.orderLinkId}'`)).toBe(1);
    expect(t.store.positions.get(pos.id)!.qty).toBe(pos.qty);
  });

  it('an execution older than the open position of its symbol is recorded for the audit trail and changes nothing', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const res = await t.desk.execute(trader, { signalId: s.id });
    const pos = t.store.positions.openOn('paper', s.symbol)!;
    // A stop of an earlier position of the symbol, listed by a catch-up that reads weeks back.
    const old = { execId: 'venue-old-stop', orderId: 'venue-9', orderLinkId: '', symbol: s.symbol, side: pos.side, qty: pos.qty, price: pos.entryPrice * 0.9, fee: 0.5, reduceOnly: true, kind: 'stop' as const, quoteId: null, at: pos.openedAt - 86_400_000 };
    expect(applyExecution(t.store, 'paper', old, { cooldownMs: 0 })).toEqual([]);
    expect(t.store.positions.get(pos.id)).toMatchObject({ status: 'open', qty: pos.qty, realizedPnl: 0, fees: pos.fees });
    expect(t.store.db.prepare(`SELECT position_id AS p FROM fills WHERE exec_id = 'venue-old-stop'`).get()).toEqual({ p: null });
    // An earlier part-fill of the order that opened the position, delivered late (after a reconnect), counts.
    const early = { ...old, execId: 'venue-early-part', orderId: res.orderId, orderLinkId: res.orderLinkId, qty: 1, price: pos.entryPrice, fee: 0, reduceOnly: false, kind: 'entry' as const, at: pos.openedAt - 1_000 };
    expect(applyExecution(t.store, 'paper', early, { cooldownMs: 0 }).map((e) => e.type)).toEqual(['order.filled']);
    expect(t.store.positions.get(pos.id)!.qty).toBeCloseTo(pos.qty + 1, 9);
    // The same for a position opened on the venue by hand (no desk order): its opening order's earlier fill counts...
    const hand = (execId: string, orderId: string, symbol: string, at: number) =>
      applyExecution(t!.store, 'paper', { execId, orderId, orderLinkId: '', symbol, side: 'long', qty: 1, price: 10, fee: 0, reduceOnly: false, kind: 'entry', quoteId: null, at }, { cooldownMs: 0 });
    const t0 = pos.openedAt + 60_000;
    hand('hand-2', 'hand-o', 'HANDUSDT', t0);
    hand('hand-1', 'hand-o', 'HANDUSDT', t0 - 500);
    expect(t.store.positions.openOn('paper', 'HANDUSDT')!.qty).toBe(2);
    // ...but not for a position reconcile adopted: what it adopted already holds the order's earlier fills.
    t.store.positions.open({ id: 'p-adopted', mode: 'paper', symbol: 'ADOPTUSDT', side: 'long', qty: 5, entryPrice: 10, stop: 9, targets: [], leverage: 1, signalId: null, actorKind: 'system', actorId: 'venue', openedAt: t0 });
    hand('ad-2', 'ad-o', 'ADOPTUSDT', t0 + 100);
    hand('ad-1', 'ad-o', 'ADOPTUSDT', t0 - 100);
    expect(t.store.positions.get('p-adopted')!.qty).toBe(6);
  });

  it('an order this process is still placing is left to its own call', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const now = t.clock.now();
    insertEntry(t, s, 'new', 1, now + 1);
    // Written before the pass, but its place call (in this process) is still running.
    insertEntry(t, s, 'mine', 1, now - 5);
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'Cancelled', filledQty: 0, avgPrice: null, final: true }), silentLogger, now, { placing: new Set(['o-mine']) });
    expect(t.store.orders.byId('o-new')!.status).toBe('submitting');
    expect(t.store.orders.byId('o-mine')!.status).toBe('submitting');
    // With no call placing it (a crash's leftover after a restart), the same row is settled.
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'Cancelled', filledQty: 0, avgPrice: null, final: true }), silentLogger, now + 2, { placing: new Set() });
    expect(t.store.orders.byId('o-mine')!.status).toBe('cancelled');
  });

  it('a live position the venue no longer holds is closed with its reason, unless it opened while the venue was being read', async () => {
    t = await createTestDesk();
    const now = t.clock.now();
    const open = (id: string, symbol: string, openedAt: number) =>
      t!.store.positions.open({ id, mode: 'live', symbol, side: 'long', qty: 1, entryPrice: 100, stop: 90, targets: [], leverage: 1, signalId: null, actorKind: 'rpc', actorId: trader.id, openedAt });
    open('p-gone', 'BTCUSDT', now - 3_600_000);
    open('p-fresh', 'ETHUSDT', now - 2_000);
    // Two venue positions the ledger lacks: SOL has a desk entry being placed (its fill is on its way),
    // BNB only an old entry left 'accepted'.
    const entry = (id: string, symbol: string, status: 'submitting' | 'accepted', at: number) => {
      t!.store.orders.insert({ id, mode: 'live', orderLinkId: `sd-${id}`, signalId: null, positionId: null, actorKind: 'rpc', actorId: trader.id, symbol, side: 'long', qty: 1, type: 'Market', price: null, reduceOnly: false, stop: 90, targets: [], leverage: 1, quoteId: null }, at);
      t!.store.orders.setStatus(id, status, at);
    };
    entry('o-sol', 'SOLUSDT', 'submitting', now - 1_000);
    entry('o-bnb', 'BNBUSDT', 'accepted', now - 86_400_000);
    const held = (symbol: string) => ({ symbol, side: 'long' as const, qty: 1, entryPrice: 100, stopLoss: 90, leverage: 1 });
    const flatVenue = { ...t.runtime.broker, mode: 'live', catchUp: async () => 0, findOrder: async () => ({ orderId: 'v', status: 'New', filledQty: 0, avgPrice: null, final: false }), positions: async () => [held('SOLUSDT'), held('BNBUSDT')] } as Broker;
    const events = await reconcile(t.store, flatVenue, silentLogger, now, { placing: new Set(['o-sol']) });
    expect(t.store.positions.get('p-gone')).toMatchObject({ status: 'closed', closeReason: 'reconcile_absent' });
    expect(t.store.positions.get('p-fresh')!.status).toBe('open');
    expect(t.store.positions.openOn('live', 'SOLUSDT')).toBeNull();
    expect(t.store.positions.openOn('live', 'BNBUSDT')).toMatchObject({ actorId: 'venue', stop: 90 });
    expect(events.filter((e) => e.type === 'reconcile.mismatch').map((e) => [e.symbol, e.action])).toEqual([
      ['BTCUSDT', 'closed'],
      ['BNBUSDT', 'adopted'],
    ]);
  });

  it("a recovered fill is stamped in the venue's time: a stop the venue filled just after it, on a clock 3 s behind the desk's, still closes the position", async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const now = t.clock.now();
    // Bybit's clock runs 3 s behind the desk's: the order's last change (its fill) was at venue time now - 3 s.
    const filledAt = now - 3_000;
    insertEntry(t, s, 'vt', 1, now - 10_000);
    t.store.orders.setStatus('o-vt', 'unknown', now - 10_000, { errorCode: 'UNKNOWN_OUTCOME' });
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'Filled', filledQty: 1, avgPrice: 100, final: true, updatedAt: filledAt }), silentLogger, now);
    const pos = t.store.positions.openOn('paper', s.symbol)!;
    expect(pos).toMatchObject({ qty: 1, openedAt: filledAt });
    // The venue's stop filled half a second later (venue time), listed afterwards by a catch-up: a
    // desk-time stamp (now) would have made it older than the position, and audit only.
    const stop = { execId: 'venue-stop', orderId: 'venue-stop-o', orderLinkId: '', symbol: s.symbol, side: s.side, qty: 1, price: s.side === 'long' ? 95 : 105, fee: 0, reduceOnly: true, kind: 'stop' as const, quoteId: null, at: filledAt + 500 };
    expect(applyExecution(t.store, 'paper', stop, { cooldownMs: 0 }).map((e) => e.type)).toContain('position.closed');
    expect(t.store.positions.get(pos.id)).toMatchObject({ status: 'closed', closeReason: 'stop' });
  });

  it("an adopted position is stamped in the venue's time: the fill it holds is audit only and a later one applies, with the venue's clock 3 s ahead", async () => {
    t = await createTestDesk();
    const now = t.clock.now();
    // Bybit's clock runs 3 s ahead of the desk's: the hand trade that built the position was filled
    // at venue time now + 2.5 s, and the position last changed then (updatedTime).
    const built = now + 2_500;
    const venue = { ...t.runtime.broker, mode: 'live', catchUp: async () => 0, positions: async () => [{ symbol: 'BNBUSDT', side: 'long' as const, qty: 2, entryPrice: 600, stopLoss: 570, leverage: 1, updatedAt: built }] } as Broker;
    await reconcile(t.store, venue, silentLogger, now, { placing: new Set() });
    const adopted = t.store.positions.openOn('live', 'BNBUSDT')!;
    expect(adopted).toMatchObject({ actorId: 'venue', qty: 2, openedAt: built + 1 });
    const fill = (execId: string, at: number) =>
      applyExecution(t!.store, 'live', { execId, orderId: 'hand-o', orderLinkId: '', symbol: 'BNBUSDT', side: 'long', qty: 2, price: 600, fee: 0, reduceOnly: false, kind: 'entry', quoteId: null, at }, { cooldownMs: 0 });
    // The execution that built it, listed after the adoption: already in the adopted quantity.
    expect(fill('hand-fill', built)).toEqual([]);
    expect(t.store.positions.get(adopted.id)!.qty).toBe(2);
    // A fill made after the venue's last change adds to the position.
    fill('later-fill', built + 1_000);
    expect(t.store.positions.get(adopted.id)!.qty).toBe(4);
    // A venue that gives no time: stamped with the desk's clock, as before.
    const untimed = { ...venue, positions: async () => [{ symbol: 'SOLUSDT', side: 'short' as const, qty: 1, entryPrice: 150, stopLoss: 160, leverage: 1 }] } as Broker;
    await reconcile(t.store, untimed, silentLogger, now + 60_000, { placing: new Set() });
    expect(t.store.positions.openOn('live', 'SOLUSDT')!.openedAt).toBe(now + 60_000);
  });

  it('a catch-up whose fills the ledger refused pauses entries (closes still go) and says why', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const events: string[] = [];
    t.desk.subscribe((e) => void (e.type === 'risk.tripped' && events.push(e.reason)));
    // The venue side reports a fill the desk could not record (as the live broker does).
    t.runtime.broker.catchUp = async () => {
      throw new DeskError('INTERNAL', { refused: 1 }, 'bybit: the desk could not record every caught-up execution');
    };
    t.desk.scheduleReconcile(10);
    const end = Date.now() + 5_000;
    while (!t.store.risk.get().entriesPaused && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    t.desk.scheduleReconcile(60_000);
    expect(t.store.risk.get().entriesPaused).toBe(true);
    expect(events).toEqual(['the ledger could not record a venue fill']);
    const refused = await t.desk.execute(trader, { signalId: s.id }).catch((e: unknown) => e);
    expect(isDeskError(refused, 'ENTRIES_PAUSED')).toBe(true);
  });

  it('a close the venue cancelled unfilled is cancelled, and the position can be closed again at once', async () => {
    // A close whose call gave up with its outcome unknown: it holds the position's closes for now.
    const { t, pos } = await withLostClose('o-lost', 'unknown');
    const held = await t.desk.closePosition(trader, { positionId: pos.id }).catch((e: unknown) => e);
    expect(isDeskError(held, 'CLOSE_PENDING')).toBe(true);
    expect(t.store.audit.recent(3).some((a) => a.outcome === 'refused:CLOSE_PENDING')).toBe(true);
    await reconcile(t.store, venueSays(t.runtime.broker, { status: 'Cancelled', filledQty: 0, avgPrice: null, final: true }), silentLogger, t.clock.now());
    expect(t.store.orders.byId('o-lost')).toMatchObject({ status: 'cancelled', errorCode: 'venue_cancelled' });
    expect((await t.desk.closePosition(trader, { positionId: pos.id })).status).toBe('closed');
  });

  it('a close left accepted holds later closes for 30 s at most', async () => {
    const { t, pos, now } = await withLostClose('o-stuck', 'accepted');
    const early = await t.desk.closePosition(trader, { positionId: pos.id }).catch((e: unknown) => e);
    expect(isDeskError(early, 'CLOSE_PENDING')).toBe(true);
    expect((early as { detail: { retryAfterMs: number } }).detail.retryAfterMs).toBe(30_000);
    // The same order, last touched 30 s ago (the replay's quote would go stale if the clock moved instead).
    t.store.orders.setStatus('o-stuck', 'accepted', now - 30_001, { venueOrderId: 'venue-o-stuck' });
    expect((await t.desk.closePosition(trader, { positionId: pos.id })).status).toBe('closed');
  });
});
