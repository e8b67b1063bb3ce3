import type { Bot } from 'grammy';
import type { ReportResult, RiskStateResult } from '../../engine/index.ts';
import type { BotContext, BotDeps } from '../context.ts';
import type { Lang, Translate } from '../i18n.ts';
import { guardCommand } from '../guard.ts';
import { ACTIONS, confirmKeyboard } from '../keyboards.ts';
import { sendLong } from '../reply.ts';
import { durationText, lagText } from '../render.ts';
import { fmtMoney, fmtTime } from '../format.ts';

/** The risk controls after pause / resume / kill, localized; never throws. */
export function riskStateText(tr: Translate, r: RiskStateResult): string {
  const yn = (b: boolean): string => (b ? 'yes' : 'no');
  return tr('risk-state', { paused: yn(r.entriesPaused), kill: yn(r.killSwitch), breaker: yn(r.breakerTripped) });
}

/** The daily report, localized (for /report and the scheduled `report.daily` event); never throws. */
export function reportText(tr: Translate, lang: Lang, r: ReportResult): string {
  const yn = (b: boolean): string => (b ? 'yes' : 'no');
  return tr('report-text', {
    at: fmtTime(lang, r.at),
    uptime: durationText(tr, r.uptimeMs),
    lag: lagText(tr, lang, r.feedLagMs),
    signals: r.signals24h,
    trades: r.trades24h,
    pnl: fmtMoney(lang, r.pnlDay, true),
    positions: r.openPositions,
    breaker: yn(r.breakerTripped),
    kill: yn(r.killSwitch),
    paused: yn(r.entriesPaused),
  });
}

/** Registers the admin commands: /pause, /resume, /kill (asks to confirm), /unkill, /users, /report; never throws (handlers reply with their failures). */
export function registerAdminCommands(bot: Bot<BotContext>, deps: BotDeps): void {
  const { desk } = deps;
  const reasonOf = (args: string): { reason?: string } => (args ? { reason: args.slice(0, 200) } : {});

  bot.command(
    'pause',
    guardCommand(deps, 'pause', async (ctx, args) => {
      await ctx.reply(riskStateText(ctx.tr, await desk.pauseEntries(ctx.actor, reasonOf(args))));
    }),
  );
  bot.command(
    'resume',
    guardCommand(deps, 'resume', async (ctx, args) => {
      await ctx.reply(riskStateText(ctx.tr, await desk.resumeEntries(ctx.actor, reasonOf(args))));
    }),
  );
  bot.command(
    'kill',
    guardCommand(deps, 'kill', async (ctx, args) => {
      const kb = confirmKeyboard(
        deps.nonces,
        ctx.actor.id,
        ACTIONS.confirmKill,
        'on',
        deps.confirmTtlMs,
        { confirm: ctx.tr('btn-confirm'), cancel: ctx.tr('btn-cancel') },
        args.slice(0, 200),
      );
      await ctx.reply(ctx.tr('kill-confirm'), { reply_markup: kb });
    }),
  );
  bot.command(
    'unkill',
    guardCommand(deps, 'unkill', async (ctx, args) => {
      await ctx.reply(riskStateText(ctx.tr, await desk.setKillSwitch(ctx.actor, { on: false, ...reasonOf(args) })));
    }),
  );
  bot.command(
    'users',
    guardCommand(deps, 'users', async (ctx) => {
      const { users } = await desk.listUsers(ctx.actor, { limit: 500 });
      const lines = [ctx.tr('users-header', { count: users.length })];
      for (const u of users) {
        lines.push(ctx.tr('user-line', { kind: u.kind, id: u.id, role: ctx.tr('role', { role: u.role }), lastSeen: fmtTime(ctx.lang, u.lastSeen) }));
      }
      await sendLong(ctx.api, ctx.chat!.id, lines.join('\n'));
    }),
  );
  bot.command(
    'report',
    guardCommand(deps, 'report', async (ctx) => {
      await ctx.reply(reportText(ctx.tr, ctx.lang, await desk.report(ctx.actor)));
    }),
  );
}
