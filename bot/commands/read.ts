import type { Bot } from 'grammy';
import type { BotContext, BotDeps } from '../context.ts';
import { guardCommand, requireArg } from '../guard.ts';
import { COMMANDS } from '../command-table.ts';
import { roleAtLeast } from '../roles.ts';
import { sendLong, withTyping } from '../reply.ts';
import { languageKeyboard } from './settings.ts';
import { durationText, intervalLabel, lagText, positionLine, signalFull, signalLine } from '../render.ts';
import { fmtMoney, fmtNum, fmtTime, fmtWhen } from '../format.ts';
import { executeRows } from '../signal-buttons.ts';
import { limitLines } from '../limits-text.ts';

/** The /help text for `ctx`'s role: one line per command the sender may run, by section; never throws. */
export function helpText(ctx: BotContext): string {
  const out = [ctx.tr('help-header', { role: ctx.tr('role', { role: ctx.actor.role }) })];
  const sections = [
    ['read', 'help-section-read'],
    ['trade', 'help-section-trade'],
    ['admin', 'help-section-admin'],
  ] as const;
  for (const [section, key] of sections) {
    const cmds = COMMANDS.filter((c) => c.section === section && roleAtLeast(ctx.actor.role, c.minRole));
    if (cmds.length === 0) continue;
    out.push('', ctx.tr(key));
    for (const c of cmds) out.push(ctx.tr('help-line', { usage: ctx.tr(`${c.key}.usage`), description: ctx.tr(c.key) }));
  }
  return out.join('\n');
}

/** Registers the read-only commands (start, help, status, scan, signals, signal, positions, balance, pnl, limits); never throws. */
export function registerReadCommands(bot: Bot<BotContext>, deps: BotDeps): void {
  const { desk } = deps;

  bot.command(
    'start',
    guardCommand(deps, 'start', async (ctx) => {
      const kb = languageKeyboard(deps, ctx.actor.id);
      const name = ctx.from?.first_name ?? '';
      await ctx.reply(ctx.tr('start-welcome', { name, role: ctx.tr('role', { role: ctx.actor.role }) }), { reply_markup: kb });
    }),
  );

  bot.command(
    'help',
    guardCommand(deps, 'help', async (ctx) => {
      await sendLong(ctx.api, ctx.chat!.id, helpText(ctx));
    }),
  );

  bot.command(
    'status',
    guardCommand(deps, 'status', async (ctx) => {
      const s = await desk.status(ctx.actor);
      const yn = (b: boolean): string => (b ? 'yes' : 'no');
      await ctx.reply(
        ctx.tr('status-text', {
          mode: ctx.tr('mode', { mode: s.mode }),
          feed: s.feed,
          paused: yn(s.entriesPaused),
          kill: yn(s.killSwitch),
          breaker: yn(s.breaker.tripped),
          dayPnl: fmtMoney(ctx.lang, s.breaker.dayPnl, true),
          limitPct: fmtNum(ctx.lang, s.breaker.limitPct, 2),
          uptime: durationText(ctx.tr, s.uptimeMs),
          lag: lagText(ctx.tr, ctx.lang, s.feedLagMs),
          positions: s.openPositions,
          signals: s.liveSignals,
          universe: s.universe.join(ctx.tr('list-separator')),
          intervals: s.intervals.map((i) => intervalLabel(ctx.tr, i)).join(ctx.tr('list-separator')),
        }),
      );
    }),
  );

  bot.command(
    'scan',
    guardCommand(deps, 'scan', async (ctx, args) => {
      const symbol = args.split(/\s+/)[0] || undefined;
      const r = await withTyping(ctx.api, ctx.chat!.id, () => desk.runScan(ctx.actor, symbol ? { symbol } : {}), 0);
      const lines = [ctx.tr('scan-result', { scanned: r.scanned, found: r.signals.length })];
      for (const s of r.signals) lines.push(signalLine(ctx.tr, ctx.lang, s));
      lines.push(ctx.tr('scan-limit', { used: r.limit.used, max: r.limit.max, reset: fmtWhen(ctx.lang, r.limit.resetAt, deps.clock.now()) }));
      const kb = executeRows(deps, ctx.tr, ctx.actor.id, ctx.actor.role, r.signals.filter((s) => s.status === 'live' && s.stage === 'live'));
      await sendLong(ctx.api, ctx.chat!.id, lines.join('\n'), kb ?? undefined);
    }),
  );

  bot.command(
    'signals',
    guardCommand(deps, 'signals', async (ctx) => {
      const { signals } = await desk.listSignals(ctx.actor, { status: 'live' });
      if (signals.length === 0) {
        await ctx.reply(ctx.tr('signals-none'));
        return;
      }
      const text = [ctx.tr('signals-header', { count: signals.length }), ...signals.map((s) => signalLine(ctx.tr, ctx.lang, s))].join('\n');
      const kb = executeRows(deps, ctx.tr, ctx.actor.id, ctx.actor.role, signals.filter((s) => s.stage === 'live'));
      await sendLong(ctx.api, ctx.chat!.id, text, kb ?? undefined);
    }),
  );

  bot.command(
    'signal',
    guardCommand(deps, 'signal', async (ctx, args) => {
      const id = await requireArg(ctx, 'signal', args);
      if (!id) return;
      const { signal } = await desk.getSignal(ctx.actor, { id });
      const live = signal.status === 'live' && signal.stage === 'live' ? [signal] : [];
      const kb = executeRows(deps, ctx.tr, ctx.actor.id, ctx.actor.role, live);
      await sendLong(ctx.api, ctx.chat!.id, signalFull(ctx.tr, ctx.lang, signal), kb ?? undefined);
    }),
  );

  bot.command(
    'positions',
    guardCommand(deps, 'positions', async (ctx) => {
      const { positions } = await desk.listPositions(ctx.actor, { status: 'open' });
      if (positions.length === 0) {
        await ctx.reply(ctx.tr('positions-none'));
        return;
      }
      const text = [ctx.tr('positions-header', { count: positions.length }), ...positions.map((p) => positionLine(ctx.tr, ctx.lang, p))].join('\n');
      await sendLong(ctx.api, ctx.chat!.id, text);
    }),
  );

  bot.command(
    'balance',
    guardCommand(deps, 'balance', async (ctx) => {
      const b = await desk.balance(ctx.actor);
      await ctx.reply(
        ctx.tr('balance-text', {
          mode: ctx.tr('mode', { mode: b.mode }),
          equity: fmtMoney(ctx.lang, b.equity),
          available: fmtMoney(ctx.lang, b.available),
          used: fmtMoney(ctx.lang, b.usedMargin),
          upnl: fmtMoney(ctx.lang, b.unrealizedPnl, true),
        }),
      );
    }),
  );

  bot.command(
    'pnl',
    guardCommand(deps, 'pnl', async (ctx, args) => {
      const period = args.split(/\s+/)[0]?.toLowerCase() || 'day';
      const p = await desk.pnl(ctx.actor, { period: period as 'day' });
      await ctx.reply(
        ctx.tr('pnl-text', {
          period: p.period,
          from: fmtTime(ctx.lang, p.from),
          to: fmtTime(ctx.lang, p.to),
          realized: fmtMoney(ctx.lang, p.realized, true),
          fees: fmtMoney(ctx.lang, p.fees),
          trades: p.trades,
          wins: p.wins,
          losses: p.losses,
          winRate: p.winRate === null ? ctx.tr('not-available') : ctx.tr('percent', { value: fmtNum(ctx.lang, p.winRate, 1) }),
        }),
      );
    }),
  );

  bot.command(
    'limits',
    guardCommand(deps, 'limits', async (ctx) => {
      const lines = await limitLines(ctx.tr, ctx.lang, deps, ctx.actor);
      await ctx.reply([ctx.tr('limits-header'), ...lines].join('\n'));
    }),
  );
}
