// The daily-loss breaker on the closed-bar path: a venue wallet that lost money trips it on the next
// close time even with no open position; a slow venue balance call holds up no bar (not even one of a
// held symbol); checks that run beside each other trip it once; execute checks its own balance.
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, Bar, DeskEvent } from '../../engine/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const trader: Actor = { kind: 'rpc', id: 'alice', role: 'trader' };
const viewer: Actor = { kind: 'telegram', id: '42', role: 'viewer' };

let t: TestDesk | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** Replaces the paper broker's balance with a wallet the test sets; `hold` parks every call until release(). */
function controlWallet(desk: TestDesk) {
  const broker = desk.runtime.broker;
  const real = broker.balance.bind(broker);
  const parked: (() => void)[] = [];
  const w = {
    equity: null as number | null,
    hold: false,
    calls: 0,
    release(): void {
      for (const go of parked.splice(0)) go();
    },
  };
  broker.balance = async () => {
    w.calls++;
    const bal = await real();
    const out = w.equity === null ? bal : { equity: w.equity, available: w.equity };
    if (!w.hold) return out;
    return new Promise((resolve) => parked.push(() => resolve(out)));
  };
  return w;
}

const tripEvents = (events: DeskEvent[]) => events.filter((e) => e.type === 'risk.tripped' && e.what === 'breaker').length;

describe('breaker on the closed-bar path', () => {
  it('a wallet loss with no open position trips on the next close time, without holding up the bars', async () => {
    t = await createTestDesk({ RISK_DAILY_LOSS_PCT: '5' });
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => void events.push(e));
    const wallet = controlWallet(t);
    wallet.equity = 9_000; // 10 % below the day's start equity of 10 000
    wallet.hold = true;
    t.clock.advance(60_000);
    // Every bar of this close time goes through the pipeline while the balance answer is parked.
    expect(await t.feed.step(1)).toBe(1);
    expect(wallet.calls).toBe(1);
    expect(t.store.risk.get().breakerTripped).toBe(false);
    wallet.hold = false;
    wallet.release();
    await new Promise((r) => setImmediate(r));
    expect((await t.desk.status(viewer)).breaker.tripped).toBe(true);
    expect(tripEvents(events)).toBe(1);
  });

  it('execute checks the loss on the balance it fetches: refused BREAKER_TRIPPED before any bar check ran', async () => {
    t = await createTestDesk({ RISK_DAILY_LOSS_PCT: '5' });
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => void events.push(e));
    const s = await t.nextSignal();
    const wallet = controlWallet(t);
    wallet.equity = 9_000; // the wallet lost 10 % since the last check on the bar path
    expect(t.store.risk.get().breakerTripped).toBe(false);
    const err = await t.desk.execute(trader, { signalId: s.id }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('BREAKER_TRIPPED');
    expect(t.store.risk.get().breakerTripped).toBe(true);
    expect(tripEvents(events)).toBe(1);
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get()).toEqual({ n: 0 });
  });

  it('the first calls of a new UTC day share one roll of the risk day', async () => {
    t = await createTestDesk({ RISK_DAILY_LOSS_PCT: '5' });
    const s = await t.nextSignal();
    const wallet = controlWallet(t);
    const dayBefore = t.store.risk.get().dayStart;
    t.clock.set(dayBefore + 86_400_000 + 60_000); // a minute into the next UTC day
    const calls = wallet.calls;
    await Promise.all([t.desk.previewExecution(trader, { signalId: s.id }), t.desk.previewExecution(trader, { signalId: s.id })]);
    // two balances for the two previews, one for the roll they share
    expect(wallet.calls - calls).toBe(3);
    expect(t.store.risk.get().dayStart).toBe(dayBefore + 86_400_000);
  });

  it("a held bar's mark during a running check triggers one more check, no bar waits for either, and the breaker trips once", async () => {
    t = await createTestDesk({ RISK_DAILY_LOSS_PCT: '5', RISK_MAX_MARGIN_PCT: '30' });
    const events: DeskEvent[] = [];
    t.desk.subscribe((e) => void events.push(e));
    const wallet = controlWallet(t);
    const held: string[] = [];
    for (let i = 0; i < 40 && held.length < 2; i++) {
      const s = await t.nextSignal();
      const r = await t.desk.execute(trader, { signalId: s.id }).catch(() => null);
      if (r?.positionId) held.push(s.symbol);
      else await t.feed.step(1);
    }
    expect(held.length).toBe(2);
    wallet.hold = true; // the parked answer is the wallet as it is now, before the loss
    // The last real bar of each held symbol, delivered again: each marks an open position and checks the breaker.
    const bars: Bar[] = [];
    for (const symbol of held) {
      const last = (await t.desk.candles(viewer, { symbol, interval: '60', limit: 1 })).bars[0]!;
      bars.push({ symbol, interval: '60', ...last });
    }
    const calls = wallet.calls;
    // Both bars are taken while the first check's balance call is parked: neither waits for it, and
    // the second asks for one more check after it (its mark came later than that call).
    await Promise.all(bars.map((b) => t!.desk.onBar(b)));
    expect(wallet.calls - calls).toBe(1);
    wallet.equity = 9_000; // the loss shows in a balance asked for after both marks
    wallet.hold = false;
    wallet.release();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(wallet.calls - calls).toBe(2);
    expect(t.store.risk.get().breakerTripped).toBe(true);
    expect(tripEvents(events)).toBe(1);
    const audits = t.store.db.prepare(`SELECT COUNT(*) AS n FROM audit WHERE action = 'risk.breaker'`).get() as { n: number };
    expect(audits.n).toBe(1);
  });
});
