import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotApiFetch } from '../../bot/bot-api-fetch.ts';
import { startFakeBotApi, type FakeBotApi } from '../fakes/telegram-bot-api/server.ts';

const TOKEN = '4242:fetch-test-token';
const BOT_INFO = {
  id: 777000,
  is_bot: true as const,
  first_name: 'Signal Desk',
  username: 'signal_desk_fake_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
};

function botOn(url: string): Bot {
  return new Bot(TOKEN, { botInfo: BOT_INFO as never, client: { apiRoot: url, fetch: createBotApiFetch() as never } });
}

let fake: FakeBotApi | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('createBotApiFetch through grammY', () => {
  it('sends JSON calls and multipart uploads over one keep-alive client and hands back what the Bot API answered', async () => {
    fake = await startFakeBotApi({ token: TOKEN });
    const bot = botOn(fake.url);
    const sent = await bot.api.sendMessage(5, 'привет — hello', { reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'x' }]] } });
    expect(sent.text).toBe('привет — hello');
    const png = Buffer.alloc(3000, 7);
    const photo = await bot.api.sendPhoto(5, new InputFile(png, 'c.png'), { caption: 'chart' });
    expect(photo.caption).toBe('chart');
    const upload = fake.calls.find((c) => c.method === 'sendPhoto')!;
    const attached = String(upload.payload.photo).replace(/^attach:\/\//, '');
    const part = upload.payload[attached] as { bytes: number } | string;
    expect(typeof part === 'string' ? part : part.bytes).toEqual(typeof part === 'string' ? '\u0007'.repeat(png.length) : png.length);
    expect(fake.lastMessage(5)?.text).toBe('chart');
  });

  it('a Bot API refusal is a GrammyError with its code and description', async () => {
    fake = await startFakeBotApi({ token: TOKEN });
    fake.injectError('sendMessage', 403, 'Forbidden: bot was blocked by the user');
    const err = await botOn(fake.url).api.sendMessage(5, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect((err as GrammyError).error_code).toBe(403);
    expect((err as GrammyError).description).toContain('blocked');
  });

  it('an answer that is not JSON, and a connection cut mid-answer, are HttpErrors', async () => {
    let mode: 'html' | 'cut' = 'html';
    const { url, server } = await rawServer((req, res) => {
      req.resume();
      if (mode === 'html') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":tr');
        setTimeout(() => res.socket?.destroy(), 5);
      }
    });
    servers.push(server);
    const bot = botOn(url);
    await expect(bot.api.sendMessage(5, 'x')).rejects.toBeInstanceOf(HttpError);
    mode = 'cut';
    await expect(bot.api.sendMessage(5, 'x')).rejects.toBeInstanceOf(HttpError);
  });

  it('an abort ends a pending long poll at once, and a refused connection rejects', async () => {
    const { url, server } = await rawServer((req) => req.resume()); // never answers
    servers.push(server);
    const fetchFn = createBotApiFetch();
    const ctl = new AbortController();
    const pending = fetchFn(`${url}/bot${TOKEN}/getUpdates`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await expect(fetchFn(`${url}/x`, { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const closed = await rawServer(() => {});
    await new Promise<void>((r) => closed.server.close(() => r()));
    await expect(fetchFn(`${closed.url}/x`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
