import type { Bot } from 'grammy';
import type { CloseResult, ExecuteResult, PreviewResult, RiskStateResult, Role } from '../engine/index.ts';
import { isDeskError } from '../engine/index.ts';
import type { BotContext, BotDeps } from './context.ts';
import type { NonceEntry } from './nonce-store.ts';
import { decodeCallbackData } from './callback-data.ts';
import { ACTIONS, type ActionCode, confirmKeyboard } from './keyboards.ts';
import { roleAtLeast } from './roles.ts';
import { errorText, codeText } from './error-text.ts';
import { confirmText, priceList, sideLabel, signalFull } from './render.ts';
import { fmtMoney, fmtPrice, fmtQty } from './format.ts';
import { sendLong, withTyping } from './reply.ts';
import { muteSymbol, settingsKeyboard, settingsText } from './commands/settings.ts';
import { riskStateText } from './commands/admin.ts';
import { pickLang, LANGUAGES } from './i18n.ts';

/** A callback handler: runs after the role and nonce checks passed; it must answer the callback query. */
type CallbackHandler = (ctx: BotContext, entry: NonceEntry) => Promise<void>;

interface CallbackSpec {
  minRole: Role;
  handle: CallbackHandler;
}

/**
 * Registers the one callback-query entry point: decodes the data, checks the sender's role and the
 * server-side nonce (user, action, expiry, single use), refuses anything else with a localized answer
 * and an audit log line, then runs the action. Every press gets exactly one answerCallbackQuery.
 */
export function registerCallbacks(bot: Bot<BotContext>, deps: BotDeps): void {
  const specs = callbackSpecs(deps);
  bot.on('callback_query:data', async (ctx) => {
    const data = decodeCallbackData(ctx.callbackQuery.data);
    const spec = data ? specs[data.action as ActionCode] : undefined;
    const audit = (reason: string, extra: Record<string, unknown> = {}): void => {
      deps.logger.warn({ audit: 'callback_refused', reason, actorId: ctx.actor.id, role: ctx.actor.role, action: data?.action ?? null, ...extra }, 'callback refused');
    };
    if (!data || !spec) {
      audit('malformed');
      await ctx.answerCallbackQuery({ text: ctx.tr('cb-invalid'), show_alert: true }).catch(() => {});
      return;
    }
    if (!roleAtLeast(ctx.actor.role, spec.minRole)) {
      audit('role');
      await ctx
        .answerCallbackQuery({ text: ctx.tr('bot-role-required', { role: ctx.tr('role', { role: spec.minRole }) }), show_alert: true })
        .catch(() => {});
      return;
    }
    const check = deps.nonces.consume(data.nonce, ctx.actor.id, data.action, data.ref);
    if (!check.ok) {
      audit(check.reason, { ownerMatches: check.entry ? check.entry.userId === ctx.actor.id : null });
      const key = check.reason === 'expired' ? 'cb-expired' : check.reason === 'replayed' ? 'cb-replayed' : 'cb-invalid';
      await ctx.answerCallbackQuery({ text: ctx.tr(key), show_alert: check.reason !== 'expired' }).catch(() => {});
      if (check.reason === 'expired' && check.entry?.singleUse) {
        await ctx.editMessageText(ctx.tr('confirm-expired')).catch(() => {});
      }
      return;
    }
    try {
      await spec.handle(ctx, check.entry);
    } catch (err) {
      if (!isDeskError(err)) deps.logger.error({ err: String((err as Error)?.name ?? 'error'), action: data.action }, 'callback handler failed');
      await ctx.answerCallbackQuery({ text: errorText(ctx.tr, err).slice(0, 200), show_alert: true }).catch(() => {});
    }
  });
}

/**
 * Shows the outcome of a confirmed action in place of the confirmation message, or as a new message
 * when that one can no longer be edited (deleted, too old, a failed call): an action that was done
 * is never reported as failed because its message could not be edited. Never throws.
 */
async function showResult(ctx: BotContext, text: string): Promise<void> {
  try {
    await ctx.editMessageText(text);
  } catch {
    await sendLong(ctx.api, ctx.chat?.id ?? Number(ctx.actor.id), text).catch(() => {});
  }
}

function callbackSpecs(deps: BotDeps): Record<ActionCode, CallbackSpec> {
  const { desk } = deps;
  const ttlS = Math.round(deps.confirmTtlMs / 1000);
  return {
    [ACTIONS.execute]: {
      minRole: 'trader',
      handle: async (ctx, e) => {
        await ctx.answerCallbackQuery();
        const chatId = ctx.chat?.id ?? Number(ctx.actor.id);
        const riskPct = ctx.settings.riskPct ?? undefined;
        const input = riskPct === undefined ? { signalId: e.ref } : { signalId: e.ref, riskPct };
        let p: PreviewResult;
        try {
          p = await withTyping(ctx.api, chatId, () => desk.previewExecution(ctx.actor, input));
        } catch (err) {
          await sendLong(ctx.api, chatId, ctx.tr('exec-failed', { reason: errorText(ctx.tr, err) }));
          return;
        }
        if (!p.allowed) {
          const reason = p.refusal ? codeText(ctx.tr, p.refusal.code, p.refusal.detail) : errorText(ctx.tr, null);
          await ctx.api.sendMessage(chatId, ctx.tr('confirm-refused', { symbol: p.symbol, reason }));
          return;
        }
        const kb = confirmKeyboard(
          deps.nonces,
          ctx.actor.id,
          ACTIONS.confirmExecute,
          e.ref,
          deps.confirmTtlMs,
          { confirm: ctx.tr('btn-confirm'), cancel: ctx.tr('btn-cancel') },
          riskPct === undefined ? undefined : String(riskPct),
        );
        const replyTo = ctx.callbackQuery?.message?.message_id;
        await ctx.api.sendMessage(chatId, confirmText(ctx.tr, ctx.lang, p, ttlS), {
          reply_markup: kb,
          ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
        });
      },
    },
    [ACTIONS.confirmExecute]: {
      minRole: 'trader',
      handle: async (ctx, e) => {
        await ctx.answerCallbackQuery();
        const riskPct = e.payload ? Number(e.payload) : undefined;
        const input = riskPct === undefined ? { signalId: e.ref } : { signalId: e.ref, riskPct };
        await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
        let r: ExecuteResult;
        try {
          r = await withTyping(ctx.api, ctx.chat?.id ?? Number(ctx.actor.id), () => desk.execute(ctx.actor, input));
        } catch (err) {
          if (!isDeskError(err)) deps.logger.error({ err: String((err as Error)?.name ?? 'error') }, 'execute failed');
          await showResult(ctx, ctx.tr('exec-failed', { reason: errorText(ctx.tr, err) }));
          return;
        }
        const vars = {
          side: sideLabel(ctx.tr, r.side),
          symbol: r.symbol,
          qty: fmtQty(ctx.lang, r.qty),
          price: r.avgPrice === null ? ctx.tr('not-available') : fmtPrice(ctx.lang, r.avgPrice),
          stop: fmtPrice(ctx.lang, r.stop),
          targets: priceList(ctx.tr, ctx.lang, r.targets),
        };
        const key = r.duplicate ? 'exec-duplicate' : r.status === 'filled' ? 'exec-filled' : 'exec-accepted';
        await showResult(ctx, ctx.tr(key, vars));
      },
    },
    [ACTIONS.confirmClose]: {
      minRole: 'trader',
      handle: async (ctx, e) => {
        await ctx.answerCallbackQuery();
        await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
        let r: CloseResult;
        try {
          r = await desk.closePosition(ctx.actor, { positionId: e.ref });
        } catch (err) {
          await showResult(ctx, errorText(ctx.tr, err));
          return;
        }
        await showResult(
          ctx,
          ctx.tr('close-done', {
            qty: fmtQty(ctx.lang, r.closedQty),
            symbol: r.symbol,
            price: r.price === null ? ctx.tr('not-available') : fmtPrice(ctx.lang, r.price),
            pnl: fmtMoney(ctx.lang, r.realizedPnl, true),
            status: r.status,
            remaining: fmtQty(ctx.lang, r.remainingQty),
          }),
        );
      },
    },
    [ACTIONS.confirmKill]: {
      minRole: 'admin',
      handle: async (ctx, e) => {
        await ctx.answerCallbackQuery();
        const reason = e.payload ? { reason: e.payload } : {};
        let r: RiskStateResult;
        try {
          r = await desk.setKillSwitch(ctx.actor, { on: true, ...reason });
        } catch (err) {
          await showResult(ctx, errorText(ctx.tr, err));
          return;
        }
        await showResult(ctx, riskStateText(ctx.tr, r));
      },
    },
    [ACTIONS.cancel]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const sep = e.ref.indexOf('|');
        if (sep > 0) deps.nonces.spendGroup(e.userId, e.ref.slice(0, sep), e.ref.slice(sep + 1), e.expiresAt);
        await ctx.answerCallbackQuery();
        await ctx.editMessageText(ctx.tr('confirm-cancelled')).catch(() => {});
      },
    },
    [ACTIONS.details]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const { signal } = await desk.getSignal(ctx.actor, { id: e.ref });
        await ctx.answerCallbackQuery({ text: ctx.tr('details-sent') });
        await sendLong(ctx.api, ctx.chat?.id ?? Number(ctx.actor.id), signalFull(ctx.tr, ctx.lang, signal));
      },
    },
    [ACTIONS.mute]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const symbol = await muteSymbol(deps, ctx, e.ref);
        await ctx.answerCallbackQuery({ text: ctx.tr('mute-done', { symbol }) });
      },
    },
    [ACTIONS.language]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const lang = pickLang(e.ref);
        if (!(LANGUAGES as readonly string[]).includes(e.ref)) throw new Error('bad language ref');
        const { settings } = await desk.updateSettings(ctx.actor, { language: lang });
        ctx.settings = settings;
        ctx.lang = lang;
        ctx.tr = deps.trFor(lang);
        await ctx.answerCallbackQuery({ text: ctx.tr('settings-saved') });
        await ctx.api.sendMessage(ctx.chat?.id ?? Number(ctx.actor.id), ctx.tr('start-done'));
      },
    },
    [ACTIONS.detail]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const alertDetail = e.ref === 'full' ? 'full' : 'compact';
        const { settings } = await desk.updateSettings(ctx.actor, { alertDetail });
        await ctx.answerCallbackQuery({ text: ctx.tr('settings-saved') });
        await ctx
          .editMessageText(settingsText(ctx.tr, settings), { reply_markup: settingsKeyboard(deps, ctx.tr, ctx.actor.id, settings) })
          .catch(() => {});
      },
    },
    [ACTIONS.alerts]: {
      minRole: 'viewer',
      handle: async (ctx, e) => {
        const { settings } = await desk.updateSettings(ctx.actor, { alerts: e.ref === 'on' });
        await ctx.answerCallbackQuery({ text: ctx.tr('settings-saved') });
        await ctx
          .editMessageText(settingsText(ctx.tr, settings), { reply_markup: settingsKeyboard(deps, ctx.tr, ctx.actor.id, settings) })
          .catch(() => {});
      },
    },
  };
}
