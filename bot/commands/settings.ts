import { InlineKeyboard } from 'grammy';
import type { Bot } from 'grammy';
import type { Settings } from '../../engine/index.ts';
import { ScanInput, parseInput } from '../../engine/index.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { guardCommand, requireArg } from '../guard.ts';
import { ACTIONS, buttonData } from '../keyboards.ts';
import { LANGUAGES } from '../i18n.ts';
import type { Translate } from '../i18n.ts';

const PREFS_TTL_MS = 86_400_000;

/** The /settings text for `s` in the language of `tr`; never throws. */
export function settingsText(tr: Translate, s: Settings): string {
  const list = (xs: readonly string[]): string => (xs.length > 0 ? xs.join(tr('list-separator')) : tr('none'));
  return tr('settings-text', {
    language: tr('language-name'),
    detail: s.alertDetail,
    alerts: s.alerts ? 'yes' : 'no',
    subs: list(s.subscriptions),
    muted: list(s.mutedSymbols),
  });
}

/** A keyboard with one button per language (each named in its own language) bound to `userId`; never throws. */
export function languageKeyboard(deps: BotDeps, userId: string): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const l of LANGUAGES) kb.text(deps.trFor(l)('language-name'), buttonData(deps.nonces, userId, ACTIONS.language, l, PREFS_TTL_MS, false));
  return kb;
}

/** The /settings keyboard (language, alert detail, alerts on/off) bound to `userId`; never throws. */
export function settingsKeyboard(deps: BotDeps, tr: Translate, userId: string, s: Settings): InlineKeyboard {
  const kb = languageKeyboard(deps, userId).row();
  const detail = s.alertDetail === 'full' ? 'compact' : 'full';
  kb.text(tr(detail === 'full' ? 'btn-detail-full' : 'btn-detail-compact'), buttonData(deps.nonces, userId, ACTIONS.detail, detail, PREFS_TTL_MS, false));
  kb.text(tr(s.alerts ? 'btn-alerts-off' : 'btn-alerts-on'), buttonData(deps.nonces, userId, ACTIONS.alerts, s.alerts ? 'off' : 'on', PREFS_TTL_MS, false));
  return kb;
}

/** Normalizes a /subscribe or /mute argument: symbols upper-case, strategy names lower-case. */
function normalizeTarget(arg: string): string {
  const a = arg.trim();
  return /usdt$/i.test(a) ? a.toUpperCase() : a.toLowerCase();
}

/** Registers /settings, /subscribe, /unsubscribe, /mute and /unmute; never throws (handlers reply with their failures). */
export function registerSettingsCommands(bot: Bot<BotContext>, deps: BotDeps): void {
  const { desk } = deps;

  bot.command(
    'settings',
    guardCommand(deps, 'settings', async (ctx) => {
      await ctx.reply(settingsText(ctx.tr, ctx.settings), { reply_markup: settingsKeyboard(deps, ctx.tr, ctx.actor.id, ctx.settings) });
    }),
  );

  bot.command(
    'subscribe',
    guardCommand(deps, 'subscribe', async (ctx, args) => {
      const what = args.split(/\s+/)[0];
      if (!what) {
        await desk.updateSettings(ctx.actor, { alerts: true });
        await ctx.reply(ctx.tr('subscribe-all'));
        return;
      }
      const target = normalizeTarget(what);
      const subs = ctx.settings.subscriptions.includes(target) ? ctx.settings.subscriptions : [...ctx.settings.subscriptions, target];
      await desk.updateSettings(ctx.actor, { subscriptions: subs, alerts: true });
      await ctx.reply(ctx.tr('subscribe-added', { what: target }));
    }),
  );

  bot.command(
    'unsubscribe',
    guardCommand(deps, 'unsubscribe', async (ctx, args) => {
      const what = args.split(/\s+/)[0];
      if (!what) {
        await desk.updateSettings(ctx.actor, { alerts: false });
        await ctx.reply(ctx.tr('unsubscribe-all'));
        return;
      }
      const target = normalizeTarget(what);
      if (!ctx.settings.subscriptions.includes(target)) {
        await ctx.reply(ctx.tr('unsubscribe-missing', { what: target }));
        return;
      }
      await desk.updateSettings(ctx.actor, { subscriptions: ctx.settings.subscriptions.filter((s) => s !== target) });
      await ctx.reply(ctx.tr('unsubscribe-removed', { what: target }));
    }),
  );

  bot.command(
    'mute',
    guardCommand(deps, 'mute', async (ctx, args) => {
      const what = await requireArg(ctx, 'mute', args);
      if (!what) return;
      const symbol = await muteSymbol(deps, ctx, what);
      await ctx.reply(ctx.tr('mute-done', { symbol }));
    }),
  );

  bot.command(
    'unmute',
    guardCommand(deps, 'unmute', async (ctx, args) => {
      const what = await requireArg(ctx, 'unmute', args);
      if (!what) return;
      const symbol = what.toUpperCase();
      if (!ctx.settings.mutedSymbols.includes(symbol)) {
        await ctx.reply(ctx.tr('unmute-missing', { symbol }));
        return;
      }
      await desk.updateSettings(ctx.actor, { mutedSymbols: ctx.settings.mutedSymbols.filter((s) => s !== symbol) });
      await ctx.reply(ctx.tr('unmute-done', { symbol }));
    }),
  );
}

/** Adds `symbol` to the sender's muted symbols (idempotent) and returns it normalized; rejects with VALIDATION or the Desk's error. */
export async function muteSymbol(deps: BotDeps, ctx: BotContext, symbol: string): Promise<string> {
  const s = parseInput(ScanInput, { symbol }).symbol ?? symbol.toUpperCase();
  if (!ctx.settings.mutedSymbols.includes(s)) {
    const { settings } = await deps.desk.updateSettings(ctx.actor, { mutedSymbols: [...ctx.settings.mutedSymbols, s] });
    ctx.settings = settings;
  }
  return s;
}
