// A loopback fake of the Telegram Bot API for tests and benchmarks: getUpdates long polling (offset,
// timeout, limit), sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendPhoto
// (multipart), sendChatAction, setMyCommands, getMe, setWebhook/deleteWebhook, and 429 injection.
// Listens on 127.0.0.1 only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One Bot API call as the fake received it. */
export interface FakeCall {
  method: string;
  payload: Record<string, any>;
  /** performance.now() when the request was complete. */
  at: number;
}

/** A message the bot sent or edited, as the fake holds it. */
export interface FakeMessage {
  chatId: number;
  messageId: number;
  text: string;
  replyMarkup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  photo: boolean;
}

/** The running fake. */
export interface FakeBotApi {
  /** API root to give the bot (TELEGRAM_API_ROOT). */
  url: string;
  port: number;
  calls: FakeCall[];
  /** Every message the bot sent, by chat, in order; edits update them in place. */
  messages: Map<number, FakeMessage[]>;
  /** Queues a user's text message (commands get a bot_command entity); returns its update_id. */
  pushMessage(userId: number, text: string, languageCode?: string): number;
  /** Queues a button press on `messageId`; returns the callback query id. */
  pushCallback(userId: number, data: string, messageId: number): string;
  /** Performance timestamp when update `updateId` was handed to the bot (undefined before). */
  deliveredAt(updateId: number): number | undefined;
  /** The update_id that carried callback query `callbackId`. */
  callbackUpdateId(callbackId: string): number | undefined;
  /** Makes the next `times` calls of `method` fail with 429 and `retry_after` seconds. */
  inject429(method: string, retryAfterS: number, times?: number): void;
  /** Makes the next `times` calls of `method` fail with `code` and `description`. */
  injectError(method: string, code: number, description: string, times?: number): void;
  /** Resolves with the first call matching `pred` (past or future); rejects after `timeoutMs`. */
  waitForCall(pred: (c: FakeCall) => boolean, timeoutMs?: number): Promise<FakeCall>;
  /** The latest message to `chatId` whose text matches. */
  lastMessage(chatId: number, pattern?: RegExp): FakeMessage | undefined;
  close(): Promise<void>;
}

interface Waiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

function parseMultipart(body: Buffer, contentType: string): Record<string, any> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!m) return {};
  const boundary = `--${m[1] ?? m[2]}`;
  const out: Record<string, any> = {};
  for (const part of body.toString('latin1').split(boundary)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (!name) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    if (/filename="/.test(headers)) {
      out[name] = { file: true, bytes: value.length };
      continue;
    }
    const utf8 = Buffer.from(value, 'latin1').toString('utf8');
    try {
      out[name] = JSON.parse(utf8);
    } catch {
      out[name] = utf8;
    }
  }
  return out;
}

/** Starts the fake on 127.0.0.1 (port 0 by default) for `token`; rejects if it cannot listen. */
export async function startFakeBotApi(opts: { token: string; port?: number; botId?: number; username?: string }): Promise<FakeBotApi> {
  const botUser = {
    id: opts.botId ?? 777000,
    is_bot: true,
    first_name: 'Signal Desk',
    username: opts.username ?? 'signal_desk_fake_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  const updates: { update_id: number; [k: string]: unknown }[] = [];
  const delivered = new Map<number, number>();
  const calls: FakeCall[] = [];
  const messages = new Map<number, FakeMessage[]>();
  const failures = new Map<string, { code: number; description: string; retryAfter?: number; times: number }[]>();
  const callWaiters: { pred: (c: FakeCall) => boolean; resolve: (c: FakeCall) => void }[] = [];
  let waiters: Waiter[] = [];
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let nextCallbackId = 1;
  let confirmedOffset = 0;
  const callbackUpdates = new Map<string, number>();

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  };
  const pending = (offset: number, limit: number) => updates.filter((u) => u.update_id >= offset).slice(0, limit);
  const deliver = (res: ServerResponse, batch: typeof updates): void => {
    const now = performance.now();
    for (const u of batch) if (!delivered.has(u.update_id)) delivered.set(u.update_id, now);
    json(res, 200, { ok: true, result: batch });
  };
  const wake = (): void => {
    const still: Waiter[] = [];
    for (const w of waiters) {
      const batch = pending(w.offset, w.limit);
      if (batch.length > 0) {
        clearTimeout(w.timer);
        deliver(w.res, batch);
      } else still.push(w);
    }
    waiters = still;
  };
  const push = (update: Record<string, unknown>): number => {
    const update_id = nextUpdateId++;
    updates.push({ update_id, ...update });
    wake();
    return update_id;
  };
  const user = (id: number, languageCode = 'en') => ({ id, is_bot: false, first_name: `User${id}`, language_code: languageCode });
  const chatOf = (id: number) => ({ id, type: 'private', first_name: `User${id}` });
  const record = (chatId: number, text: string, replyMarkup: any, photo: boolean): FakeMessage => {
    const msg: FakeMessage = { chatId, messageId: nextMessageId++, text, replyMarkup, photo };
    const list = messages.get(chatId) ?? [];
    list.push(msg);
    messages.set(chatId, list);
    return msg;
  };
  const find = (chatId: number, messageId: number): FakeMessage | undefined => messages.get(chatId)?.find((m) => m.messageId === messageId);
  const asMessage = (m: FakeMessage) => ({
    message_id: m.messageId,
    date: Math.floor(Date.now() / 1000),
    chat: chatOf(m.chatId),
    from: botUser,
    ...(m.photo ? { photo: [{ file_id: `p${m.messageId}`, file_unique_id: `u${m.messageId}`, width: 640, height: 360 }], caption: m.text } : { text: m.text }),
    ...(m.replyMarkup ? { reply_markup: m.replyMarkup } : {}),
  });

  const handle = (method: string, p: Record<string, any>, res: ServerResponse): void => {
    const chatId = Number(p.chat_id);
    switch (method) {
      case 'getMe':
        return json(res, 200, { ok: true, result: botUser });
      case 'getUpdates': {
        const offset = Number(p.offset ?? 0);
        const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
        const timeout = Math.min(50, Math.max(0, Number(p.timeout ?? 0)));
        if (offset > confirmedOffset) {
          confirmedOffset = offset;
          while (updates.length > 0 && updates[0].update_id < offset) updates.shift();
        }
        const batch = pending(offset, limit);
        if (batch.length > 0 || timeout === 0) return deliver(res, batch);
        const w: Waiter = {
          offset,
          limit,
          res,
          timer: setTimeout(() => {
            waiters = waiters.filter((x) => x !== w);
            deliver(res, []);
          }, timeout * 1000),
        };
        res.on('close', () => {
          clearTimeout(w.timer);
          waiters = waiters.filter((x) => x !== w);
        });
        waiters.push(w);
        return;
      }
      case 'sendMessage':
        return json(res, 200, { ok: true, result: asMessage(record(chatId, String(p.text ?? ''), p.reply_markup, false)) });
      case 'sendPhoto':
        return json(res, 200, { ok: true, result: asMessage(record(chatId, String(p.caption ?? ''), p.reply_markup, true)) });
      case 'editMessageText': {
        const m = find(chatId, Number(p.message_id));
        if (!m) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
        m.text = String(p.text ?? '');
        m.replyMarkup = p.reply_markup;
        return json(res, 200, { ok: true, result: asMessage(m) });
      }
      case 'editMessageReplyMarkup': {
        const m = find(chatId, Number(p.message_id));
        if (!m) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
        m.replyMarkup = p.reply_markup;
        return json(res, 200, { ok: true, result: asMessage(m) });
      }
      case 'answerCallbackQuery':
      case 'sendChatAction':
      case 'setMyCommands':
      case 'deleteWebhook':
      case 'setWebhook':
        return json(res, 200, { ok: true, result: true });
      default:
        return json(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(req.url ?? '');
      if (!m) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      if (m[1] !== opts.token) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const method = m[2];
      const body = Buffer.concat(chunks);
      const ct = req.headers['content-type'] ?? '';
      let payload: Record<string, any> = {};
      try {
        if (ct.startsWith('multipart/form-data')) payload = parseMultipart(body, ct);
        else if (body.length > 0) payload = JSON.parse(body.toString('utf8')) as Record<string, any>;
      } catch {
        return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
      }
      const call: FakeCall = { method, payload, at: performance.now() };
      calls.push(call);
      for (const w of [...callWaiters]) {
        if (w.pred(call)) {
          callWaiters.splice(callWaiters.indexOf(w), 1);
          w.resolve(call);
        }
      }
      const fail = failures.get(method)?.[0];
      if (fail) {
        if (--fail.times <= 0) failures.get(method)!.shift();
        return json(res, fail.code, {
          ok: false,
          error_code: fail.code,
          description: fail.description,
          ...(fail.retryAfter !== undefined ? { parameters: { retry_after: fail.retryAfter } } : {}),
        });
      }
      handle(method, payload, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const api: FakeBotApi = {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    messages,
    pushMessage(userId, text, languageCode) {
      const cmd = text.startsWith('/') ? text.split(/\s/)[0].length : 0;
      return push({
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: chatOf(userId),
          from: user(userId, languageCode),
          text,
          ...(cmd > 0 ? { entities: [{ type: 'bot_command', offset: 0, length: cmd }] } : {}),
        },
      });
    },
    pushCallback(userId, data, messageId) {
      const id = `cb${nextCallbackId++}`;
      const msg = messages.get(userId)?.find((m) => m.messageId === messageId);
      const updateId = push({
        callback_query: {
          id,
          from: user(userId),
          chat_instance: `ci${userId}`,
          data,
          message: msg ? asMessage(msg) : { message_id: messageId, date: 0, chat: chatOf(userId), text: '' },
        },
      });
      callbackUpdates.set(id, updateId);
      return id;
    },
    deliveredAt: (id) => delivered.get(id),
    callbackUpdateId: (id) => callbackUpdates.get(id),
    inject429(method, retryAfterS, times = 1) {
      const list = failures.get(method) ?? [];
      list.push({ code: 429, description: `Too Many Requests: retry after ${retryAfterS}`, retryAfter: retryAfterS, times });
      failures.set(method, list);
    },
    injectError(method, code, description, times = 1) {
      const list = failures.get(method) ?? [];
      list.push({ code, description, times });
      failures.set(method, list);
    },
    waitForCall(pred, timeoutMs = 10_000) {
      const past = calls.find(pred);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (c: FakeCall) => {
            clearTimeout(t);
            resolve(c);
          },
        };
        const t = setTimeout(() => {
          callWaiters.splice(callWaiters.indexOf(w), 1);
          reject(new Error('fake Bot API: timed out waiting for a call'));
        }, timeoutMs);
        callWaiters.push(w);
      });
    },
    lastMessage(chatId, pattern) {
      const list = messages.get(chatId) ?? [];
      for (let i = list.length - 1; i >= 0; i--) if (!pattern || pattern.test(list[i].text)) return list[i];
      return undefined;
    },
    async close() {
      for (const w of waiters) {
        clearTimeout(w.timer);
        deliver(w.res, []);
      }
      waiters = [];
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return api;
}
