import { afterEach, describe, expect, it } from 'vitest';
import { isDeskError, type Actor } from '../../engine/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const trader: Actor = { kind: 'rpc', id: 'alice', role: 'trader' };
const admin: Actor = { kind: 'rpc', id: 'root', role: 'admin' };
const viewer: Actor = { kind: 'telegram', id: '42', role: 'viewer' };

let t: TestDesk | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isDeskError(e)) return e.code;
    throw e;
  }
}

describe('execute: concurrency and idempotency', () => {
  it('1,000 concurrent executes of one signal by one actor place exactly one order', async () => {
    t = await createTestDesk({ LIMIT_EXECUTES_PER_HOUR: '5' });
    const s = await t.nextSignal();
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => t!.desk.execute(trader, { signalId: s.id })));
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ orderId: string; duplicate: boolean }>).value);
    expect(ok.length).toBe(1000);
    expect(new Set(ok.map((r) => r.orderId)).size).toBe(1);
    expect(ok.filter((r) => !r.duplicate)).toHaveLength(1);
    const orders = t.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number };
    expect(orders.n).toBe(1);
    const fills = t.store.db.prepare('SELECT COUNT(*) AS n, MIN(quote_id) AS q FROM fills').get() as { n: number; q: number };
    expect(fills.n).toBe(1);
    expect(fills.q).toBeGreaterThan(0);
    // a double tap does not burn the hourly allowance
    const lim = await t.desk.limits(trader);
    expect(lim.limits.find((l) => l.name === 'execute')!.used).toBe(1);
  });

  it('1,000 concurrent scans with a limit of 10 → exactly 10 succeed, the rest RATE_LIMITED with the reset time', async () => {
    t = await createTestDesk({ LIMIT_SCANS_PER_DAY: '10' });
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => t!.desk.runScan(viewer)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const limited = results.filter((r) => r.status === 'rejected' && isDeskError(r.reason, 'RATE_LIMITED'));
    expect(ok).toHaveLength(10);
    expect(limited).toHaveLength(990);
    const detail = (limited[0] as PromiseRejectedResult).reason.detail;
    expect(detail.resetAt).toBe(Date.UTC(2026, 10, 3));
    expect(detail.max).toBe(10);
  });

  it('two actors executing the same signal: the second is refused POSITION_EXISTS (one book, one-way mode)', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const [a, b] = await Promise.allSettled([t.desk.execute(trader, { signalId: s.id }), t.desk.execute(admin, { signalId: s.id })]);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && isDeskError(b.reason, 'POSITION_EXISTS')).toBe(true);
  });
});

describe('execute: gates', () => {
  it('a viewer calling execute is FORBIDDEN and the refusal is audited', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    expect(await codeOf(t.desk.execute(viewer, { signalId: s.id }))).toBe('FORBIDDEN');
    const audit = t.store.audit.recent(5);
    expect(audit.some((a) => a.actorId === '42' && a.outcome === 'refused:FORBIDDEN')).toBe(true);
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get()).toEqual({ n: 0 });
  });

  it('a quote snapshot older than 2 s is refused STALE_QUOTE and nothing is stored', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    t.clock.advance(2001);
    const err = await t.desk.execute(trader, { signalId: s.id }).catch((e: unknown) => e);
    expect(isDeskError(err, 'STALE_QUOTE')).toBe(true);
    expect((err as { detail: { ageMs: number } }).detail.ageMs).toBe(2001);
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get()).toEqual({ n: 0 });
    const preview = await t.desk.previewExecution(trader, { signalId: s.id });
    expect(preview.allowed).toBe(false);
    expect(preview.refusal?.code).toBe('STALE_QUOTE');
  });

  it('kill switch on → entries refused, closes allowed; off needs an admin', async () => {
    t = await createTestDesk();
    const s1 = await t.nextSignal();
    const placed = await t.desk.execute(trader, { signalId: s1.id });
    expect(placed.positionId).not.toBeNull();
    await t.desk.setKillSwitch(trader, { on: true, reason: 'test' });
    const s2 = await t.nextSignal();
    expect(await codeOf(t.desk.execute(trader, { signalId: s2.id }))).toBe('KILL_SWITCH');
    t.clock.advance(0);
    const closed = await t.desk.closePosition(trader, { positionId: placed.positionId! });
    expect(closed.status).toBe('closed');
    expect(await codeOf(t.desk.setKillSwitch(trader, { on: false }))).toBe('FORBIDDEN');
    await t.desk.setKillSwitch(admin, { on: false });
    expect((await t.desk.status(viewer)).killSwitch).toBe(false);
  });

  it('the daily-loss breaker trips on a real loss, refuses entries until an admin resumes', async () => {
    // 60 % risk cap per position and a 0.1 % breaker: one losing close trips it.
    t = await createTestDesk({ RISK_DAILY_LOSS_PCT: '0.1', RISK_MAX_MARGIN_PCT: '60', RISK_PER_TRADE_PCT: '2' });
    const events: string[] = [];
    t.desk.subscribe((e) => events.push(e.type === 'risk.tripped' ? `risk.tripped:${e.what}` : e.type));
    let tripped = false;
    for (let i = 0; i < 40 && !tripped; i++) {
      const s = await t.nextSignal();
      const r = await t.desk.execute(trader, { signalId: s.id }).catch(() => null);
      if (r?.positionId) await t.desk.closePosition(trader, { positionId: r.positionId }).catch(() => null);
      tripped = (await t.desk.status(viewer)).breaker.tripped;
      if (!tripped) await t.feed.step(1);
    }
    expect(tripped).toBe(true);
    expect(events).toContain('risk.tripped:breaker');
    const s = await t.nextSignal();
    expect(await codeOf(t.desk.execute(trader, { signalId: s.id }))).toBe('BREAKER_TRIPPED');
    await t.desk.resumeEntries(admin);
    expect((await t.desk.status(viewer)).breaker.tripped).toBe(false);
  });

  it('pause refuses entries with ENTRIES_PAUSED; only admins pause', async () => {
    t = await createTestDesk();
    expect(await codeOf(t.desk.pauseEntries(trader))).toBe('FORBIDDEN');
    await t.desk.pauseEntries(admin, { reason: 'maintenance' });
    const s = await t.nextSignal();
    expect(await codeOf(t.desk.execute(trader, { signalId: s.id }))).toBe('ENTRIES_PAUSED');
  });

  it('bad input is refused VALIDATION naming the field', async () => {
    t = await createTestDesk();
    const err = await t.desk.execute(trader, { signalId: '', riskPct: 50 } as never).catch((e: unknown) => e);
    expect(isDeskError(err, 'VALIDATION')).toBe(true);
    expect((err as { detail: { field: string } }).detail.field).toBe('signalId');
    const err2 = await t.desk.runScan(viewer, { symbol: 'not a symbol' }).catch((e: unknown) => e);
    expect((err2 as { detail: { field: string } }).detail.field).toBe('symbol');
  });

  it('sizing risks 1 % of equity between entry and stop, rounded to the qty step, margin within 15 %', async () => {
    t = await createTestDesk();
    const s = await t.nextSignal();
    const p = await t.desk.previewExecution(trader, { signalId: s.id });
    expect(p.allowed).toBe(true);
    expect(p.riskUsdt).toBeLessThanOrEqual(100.0001);
    expect(p.margin).toBeLessThanOrEqual(1500.0001);
    expect(p.leverage).toBeLessThanOrEqual(3);
  });
});

describe('actor validation', () => {
  it('an actor object changed after a good call is validated again (no escalation through a remembered check)', async () => {
    t = await createTestDesk();
    const a = { kind: 'rpc', id: 'mutant', role: 'viewer' } as { kind: 'rpc'; id: string; role: string };
    await t.desk.status(a as never);
    a.role = 'god';
    expect(await codeOf(t.desk.status(a as never))).toBe('UNAUTHENTICATED');
    a.role = 'viewer';
    const s = await t.nextSignal();
    expect(await codeOf(t.desk.execute(a as never, { signalId: s.id }))).toBe('FORBIDDEN');
  });
});
