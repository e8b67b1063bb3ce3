/**
 * Builds the Telegram front-end over a Desk: see createBot. Throws DeskError CONFIG without a token.
 */
export { createBot } from './create-bot.ts';
/** Options and handle of createBot. */
export type { CreateBotOptions, DeskBot } from './create-bot.ts';
/** Candle supplier for alert charts. */
export type { CandleSource, ChartCandle } from './context.ts';
/** Splits long text on line boundaries at Telegram's 4096-character limit. */
export { splitMessage, TELEGRAM_TEXT_LIMIT } from './split-message.ts';
