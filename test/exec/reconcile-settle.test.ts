import { afterEach, describe, expect, it } from 'vitest';
import { isDeskError, silentLogger, type Actor, type Broker } from '../../engine/index.ts';
import { reconcile } from '../../engine/exec/reconcile.ts';
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
function venueSays(real: Broker, answer: { status: string; filledQty: number; avgPrice: number | null; final: boolean }): Broker {
  return { ...real, mode: real.mode, findOrder: async () => ({ orderId: 'venue-1', ...answer }) } as Broker;
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

describe('reconcile settles lost outcomes', () => {
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
