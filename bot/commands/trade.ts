import type { Bot } from 'grammy';
import type { Position } from '../../engine/index.ts';
import type { BotContext, BotDeps } from '../context.ts';
import { guardCommand, requireArg } from '../guard.ts';
import { ACTIONS, confirmKeyboard } from '../keyboards.ts';
import { sideLabel } from '../render.ts';
import { fmtPrice, fmtQty } from '../format.ts';

/** Finds the open position `what` names (its id, or its symbol); null when none; rejects with the Desk's error. */
export async function findOpenPosition(deps: BotDeps, ctx: BotContext, what: string): Promise<Position | null> {
  const { positions } = await deps.desk.listPositions(ctx.actor, { status: 'open', limit: 200 });
  const upper = what.toUpperCase();
  return positions.find((p) => p.id === what) ?? positions.find((p) => p.symbol === upper) ?? null;
}

/** Registers /close (asks to confirm with buttons bound to the sender; Confirm closes through the Desk); never throws. */
export function registerTradeCommands(bot: Bot<BotContext>, deps: BotDeps): void {
  bot.command(
    'close',
    guardCommand(deps, 'close', async (ctx, args) => {
      const what = await requireArg(ctx, 'close', args);
      if (!what) return;
      const pos = await findOpenPosition(deps, ctx, what);
      if (!pos) {
        await ctx.reply(ctx.tr('close-none', { what }));
        return;
      }
      const kb = confirmKeyboard(deps.nonces, ctx.actor.id, ACTIONS.confirmClose, pos.id, deps.confirmTtlMs, {
        confirm: ctx.tr('btn-confirm'),
        cancel: ctx.tr('btn-cancel'),
      });
      await ctx.reply(
        ctx.tr('close-confirm', {
          symbol: pos.symbol,
          side: sideLabel(ctx.tr, pos.side),
          qty: fmtQty(ctx.lang, pos.qty),
          entry: fmtPrice(ctx.lang, pos.entryPrice),
          id: pos.id,
        }),
        { reply_markup: kb },
      );
    }),
  );
}
