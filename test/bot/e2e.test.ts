// End to end: the desk started as `npm start` (npx tsx scripts/start.ts) with TELEGRAM_BOT_TOKEN and
// TELEGRAM_API_ROOT pointing at the loopback Bot API fake: /start → /scan → alert → Execute → Confirm → fill.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi, type FakeMessage } from '../fakes/telegram-bot-api/server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = '987654:e2e-loopback-token';
const USER = 424242;

let fake: FakeBotApi;
let child: ChildProcess;
// Made here, before the afterAll below is registered, so its removal runs after that afterAll stopped the desk.
const dir = tempDir('desk-e2e-');
let output = '';

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- desk output ---\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const button = (m: FakeMessage, label: RegExp): string | undefined =>
  m.replyMarkup?.inline_keyboard.flat().find((b) => label.test(b.text))?.callback_data;

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TOKEN });
  // The desk itself (not npx → tsx → node), so the SIGTERM in afterAll reaches it and nothing is left running.
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DESK_PORT: '0',
      DESK_DB: join(dir, 'desk.db'),
      DESK_BACKUP_DIR: join(dir, 'backups'),
      DESK_LOG_LEVEL: 'warn',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_TRADER_IDS: String(USER),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('the desk to be ready', () => (/signal desk ready/.test(output) ? true : undefined), 90_000);
  await fake.waitForCall((c) => c.method === 'getUpdates', 30_000);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(r, 6000);
      child.once('exit', () => {
        clearTimeout(t);
        r(null);
      });
    });
  }
  await fake?.close();
});

describe('npm start with the Telegram bot against the loopback Bot API', () => {
  it('/start → /scan → alert → Execute → Confirm → fill notice', async () => {
    fake.pushMessage(USER, '/start');
    await until('the welcome', () => fake.lastMessage(USER, /^Welcome to Signal Desk/));
    fake.pushMessage(USER, '/scan');
    await until('the scan result', () => fake.lastMessage(USER, /^Scanned \d+ series/));

    // An alert (from the scan or from the replay) with an Execute button.
    const alert = await until('an alert with Execute', () => {
      const list = fake.messages.get(USER) ?? [];
      return [...list].reverse().find((m) => m.text.startsWith('🔔') && button(m, /^Execute$/));
    }, 90_000);
    fake.pushCallback(USER, button(alert, /^Execute$/)!, alert.messageId);
    const confirm = await until('the confirmation', () => fake.lastMessage(USER, /^Confirm (LONG|SHORT)/));
    expect(confirm.text).toMatch(/Margin .* USDT · risk .* USDT/);
    fake.pushCallback(USER, button(confirm, /^Confirm$/)!, confirm.messageId);

    const result = await until('the result in place', () => {
      const m = fake.messages.get(USER)!.find((x) => x.messageId === confirm.messageId)!;
      return /^(✅|⏳|❌)/.test(m.text) ? m : undefined;
    });
    expect(result.text).toMatch(/^✅ (LONG|SHORT) \w+: .* filled at /);
    await until('the fill notice', () => fake.lastMessage(USER, /^✅ Filled: /));
  }, 180_000);
});
