import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OTHER_TRADER, TRADER, VIEWER, answers, createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.send(TRADER, '/start');
  await h.send(VIEWER, '/start');
  await h.send(OTHER_TRADER, '/start');
});
afterEach(async () => {
  await h.close();
});

async function alertFor(chatId: number): Promise<{ signalId: string; alertText: string }> {
  const sig = await h.td.nextSignal();
  await h.settle();
  const alert = h.texts(chatId).find((t) => t.includes('🔔') && t.includes(sig.symbol));
  expect(alert, 'alert delivered').toBeDefined();
  return { signalId: sig.id, alertText: alert! };
}

describe('alert → Execute → Confirm', () => {
  it('shows risk at the user sizing, confirms, fills and notifies', async () => {
    const { signalId, alertText } = await alertFor(TRADER);
    expect(alertText).toMatch(/Risk at your sizing: [\d,.]+ USDT \([\d.]+ %\)/);
    expect(alertText).toMatch(/Entry .* · stop .* · targets /);
    const exec = h.button(TRADER, /^Execute$/);
    expect(Buffer.byteLength(exec)).toBeLessThanOrEqual(64);

    let n = h.calls.length;
    await h.press(TRADER, exec);
    const confirm = h.texts(TRADER, n).find((t) => t.startsWith('Confirm'));
    expect(confirm).toMatch(/Size .* notional .* USDT · leverage/);
    expect(confirm).toMatch(/Margin .* USDT · risk .* USDT/);
    expect(confirm).toContain('Valid for 30 s.');

    n = h.calls.length;
    await h.press(TRADER, h.button(TRADER, /^Confirm$/));
    await h.settle();
    const after = h.texts(TRADER, n);
    expect(after.some((t) => /^✅ (LONG|SHORT) \w+: .* filled at /.test(t))).toBe(true);
    expect(after.some((t) => t.startsWith('✅ Filled:'))).toBe(true);
    const { positions } = await h.td.desk.listPositions({ kind: 'telegram', id: String(TRADER), role: 'trader' });
    expect(positions.filter((p) => p.signalId === signalId)).toHaveLength(1);
  });

  it('a done trade is never reported as failed when its confirmation message can no longer be edited', async () => {
    await alertFor(TRADER);
    await h.press(TRADER, h.button(TRADER, /^Execute$/));
    let n = h.calls.length;
    h.failNext.push('editMessageText');
    await h.press(TRADER, h.button(TRADER, /^Confirm$/));
    await h.settle();
    let after = h.texts(TRADER, n);
    expect(after.some((t) => /^✅ (LONG|SHORT) \w+: .* filled at /.test(t))).toBe(true);
    expect(after.filter((t) => t.startsWith('❌'))).toEqual([]);
    const trader = { kind: 'telegram' as const, id: String(TRADER), role: 'trader' as const };
    const [pos] = (await h.td.desk.listPositions(trader)).positions;
    expect(pos).toBeDefined();

    await h.send(TRADER, `/close ${pos!.symbol}`);
    n = h.calls.length;
    h.failNext.push('editMessageText');
    await h.press(TRADER, h.button(TRADER, /^Confirm$/));
    await h.settle();
    after = h.texts(TRADER, n);
    expect(after.some((t) => t.startsWith(`Closed `) && t.includes(pos!.symbol))).toBe(true);
    expect(after.filter((t) => t.startsWith('❌') || t.includes('went wrong'))).toEqual([]);
    expect((await h.td.desk.listPositions(trader)).positions).toEqual([]);
  });

  it('viewers get no Execute button and cannot use a trader button', async () => {
    await alertFor(VIEWER);
    expect(() => h.button(VIEWER, /^Execute$/)).toThrow();
    const traderExec = h.button(TRADER, /^Execute$/);
    const n = h.calls.length;
    await h.press(VIEWER, traderExec);
    expect(answers(h, n)[0]).toMatchObject({ text: 'This needs the trader role.', show_alert: true });
  });

  it('refuses a foreign, replayed, forged or expired Confirm and changes nothing', async () => {
    const { signalId } = await alertFor(TRADER);
    await h.press(TRADER, h.button(TRADER, /^Execute$/));
    const confirm = h.button(TRADER, /^Confirm$/);

    let n = h.calls.length;
    await h.press(OTHER_TRADER, confirm);
    expect(answers(h, n)[0]?.text).toBe('This button is not valid for you.');
    const forged = confirm.replace(/^c:(.{4})/, 'c:AAAA');
    await h.press(TRADER, forged);
    expect(answers(h, n)[1]?.text).toBe('This button is not valid for you.');
    await h.press(TRADER, 'c:garbage');
    expect(answers(h, n)[2]?.text).toBe('This button is not valid for you.');
    const trader = { kind: 'telegram' as const, id: String(TRADER), role: 'trader' as const };
    expect((await h.td.desk.listPositions(trader)).positions).toHaveLength(0);

    // The owner may still confirm: a foreign press never spends the nonce.
    await h.press(TRADER, confirm);
    n = h.calls.length;
    await h.press(TRADER, confirm);
    expect(answers(h, n)[0]?.text).toBe('This button was already used.');
    expect((await h.td.desk.listPositions(trader)).positions.filter((p) => p.signalId === signalId)).toHaveLength(1);
  });

  it('a confirmation expires after TELEGRAM_CONFIRM_TTL_S', async () => {
    await alertFor(TRADER);
    await h.press(TRADER, h.button(TRADER, /^Execute$/));
    const confirm = h.button(TRADER, /^Confirm$/);
    h.td.clock.advance(31_000);
    const n = h.calls.length;
    await h.press(TRADER, confirm);
    expect(answers(h, n)[0]?.text).toBe('This button has expired.');
    expect(h.texts(TRADER, n)).toContain('This confirmation expired. Press the button again for a fresh one.');
  });

  it('Cancel voids the confirmation', async () => {
    await alertFor(TRADER);
    await h.press(TRADER, h.button(TRADER, /^Execute$/));
    const confirm = h.button(TRADER, /^Confirm$/);
    let n = h.calls.length;
    await h.press(TRADER, h.button(TRADER, /^Cancel$/));
    expect(h.texts(TRADER, n)).toContain('Cancelled.');
    n = h.calls.length;
    await h.press(TRADER, confirm);
    expect(answers(h, n)[0]?.text).toBe('This button was already used.');
  });

  it('Details and Mute work from the alert', async () => {
    const { alertText } = await alertFor(VIEWER);
    const symbol = /🔔 (\w+)/.exec(alertText)![1];
    let n = h.calls.length;
    await h.press(VIEWER, h.button(VIEWER, /^Details$/));
    expect(h.texts(VIEWER, n).join('\n')).toMatch(/Score parts: /);
    n = h.calls.length;
    await h.press(VIEWER, h.button(VIEWER, /^Mute /));
    expect(answers(h, n)[0]?.text).toBe(`Muted ${symbol}. Send /unmute ${symbol} to undo.`);
    const viewer = { kind: 'telegram' as const, id: String(VIEWER), role: 'viewer' as const };
    expect((await h.td.desk.getSettings(viewer)).settings.mutedSymbols).toContain(symbol);
  });
});

describe('flood guard and allowlist', () => {
  it('drops a user flooding buttons without starving another user', async () => {
    const g = await createHarness({}, { floodGuard: { perSecond: 1, burst: 3 } });
    try {
      await g.send(VIEWER, '/settings');
      const data = g.button(VIEWER, /^Full alerts$/);
      const n = g.calls.length;
      for (let i = 0; i < 5; i++) await g.press(VIEWER, data);
      const a = answers(g, n);
      expect(a.filter((x) => x.text === 'Too fast — please wait a second.')).toHaveLength(3);
      const m = g.calls.length;
      await g.send(TRADER, '/status');
      expect(g.texts(TRADER, m)[0]).toMatch(/^Desk: paper/);
      g.td.clock.advance(1000);
      await g.press(VIEWER, data);
      expect(answers(g, m).at(-1)?.text).toBe('Saved.');
    } finally {
      await g.close();
    }
  });

  it('allowlist mode refuses unlisted users on commands and buttons, and audits them', async () => {
    const g = await createHarness({ TELEGRAM_MODE: 'allowlist' });
    try {
      const n = g.calls.length;
      await g.send(VIEWER, '/status', 'ru');
      expect(g.texts(VIEWER, n)).toEqual([`Это закрытый деск. Попросите администратора добавить ваш Telegram id ${VIEWER}.`]);
      await g.press(VIEWER, 'x:AAAAAAAAAAAAAAAA');
      expect(answers(g, n)[0]).toMatchObject({ show_alert: true });
      await g.send(TRADER, '/status');
      expect(g.texts(TRADER, n)[0]).toMatch(/^Desk: paper/);
    } finally {
      await g.close();
    }
  });
});

describe('limits are the Desk’s', () => {
  it('a scan over the daily limit says what is left and when it resets, in both languages', async () => {
    const g = await createHarness({ LIMIT_SCANS_PER_DAY: '1' });
    try {
      await g.send(VIEWER, '/scan');
      const n = g.calls.length;
      await g.send(VIEWER, '/scan');
      expect(g.texts(VIEWER, n)[0]).toMatch(/^You have reached a limit\.\nScans: 1 of 1 · resets .* UTC\nExecutes: 0 of 20 · resets .* UTC$/);
      await g.updateLang(VIEWER, 'ru');
      const m = g.calls.length;
      await g.send(VIEWER, '/scan');
      expect(g.texts(VIEWER, m)[0]).toMatch(/^Вы исчерпали лимит\.\nСканы: 1 из 1 · сброс .* UTC/);
    } finally {
      await g.close();
    }
  });
});
