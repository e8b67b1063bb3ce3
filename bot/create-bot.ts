import type { IncomingMessage, ServerResponse } from 'node:http';
import { Bot, webhookCallback } from 'grammy';
import type { Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import type { DeskApi, Signal } from '../engine/index.ts';
import type { DeskConfig } from '../engine/index.ts';
import type { DeskEvent } from '../engine/index.ts';
import { DeskError } from '../engine/index.ts';
import { silentLogger, type DeskLogger } from '../engine/index.ts';
import { systemClock, type Clock } from '../engine/index.ts';
import type { BotContext, BotDeps, CandleSource } from './context.ts';
import { createI18n, createTranslator, pickLang, LANGUAGES, type Lang, type Translate } from './i18n.ts';
import { NonceStore } from './nonce-store.ts';
import { FloodGuard, DEFAULT_FLOOD_GUARD, type FloodGuardOptions } from './flood-guard.ts';
import { roleFor, telegramActor, roleAtLeast } from './roles.ts';
import { COMMANDS } from './command-table.ts';
import { registerReadCommands } from './commands/read.ts';
import { registerSettingsCommands } from './commands/settings.ts';
import { registerTradeCommands } from './commands/trade.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerCallbacks } from './callbacks.ts';
import { AlertDispatcher } from './alerts.ts';
import { errorText } from './error-text.ts';
import { runPooled } from './pool.ts';

/** setMyCommands calls in flight at start (one per language and staff chat: hundreds with a large staff). */
const COMMAND_SETUP_CONCURRENCY = 8;

/** Options of createBot; all optional. */
export interface CreateBotOptions {
  /** Logger (a child "bot" logger is made from it); default silent. */
  logger?: DeskLogger;
  /** Clock for nonce expiry and the flood guard; default the system clock. */
  clock?: Clock;
  /** Bot identity, to skip getMe (tests); default fetched at start(). */
  botInfo?: UserFromGetMe;
  /** Flood guard per user, or false to turn it off (tests); default 1/s with a burst of 3. */
  floodGuard?: FloodGuardOptions | false;
  /** Clock of the flood guard (it measures real update rates); default the system clock. */
  floodClock?: Clock;
  /** Long-polling timeout in seconds (default 30). */
  pollTimeoutS?: number;
  /** Candle source for alert charts (used when TELEGRAM_CHARTS is on). */
  candles?: CandleSource;
  /** Extra API transformers installed before auto-retry (tests record calls with one). */
  transformers?: Transformer[];
}

/** The bot and its lifecycle. */
export interface DeskBot {
  /** The grammY bot (tests drive it with `bot.handleUpdate`). */
  bot: Bot<BotContext>;
  /** Registers commands, subscribes to desk events and starts long polling (or sets the webhook); rejects when Telegram is unreachable at start. */
  start(): Promise<void>;
  /** Stops polling, unsubscribes and waits for in-flight alerts; never rejects. */
  stop(): Promise<void>;
  /** In webhook mode: the node:http handler to mount at the webhook path (checks the secret-token header). */
  webhookHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Renders one desk event now (what start() subscribes); resolves when its messages are sent. */
  handleEvent(event: DeskEvent): Promise<void>;
}

/**
 * Builds the Telegram front-end over `desk`: grammY with per-chat sequentialize (long polling through
 * @grammyjs/runner, or a webhook when TELEGRAM_WEBHOOK_URL is set), auto-retry on 429 `retry_after`,
 * the Bot API root from TELEGRAM_API_ROOT, a per-user flood guard, roles from the config on every
 * command and callback, and Fluent locales. Throws DeskError CONFIG when the token is missing or a
 * webhook has no secret, and Error when a locale file is missing.
 */
export function createBot(desk: DeskApi, config: DeskConfig, opts: CreateBotOptions = {}): DeskBot {
  if (!config.TELEGRAM_BOT_TOKEN) throw new DeskError('CONFIG', { key: 'TELEGRAM_BOT_TOKEN' }, 'config: TELEGRAM_BOT_TOKEN: required to start the bot');
  const webhookMode = config.TELEGRAM_WEBHOOK_URL.length > 0;
  if (webhookMode && config.TELEGRAM_WEBHOOK_SECRET.length < 16) {
    throw new DeskError('CONFIG', { key: 'TELEGRAM_WEBHOOK_SECRET' }, 'config: TELEGRAM_WEBHOOK_SECRET: 16+ characters required in webhook mode');
  }
  const logger = (opts.logger ?? silentLogger).child({ module: 'bot' });
  const clock = opts.clock ?? systemClock;
  const i18n = createI18n<BotContext>();
  const translators = new Map<Lang, Translate>();
  const trFor = (lang: Lang): Translate => {
    let t = translators.get(lang);
    if (!t) {
      t = createTranslator(i18n as never, lang, (key) => logger.error({ key, lang }, 'translation failed'));
      translators.set(lang, t);
    }
    return t;
  };
  const deps: BotDeps = {
    desk,
    config,
    logger,
    clock,
    nonces: new NonceStore(clock),
    i18n,
    trFor,
    confirmTtlMs: config.TELEGRAM_CONFIRM_TTL_S * 1000,
    candles: opts.candles ?? deskCandles(desk),
  };

  const bot = new Bot<BotContext>(config.TELEGRAM_BOT_TOKEN, {
    client: { apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, '') },
    ...(opts.botInfo ? { botInfo: opts.botInfo } : {}),
  });
  for (const t of opts.transformers ?? []) bot.api.config.use(t);
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  // 1. Flood guard: O(1), before anything queues or touches the desk.
  const flood = opts.floodGuard === false ? null : new FloodGuard(opts.floodClock ?? systemClock, opts.floodGuard ?? DEFAULT_FLOOD_GUARD);
  bot.use(async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    if (flood && !flood.allow(String(from.id))) {
      logger.debug({ actorId: String(from.id) }, 'flood guard dropped an update');
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: trFor(pickLang(from.language_code))('bot-flood') }).catch(() => {});
      return;
    }
    await next();
  });
  // 2. One update at a time per chat (and per user across chats).
  bot.use(sequentialize((ctx: BotContext) => [String(ctx.chat?.id ?? ctx.from?.id ?? 'none'), `u${ctx.from?.id ?? 'none'}`]));
  // 3. Who is this: role from the config on every update; settings (language) from the desk.
  bot.use(async (ctx, next) => {
    const from = ctx.from!;
    const role = roleFor(config, from.id);
    if (role === null) {
      const tr = trFor(pickLang(from.language_code));
      logger.warn({ audit: 'not_allowed', actorId: String(from.id) }, 'telegram user not on the allowlist');
      const text = tr('bot-not-allowed', { id: String(from.id) });
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true }).catch(() => {});
      else if (ctx.chat?.type === 'private') await ctx.reply(text).catch(() => {});
      return;
    }
    ctx.actor = telegramActor(from.id, role);
    try {
      ctx.settings = (await desk.getSettings(ctx.actor)).settings;
    } catch (err) {
      const tr = trFor(pickLang(from.language_code));
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: errorText(tr, err), show_alert: true }).catch(() => {});
      else await ctx.reply(errorText(tr, err)).catch(() => {});
      return;
    }
    ctx.lang = pickLang(ctx.settings.language);
    ctx.tr = trFor(ctx.lang);
    await next();
  });
  bot.use(i18n.middleware());

  registerReadCommands(bot, deps);
  registerSettingsCommands(bot, deps);
  registerTradeCommands(bot, deps);
  registerAdminCommands(bot, deps);
  registerCallbacks(bot, deps);
  bot.on('message:text', async (ctx) => {
    if (ctx.message.text.startsWith('/')) await ctx.reply(ctx.tr('bot-unknown-command')).catch(() => {});
  });
  bot.catch((err) => {
    logger.error({ err: String(err.error instanceof Error ? err.error.name : 'error'), update: err.ctx.update.update_id }, 'unhandled bot error');
  });

  const alerts = new AlertDispatcher(deps, bot.api);
  let unsubscribe: (() => void) | null = null;
  let runner: RunnerHandle | null = null;

  const registerCommands = async (): Promise<void> => {
    const staff = new Map<string, 'trader' | 'admin'>();
    for (const id of config.TELEGRAM_TRADER_IDS) staff.set(id, 'trader');
    for (const id of config.TELEGRAM_ADMIN_IDS) staff.set(id, 'admin');
    const list = (lang: Lang, role: 'viewer' | 'trader' | 'admin') =>
      COMMANDS.filter((c) => roleAtLeast(role, c.minRole)).map((c) => ({ command: c.name, description: trFor(lang)(c.key) }));
    // Each call is a Bot API request; fired all at once they opened one connection each (300+ with
    // 100 staff, kept alive and torn down together later) and would meet Telegram's flood limits.
    const calls: (() => Promise<unknown>)[] = [() => bot.api.setMyCommands(list('en', 'viewer'))];
    for (const lang of LANGUAGES) calls.push(() => bot.api.setMyCommands(list(lang, 'viewer'), { language_code: lang }));
    for (const [id, role] of [...staff].slice(0, 100)) {
      calls.push(() => bot.api.setMyCommands(list('en', role), { scope: { type: 'chat', chat_id: Number(id) } }));
      for (const lang of LANGUAGES) {
        calls.push(() => bot.api.setMyCommands(list(lang, role), { scope: { type: 'chat', chat_id: Number(id) }, language_code: lang }));
      }
    }
    let failed = 0;
    await runPooled(calls, COMMAND_SETUP_CONCURRENCY, async (call) => void (await call()), () => failed++);
    if (failed > 0) logger.warn({ failed, total: calls.length }, 'setMyCommands failed (commands still work)');
  };

  const handle: DeskBot = {
    bot,
    handleEvent: (event) => alerts.handle(event),
    async start() {
      await bot.init();
      await registerCommands().catch((err: unknown) => logger.warn({ err: String((err as Error)?.message ?? err) }, 'setMyCommands failed'));
      unsubscribe = desk.subscribe((ev) => {
        void alerts.handle(ev);
      });
      if (webhookMode) {
        await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL, {
          secret_token: config.TELEGRAM_WEBHOOK_SECRET,
          allowed_updates: ['message', 'callback_query'],
        });
        logger.info({ mode: 'webhook', username: bot.botInfo.username }, 'telegram bot started');
        return;
      }
      runner = run(bot, {
        runner: { fetch: { timeout: opts.pollTimeoutS ?? 30, allowed_updates: ['message', 'callback_query'] }, silent: true },
      });
      logger.info({ mode: 'polling', username: bot.botInfo.username }, 'telegram bot started');
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (runner?.isRunning()) await runner.stop().catch(() => {});
      runner = null;
      await alerts.drain();
    },
  };
  if (webhookMode) {
    const cb = webhookCallback(bot, 'http', { secretToken: config.TELEGRAM_WEBHOOK_SECRET, onTimeout: 'return', timeoutMilliseconds: 9000 });
    handle.webhookHandler = async (req, res) => {
      await cb(req, res);
    };
  }
  return handle;
}

/** Chart candles from the desk's own bar store (real closed bars of the signal's series). */
function deskCandles(desk: DeskApi): CandleSource {
  const system = { kind: 'system' as const, id: 'telegram-charts', role: 'viewer' as const };
  return async (symbol, interval, limit) => {
    const r = await desk.candles(system, { symbol, interval: interval as Signal['interval'], limit });
    return r.bars.map((b) => ({ t: b.start, o: b.open, h: b.high, l: b.low, c: b.close }));
  };
}
