import type { Context } from 'grammy';
import type { I18n, I18nFlavor } from '@grammyjs/i18n';
import type { Actor, Settings } from '../engine/index.ts';
import type { DeskApi } from '../engine/index.ts';
import type { DeskConfig } from '../engine/index.ts';
import type { DeskLogger } from '../engine/index.ts';
import type { Clock } from '../engine/index.ts';
import type { NonceStore } from './nonce-store.ts';
import type { Lang, Translate } from './i18n.ts';

/** What the bot knows about the sender of the current update (set by the auth middleware). */
export interface DeskFlavor {
  /** The desk Actor of the sender (role from the config lists and mode). */
  actor: Actor;
  /** The sender's settings as the Desk holds them. */
  settings: Settings;
  /** The sender's language. */
  lang: Lang;
  /** Translate bound to the sender's language; never throws. */
  tr: Translate;
}

/** The grammY context every handler receives. */
export type BotContext = Context & I18nFlavor & DeskFlavor;

/** One OHLC candle for charts (time in epoch ms). */
export interface ChartCandle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
}

/** Supplies recent candles for a chart; rejects or returns [] when it has none. */
export type CandleSource = (symbol: string, interval: string, limit: number) => Promise<ChartCandle[]>;

/** Everything the handlers share. */
export interface BotDeps {
  desk: DeskApi;
  config: DeskConfig;
  logger: DeskLogger;
  clock: Clock;
  nonces: NonceStore;
  i18n: I18n<BotContext>;
  /** Translate in a given language (for messages sent outside an update, such as alerts). */
  trFor(lang: Lang): Translate;
  candles?: CandleSource;
  /** How long an Execute / Close / Kill confirmation stays valid, in ms. */
  confirmTtlMs: number;
}
