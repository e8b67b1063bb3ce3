import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskEvent } from '../../engine/index.ts';
import { answers, createHarness, type Harness } from './harness.ts';

const USERS = Array.from({ length: 100 }, (_, i) => 500_000 + i);
const INTRUDER = 999_999;

let h: Harness;
const placed = new Map<string, number>();
beforeAll(async () => {
  h = await createHarness({ TELEGRAM_TRADER_IDS: [...USERS, INTRUDER].join(','), LIMIT_EXECUTES_PER_HOUR: '20' });
  h.td.desk.subscribe((ev: DeskEvent) => {
    if (ev.type === 'order.placed') placed.set(ev.actorId, (placed.get(ev.actorId) ?? 0) + 1);
  });
  for (const u of USERS) await h.send(u, '/start');
}, 60_000);
afterAll(async () => {
  await h.close();
});

function keyboardsTo(chatId: number, label: RegExp): string[] {
  const out: string[] = [];
  for (const c of h.calls) {
    if (Number(c.payload.chat_id) !== chatId) continue;
    const kb = c.payload.reply_markup?.inline_keyboard as { text: string; callback_data: string }[][] | undefined;
    for (const row of kb ?? []) for (const b of row) if (label.test(b.text)) out.push(b.callback_data);
  }
  return out;
}

describe('100 users pressing at once on the same alert', () => {
  it('at most one order per user, exact limits, forged presses change nothing', async () => {
    const sig = await h.td.nextSignal();
    await h.settle();
    for (const u of USERS) expect(keyboardsTo(u, /^Execute$/), `alert to ${u}`).toHaveLength(1);

    // Each user presses Execute 10 times at once.
    await Promise.all(USERS.flatMap((u) => Array.from({ length: 10 }, () => h.press(u, keyboardsTo(u, /^Execute$/)[0]))));
    for (const u of USERS) expect(keyboardsTo(u, /^Confirm$/).length).toBe(10);

    // A second user replays every first user's Confirm buttons: refused, audited, nothing spent.
    const before = h.calls.length;
    await Promise.all(USERS.slice(0, 20).flatMap((u) => keyboardsTo(u, /^Confirm$/).map((d) => h.press(INTRUDER, d))));
    const refused = answers(h, before);
    expect(refused).toHaveLength(200);
    expect(refused.every((a) => a.text === 'This button is not valid for you.')).toBe(true);
    expect(placed.size).toBe(0);

    // Now every user presses all 10 of their Confirm buttons at once.
    await Promise.all(USERS.flatMap((u) => keyboardsTo(u, /^Confirm$/).map((d) => h.press(u, d))));
    await h.settle();

    for (const [actorId, n] of placed) expect(n, `orders of ${actorId}`).toBeLessThanOrEqual(1);
    expect(placed.has(String(INTRUDER))).toBe(false);
    let total = 0;
    for (const u of USERS) {
      const actor = { kind: 'telegram' as const, id: String(u), role: 'trader' as const };
      const exec = (await h.td.desk.limits(actor)).limits.find((l) => l.name === 'execute')!;
      // The Desk counts executes that placed an order (a refused plan rolls its count back).
      expect(exec.used, `execute count of ${u}`).toBe(placed.get(String(u)) ?? 0);
      // Exactly one of the ten Confirm presses reached the Desk; the other nine were refused as used.
      const outcomes = h.texts(u).filter((t) => /^(❌|✅ (LONG|SHORT) )/.test(t));
      expect(outcomes, `outcomes of ${u}`).toHaveLength(1);
      total += placed.get(String(u)) ?? 0;
    }
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBe(1); // one shared paper account: the first fill owns the symbol, the rest get POSITION_EXISTS
    const intruder = { kind: 'telegram' as const, id: String(INTRUDER), role: 'trader' as const };
    expect((await h.td.desk.limits(intruder)).limits.find((l) => l.name === 'execute')!.used).toBe(0);
    const { positions } = await h.td.desk.listPositions(intruder, { status: 'all' });
    expect(positions.filter((p) => p.signalId === sig.id).length).toBe(total);
  }, 120_000);
});
