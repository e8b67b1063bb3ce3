import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type DeskBot } from '../../bot/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { startFakeBotApi, type FakeBotApi } from '../fakes/telegram-bot-api/server.ts';

const TOKEN = '555000:fake-token-for-loopback';
const TRADER = 7001;

describe('long polling through the runner against the loopback Bot API', () => {
  let fake: FakeBotApi;
  let td: TestDesk;
  let bot: DeskBot;
  beforeAll(async () => {
    fake = await startFakeBotApi({ token: TOKEN });
    td = await createTestDesk({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_TRADER_IDS: String(TRADER) });
    fake.injectError('setMyCommands', 400, 'Bad Request: BOT_COMMAND_INVALID', 1);
    bot = createBot(td.desk, td.config, { clock: td.clock, pollTimeoutS: 1, floodGuard: false });
    await bot.start();
  });
  afterAll(async () => {
    await bot.stop();
    await td.close();
    await fake.close();
  });

  it('registers commands per language; a failing setMyCommands is not fatal', () => {
    const cmds = fake.calls.filter((c) => c.method === 'setMyCommands');
    expect(cmds.length).toBeGreaterThanOrEqual(3);
    const ru = cmds.find((c) => c.payload.language_code === 'ru' && !c.payload.scope);
    expect(ru?.payload.commands).toContainEqual({ command: 'scan', description: 'Сканировать сейчас (расходует дневной лимит)' });
    const traderScoped = cmds.find((c) => c.payload.scope?.chat_id === TRADER && c.payload.language_code === 'en');
    expect(traderScoped?.payload.commands.map((c: { command: string }) => c.command)).toContain('close');
  });

  it('answers /start and /status from getUpdates', async () => {
    fake.pushMessage(TRADER, '/start');
    await fake.waitForCall((c) => c.method === 'sendMessage' && c.payload.chat_id === TRADER && /Welcome/.test(c.payload.text));
    fake.pushMessage(TRADER, '/status');
    const reply = await fake.waitForCall((c) => c.method === 'sendMessage' && c.payload.chat_id === TRADER && /^Desk: paper/.test(c.payload.text));
    expect(reply.payload.text).toContain('Kill switch'.toLowerCase());
  });

  it('honours 429 retry_after from the Bot API', async () => {
    fake.inject429('sendMessage', 1, 1);
    const before = fake.calls.length;
    fake.pushMessage(TRADER, '/balance');
    let seen = 0;
    await fake.waitForCall((c) => c.method === 'sendMessage' && /^Balance/.test(c.payload.text) && ++seen === 2, 10_000);
    const attempts = fake.calls.slice(before).filter((c) => c.method === 'sendMessage' && /^Balance/.test(c.payload.text));
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(900);
  });

  it('a pressed button gets exactly one answerCallbackQuery', async () => {
    fake.pushMessage(TRADER, '/settings');
    await fake.waitForCall((c) => c.method === 'sendMessage' && c.payload.chat_id === TRADER && /^Your settings/.test(c.payload.text));
    const msg = fake.lastMessage(TRADER, /^Your settings/)!;
    const data = msg.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Full alerts')!.callback_data!;
    const id = fake.pushCallback(TRADER, data, msg.messageId);
    await fake.waitForCall((c) => c.method === 'editMessageText' && /Alert detail: full/.test(c.payload.text));
    expect(fake.calls.filter((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === id)).toHaveLength(1);
  });
});

describe('webhook mode', () => {
  it('sets the webhook with a secret and refuses updates without it', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    const secret = 'webhook-secret-0123456789';
    const td = await createTestDesk({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_WEBHOOK_URL: 'https://desk.example/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
    });
    const bot = createBot(td.desk, td.config, { clock: td.clock });
    await bot.start();
    const set = fake.calls.find((c) => c.method === 'setWebhook');
    expect(set?.payload).toMatchObject({ url: 'https://desk.example/telegram/webhook', secret_token: secret });
    const server = createServer((req, res) => void bot.webhookHandler!(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({
          update_id: 1,
          message: { message_id: 1, date: 0, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] },
        });
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await post({ 'x-telegram-bot-api-secret-token': 'wrong' })).toBe(401);
    expect(fake.calls.some((c) => c.method === 'sendMessage')).toBe(false);
    expect(await post({ 'x-telegram-bot-api-secret-token': secret })).toBe(200);
    await fake.waitForCall((c) => c.method === 'sendMessage' && c.payload.chat_id === 42);
    await bot.stop();
    server.close();
    await td.close();
    await fake.close();
  });

  it('refuses a webhook without a strong secret', async () => {
    const td = await createTestDesk({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: 'https://desk.example/hook' });
    expect(() => createBot(td.desk, td.config)).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    await td.close();
  });
});

describe('command registration at start with a large staff', () => {
  it('registers every staff chat in every language, with at most 8 setMyCommands in flight at once', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    const staff = Array.from({ length: 60 }, (_, i) => 910_000 + i);
    const td = await createTestDesk({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_TRADER_IDS: staff.join(',') });
    let inFlight = 0;
    let most = 0;
    const bot = createBot(td.desk, td.config, {
      clock: td.clock,
      pollTimeoutS: 1,
      floodGuard: false,
      transformers: [
        async (prev, method, payload, signal) => {
          if (method !== 'setMyCommands') return prev(method, payload, signal);
          most = Math.max(most, ++inFlight);
          try {
            return await prev(method, payload, signal);
          } finally {
            inFlight--;
          }
        },
      ],
    });
    try {
      fake.injectError('setMyCommands', 400, 'Bad Request: BOT_COMMAND_INVALID', 2);
      await bot.start();
      const cmds = fake.calls.filter((c) => c.method === 'setMyCommands');
      expect(cmds).toHaveLength(3 + staff.length * 3);
      for (const id of staff) expect(cmds.filter((c) => c.payload.scope?.chat_id === id)).toHaveLength(3);
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(8);
    } finally {
      await bot.stop();
      await td.close();
      await fake.close();
    }
  });
});
