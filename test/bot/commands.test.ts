import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, TRADER, VIEWER, createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('commands in English', () => {
  it('/start registers and offers languages', async () => {
    const n = h.calls.length;
    await h.send(VIEWER, '/start');
    const [text] = h.texts(VIEWER, n);
    expect(text).toContain('Welcome to Signal Desk');
    expect(text).toContain('viewer');
    expect(h.button(VIEWER, /Русский/)).toMatch(/^l:/);
  });

  it('/help lists only what the role may run', async () => {
    let n = h.calls.length;
    await h.send(VIEWER, '/help');
    const viewerHelp = h.texts(VIEWER, n).join('\n');
    expect(viewerHelp).toContain('/scan [symbol]');
    expect(viewerHelp).not.toContain('/kill');
    n = h.calls.length;
    await h.send(ADMIN, '/help');
    const adminHelp = h.texts(ADMIN, n).join('\n');
    expect(adminHelp).toContain('/kill [reason]');
    expect(adminHelp).toContain('/close <symbol|id>');
  });

  it('/status shows the desk', async () => {
    const n = h.calls.length;
    await h.send(VIEWER, '/status');
    const [text] = h.texts(VIEWER, n);
    expect(text).toMatch(/Desk: paper · feed replay/);
    expect(text).toContain('BTCUSDT');
  });
});

describe('every command, English', () => {
  const trader = { kind: 'telegram' as const, id: String(TRADER), role: 'trader' as const };

  it('/signals, /signal, /positions, /balance, /pnl, /limits', async () => {
    let n = h.calls.length;
    await h.send(VIEWER, '/signals');
    expect(h.texts(VIEWER, n)[0]).toMatch(/^(No live signals right now\.|Live signals \(\d+\):)/);
    n = h.calls.length;
    await h.send(VIEWER, '/signal');
    expect(h.texts(VIEWER, n)[0]).toBe('Usage: /signal <id>');
    n = h.calls.length;
    await h.send(VIEWER, '/signal nope');
    expect(h.texts(VIEWER, n)[0]).toBe('Not found.');
    n = h.calls.length;
    await h.send(VIEWER, '/positions');
    expect(h.texts(VIEWER, n)[0]).toBe('No open positions.');
    n = h.calls.length;
    await h.send(VIEWER, '/balance');
    expect(h.texts(VIEWER, n)[0]).toMatch(/^Balance \(paper\)\nEquity 10,000\.00 USDT · available 10,000\.00 USDT/);
    n = h.calls.length;
    await h.send(VIEWER, '/pnl week');
    expect(h.texts(VIEWER, n)[0]).toMatch(/^PnL this week \(.*UTC\)\nRealized 0\.00 USDT · fees 0\.00 USDT\nTrades 0 · wins 0 · losses 0 · win rate n\/a$/);
    n = h.calls.length;
    await h.send(VIEWER, '/pnl forever');
    expect(h.texts(VIEWER, n)[0]).toBe('That input is not valid (period).');
    n = h.calls.length;
    await h.send(VIEWER, '/limits');
    expect(h.texts(VIEWER, n)[0]).toMatch(/^Your limits:\nScans: 0 of 10 · resets .* UTC\nExecutes: 0 of 20 · resets .* UTC$/);
  });

  it('/scan counts against the daily limit and shows what is left', async () => {
    const n = h.calls.length;
    await h.send(TRADER, '/scan BTCUSDT');
    const out = h.texts(TRADER, n).join('\n');
    expect(out).toMatch(/^Scanned \d+ series: /);
    expect(out).toMatch(/Scans today: 1 of 10 · resets .* UTC/);
    expect(h.calls.slice(n).some((c) => c.method === 'sendChatAction' && c.payload.action === 'typing')).toBe(true);
    const m = h.calls.length;
    await h.send(TRADER, '/scan NOTASYMBOL');
    expect(h.texts(TRADER, m)[0]).toBe('That input is not valid (symbol).');
  });

  it('/subscribe, /unsubscribe, /mute, /unmute, /settings', async () => {
    let n = h.calls.length;
    await h.send(TRADER, '/subscribe bb-grid-long');
    expect(h.texts(TRADER, n)[0]).toBe('Following bb-grid-long.');
    await h.send(TRADER, '/unsubscribe ethusdt');
    expect(h.texts(TRADER, n)[1]).toBe('You were not following ETHUSDT.');
    await h.send(TRADER, '/unsubscribe bb-grid-long');
    expect(h.texts(TRADER, n)[2]).toBe('No longer following bb-grid-long.');
    await h.send(TRADER, '/unsubscribe');
    expect(h.texts(TRADER, n)[3]).toBe('Alerts off. Send /subscribe to turn them back on.');
    expect((await h.td.desk.getSettings(trader)).settings.alerts).toBe(false);
    await h.send(TRADER, '/subscribe');
    expect(h.texts(TRADER, n)[4]).toBe('Alerts on.');
    await h.send(TRADER, '/mute solusdt');
    expect(h.texts(TRADER, n)[5]).toBe('Muted SOLUSDT. Send /unmute SOLUSDT to undo.');
    await h.send(TRADER, '/mute');
    expect(h.texts(TRADER, n)[6]).toBe('Usage: /mute <symbol>');
    await h.send(TRADER, '/mute bogus!');
    expect(h.texts(TRADER, n)[7]).toBe('That input is not valid (symbol).');
    await h.send(TRADER, '/unmute SOLUSDT');
    expect(h.texts(TRADER, n)[8]).toBe('Unmuted SOLUSDT.');
    await h.send(TRADER, '/unmute SOLUSDT');
    expect(h.texts(TRADER, n)[9]).toBe('SOLUSDT was not muted.');
    n = h.calls.length;
    await h.send(TRADER, '/settings');
    expect(h.texts(TRADER, n)[0]).toBe('Your settings\nLanguage: English\nAlert detail: compact\nAlerts: on\nFollowing: none\nMuted: none');
    await h.press(TRADER, h.button(TRADER, /^Full alerts$/));
    expect(h.texts(TRADER, n)[1]).toContain('Alert detail: full');
    await h.press(TRADER, h.button(TRADER, /^Alerts off$/));
    expect(h.texts(TRADER, n)[2]).toContain('Alerts: off');
    expect((await h.td.desk.getSettings(trader)).settings).toMatchObject({ alertDetail: 'full', alerts: false });
    await h.press(TRADER, h.button(TRADER, /^Alerts on$/));
  });

  it('refuses commands above the role, and unknown commands', async () => {
    let n = h.calls.length;
    for (const cmd of ['/pause', '/resume', '/kill', '/unkill', '/users', '/report']) await h.send(VIEWER, cmd);
    expect(h.texts(VIEWER, n)).toEqual(Array(6).fill('This needs the admin role.'));
    n = h.calls.length;
    await h.send(VIEWER, '/close BTCUSDT');
    expect(h.texts(VIEWER, n)[0]).toBe('This needs the trader role.');
    await h.send(TRADER, '/kill');
    expect(h.texts(TRADER, n)[0]).toBe('This needs the admin role.');
    await h.send(VIEWER, '/frobnicate');
    expect(h.texts(VIEWER, n)[1]).toBe('Unknown command. Send /help for the list.');
  });

  it('/close without a position, and with wrong arguments', async () => {
    const n = h.calls.length;
    await h.send(TRADER, '/close');
    await h.send(TRADER, '/close ETHUSDT');
    expect(h.texts(TRADER, n)).toEqual(['Usage: /close <symbol|id>', 'No open position matches ETHUSDT.']);
  });

  it('admin: /pause, /resume, /kill with confirmation, /unkill, /users, /report', async () => {
    let n = h.calls.length;
    await h.send(ADMIN, '/pause maintenance');
    await h.settle();
    expect(h.texts(ADMIN, n)).toContain('Entries: paused · kill switch: off · breaker: ok');
    expect(h.texts(TRADER, n)).toContain('⛔ Entries paused — maintenance');
    await h.send(ADMIN, '/resume');
    await h.settle();
    expect(h.texts(ADMIN, n)).toContain('Entries: open · kill switch: off · breaker: ok');
    n = h.calls.length;
    await h.send(ADMIN, '/kill drill');
    expect(h.texts(ADMIN, n)[0]).toMatch(/^Turn the kill switch ON\?/);
    expect((await h.td.desk.status({ kind: 'telegram', id: String(ADMIN), role: 'admin' })).killSwitch).toBe(false);
    await h.press(ADMIN, h.button(ADMIN, /^Confirm$/));
    await h.settle();
    expect(h.texts(ADMIN, n)).toContain('Entries: open · kill switch: ON · breaker: ok');
    expect(h.texts(TRADER, n)).toContain('⛔ Kill switch ON (close-only) — drill');
    n = h.calls.length;
    await h.send(ADMIN, '/unkill');
    await h.settle();
    expect(h.texts(ADMIN, n)).toContain('Entries: open · kill switch: off · breaker: ok');
    expect(h.texts(TRADER, n)).toContain('✅ Kill switch off');
    n = h.calls.length;
    await h.send(ADMIN, '/users');
    expect(h.texts(ADMIN, n)[0]).toMatch(/^Users \(\d+\):\ntelegram /);
    await h.send(ADMIN, '/report');
    expect(h.texts(ADMIN, n)[1]).toMatch(/^📊 Daily report .* UTC\nUptime .*\nSignals \(24 h\): \d+ · trades \(24 h\): \d+/);
  });

  it('the scheduled report.daily reaches admins only', async () => {
    const n = h.calls.length;
    const report = await h.td.desk.report({ kind: 'system', id: 'test', role: 'admin' });
    await h.bot.handleEvent({ type: 'report.daily', at: report.at, report });
    expect(h.texts(ADMIN, n)[0]).toMatch(/^📊 Daily report/);
    expect(h.texts(TRADER, n)).toHaveLength(0);
    expect(h.texts(VIEWER, n)).toHaveLength(0);
  });
});

describe('every command, Russian', () => {
  it('switches language from /start and answers in Russian', async () => {
    let n = h.calls.length;
    await h.send(VIEWER, '/start');
    await h.press(VIEWER, h.button(VIEWER, /^Русский$/));
    expect(h.texts(VIEWER, n)).toContain('Язык: русский. Команды — /help.');
    n = h.calls.length;
    await h.send(VIEWER, '/status');
    expect(h.texts(VIEWER, n)[0]).toMatch(/^Деск: бумага · данные replay\nВходы: открыты · аварийный режим: выкл/);
    n = h.calls.length;
    await h.send(VIEWER, '/balance');
    // Russian grouping uses a no-break space and a decimal comma.
    expect(h.texts(VIEWER, n)[0]).toMatch(/^Баланс \(бумага\)\nКапитал 10\s000,00 USDT/);
    n = h.calls.length;
    await h.send(VIEWER, '/help');
    expect(h.texts(VIEWER, n)[0]).toContain('/scan [символ] — Сканировать сейчас (расходует дневной лимит)');
    n = h.calls.length;
    await h.send(VIEWER, '/kill');
    await h.send(VIEWER, '/signal nope');
    await h.send(VIEWER, '/pnl');
    await h.send(VIEWER, '/limits');
    await h.send(VIEWER, '/settings');
    await h.send(VIEWER, '/mute');
    await h.send(VIEWER, '/nonsense');
    const out = h.texts(VIEWER, n);
    expect(out[0]).toBe('Нужна роль «администратор».');
    expect(out[1]).toBe('Не найдено.');
    expect(out[2]).toMatch(/^PnL за сегодня/);
    expect(out[3]).toMatch(/^Ваши лимиты:\nСканы: 0 из 10/);
    expect(out[4]).toMatch(/^Ваши настройки\nЯзык: Русский/);
    expect(out[5]).toBe('Использование: /mute <символ>');
    expect(out[6]).toBe('Неизвестная команда. Список — /help.');
    await h.press(VIEWER, h.button(VIEWER, /^English$/));
  });
});
