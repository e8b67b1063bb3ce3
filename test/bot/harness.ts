import type { Transformer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { createBot, type DeskBot } from '../../bot/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

/** One Bot API call the bot made. */
export interface ApiCall {
  method: string;
  payload: Record<string, any>;
}

/** The bot's identity in tests (no getMe needed). */
export const BOT_INFO: UserFromGetMe = {
  id: 4242,
  is_bot: true,
  first_name: 'Desk',
  username: 'desk_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export const ADMIN = 1001;
export const TRADER = 2002;
export const VIEWER = 3003;
export const OTHER_TRADER = 2003;

/** A real desk, the bot over it, and every Bot API call recorded by a transformer. */
export interface Harness {
  td: TestDesk;
  bot: DeskBot;
  calls: ApiCall[];
  /** Bot API methods whose next call fails with a 400 (one failure per entry), e.g. an edit of a message that is gone. */
  failNext: string[];
  send(userId: number, text: string, languageCode?: string): Promise<void>;
  press(userId: number, data: string, messageId?: number): Promise<void>;
  /** Texts sent or edited to `chatId` since index `from`. */
  texts(chatId: number, from?: number): string[];
  /** The last call of `method` to `chatId`. */
  last(method: string, chatId?: number): ApiCall | undefined;
  /** callback_data of the button whose label matches, in the latest keyboard sent to `chatId`. */
  button(chatId: number, label: RegExp): string;
  /** Sets a user's language through the Desk. */
  updateLang(userId: number, language: 'en' | 'ru'): Promise<void>;
  /** Waits until every desk event so far has been rendered. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

let updateId = 1;
let messageId = 100;

/** Builds a harness; `overrides` are config values on top of the test desk's. */
export async function createHarness(overrides: Record<string, string> = {}, botOpts: { floodGuard?: false | { perSecond: number; burst: number } } = {}): Promise<Harness> {
  const td = await createTestDesk({
    TELEGRAM_BOT_TOKEN: '123456:TEST-token-not-real',
    TELEGRAM_ADMIN_IDS: String(ADMIN),
    TELEGRAM_TRADER_IDS: `${TRADER},${OTHER_TRADER}`,
    ...overrides,
  });
  const calls: ApiCall[] = [];
  const failNext: string[] = [];
  const recorder: Transformer = async (_prev, method, payload) => {
    const p = (payload ?? {}) as Record<string, any>;
    const fail = failNext.indexOf(method);
    if (fail >= 0) {
      failNext.splice(fail, 1);
      return { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' } as never;
    }
    calls.push({ method, payload: p });
    const chat = { id: Number(p.chat_id ?? 0), type: 'private' };
    let result: unknown = true;
    if (method === 'sendMessage' || method === 'sendPhoto') {
      result = { message_id: ++messageId, date: 0, chat, text: p.text ?? p.caption, reply_markup: p.reply_markup };
    } else if (method === 'editMessageText') {
      result = { message_id: p.message_id, date: 0, chat, text: p.text };
    } else if (method === 'getMe') result = BOT_INFO;
    return { ok: true, result } as never;
  };
  const bot = createBot(td.desk, td.config, {
    clock: td.clock,
    botInfo: BOT_INFO,
    floodGuard: botOpts.floodGuard ?? false,
    floodClock: td.clock,
    transformers: [recorder],
  });
  const pending = new Set<Promise<void>>();
  const unsubscribe = td.desk.subscribe((ev) => {
    const p = bot.handleEvent(ev);
    pending.add(p);
    void p.finally(() => pending.delete(p));
  });
  const user = (id: number, languageCode = 'en') => ({ id, is_bot: false, first_name: `U${id}`, language_code: languageCode });
  const h: Harness = {
    td,
    bot,
    calls,
    failNext,
    async send(userId, text, languageCode) {
      const cmd = text.startsWith('/') ? text.split(/\s/)[0].length : 0;
      const update = {
        update_id: updateId++,
        message: {
          message_id: ++messageId,
          date: Math.floor(td.clock.now() / 1000),
          chat: { id: userId, type: 'private', first_name: `U${userId}` },
          from: user(userId, languageCode),
          text,
          ...(cmd > 0 ? { entities: [{ type: 'bot_command', offset: 0, length: cmd }] } : {}),
        },
      } as unknown as Update;
      await bot.bot.handleUpdate(update);
    },
    async press(userId, data, msgId) {
      const update = {
        update_id: updateId++,
        callback_query: {
          id: `cq${updateId}`,
          from: user(userId),
          chat_instance: 'ci',
          data,
          message: { message_id: msgId ?? ++messageId, date: 0, chat: { id: userId, type: 'private', first_name: 'x' }, text: 'alert' },
        },
      } as unknown as Update;
      await bot.bot.handleUpdate(update);
    },
    texts(chatId, from = 0) {
      return calls
        .slice(from)
        .filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText' || c.method === 'sendPhoto') && Number(c.payload.chat_id) === chatId)
        .map((c) => String(c.payload.text ?? c.payload.caption ?? ''));
    },
    last(method, chatId) {
      for (let i = calls.length - 1; i >= 0; i--) {
        const c = calls[i];
        if (c.method === method && (chatId === undefined || Number(c.payload.chat_id) === chatId)) return c;
      }
      return undefined;
    },
    button(chatId, label) {
      for (let i = calls.length - 1; i >= 0; i--) {
        const c = calls[i];
        const kb = c.payload.reply_markup?.inline_keyboard as { text: string; callback_data: string }[][] | undefined;
        if (!kb || Number(c.payload.chat_id) !== chatId) continue;
        for (const row of kb) for (const b of row) if (label.test(b.text)) return b.callback_data;
      }
      throw new Error(`no button ${label} for chat ${chatId}`);
    },
    async updateLang(userId, language) {
      await td.desk.updateSettings({ kind: 'telegram', id: String(userId), role: 'viewer' }, { language });
    },
    async settle() {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setImmediate(r));
        while (pending.size > 0) await Promise.all([...pending]);
      }
    },
    async close() {
      unsubscribe();
      await bot.stop();
      await td.close();
    },
  };
  return h;
}

/** Answers to callback queries (text, show_alert) since index `from`. */
export function answers(h: Harness, from = 0): { text?: string; show_alert?: boolean }[] {
  return h.calls.slice(from).filter((c) => c.method === 'answerCallbackQuery').map((c) => c.payload as { text?: string; show_alert?: boolean });
}
