import type { Api, RawApi } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { splitMessage } from './split-message.ts';

/**
 * Sends `text` to `chatId`, split on line boundaries at Telegram's 4096-character limit (the one place
 * long output is split); the keyboard goes on the last chunk. Rejects with the Bot API error of a chunk.
 */
export async function sendLong(api: Api<RawApi>, chatId: number, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const chunks = splitMessage(text);
  for (let i = 0; i < chunks.length; i++) {
    const last = i === chunks.length - 1;
    await api.sendMessage(chatId, chunks[i], last && keyboard ? { reply_markup: keyboard } : {});
  }
}

/** Work faster than this shows no typing indicator (saves a Bot API call on the fast path). */
export const TYPING_DELAY_MS = 200;

/**
 * Awaits `work` without blocking the event loop; when it takes longer than `delayMs`, shows "typing…"
 * in `chatId` (renewed every 4 s, as Telegram shows it for 5 s). The indicator is best effort and never
 * fails the work. Resolves or rejects as `work` does.
 */
export async function withTyping<T>(api: Api<RawApi>, chatId: number, work: () => Promise<T>, delayMs = TYPING_DELAY_MS): Promise<T> {
  let interval: NodeJS.Timeout | undefined;
  const ping = (): void => {
    api.sendChatAction(chatId, 'typing').catch(() => {});
  };
  const begin = (): void => {
    ping();
    interval = setInterval(ping, 4000);
    interval.unref();
  };
  let first: NodeJS.Timeout | undefined;
  if (delayMs <= 0) begin();
  else {
    first = setTimeout(begin, delayMs);
    first.unref();
  }
  try {
    return await work();
  } finally {
    if (first) clearTimeout(first);
    if (interval) clearInterval(interval);
  }
}
