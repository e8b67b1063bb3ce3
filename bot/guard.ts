import type { BotContext, BotDeps } from './context.ts';
import { commandSpec } from './command-table.ts';
import { roleAtLeast } from './roles.ts';
import { errorText } from './error-text.ts';
import { isDeskError } from '../engine/index.ts';
import { sendLong } from './reply.ts';
import { limitLines } from './limits-text.ts';

/** A command handler: the context and the text after the command. */
export type CommandHandler = (ctx: BotContext, args: string) => Promise<void>;

/**
 * Renders a failure to the user: the localized DeskError text (with what is left of the limits and
 * when they reset on RATE_LIMITED); anything else is logged and shown as INTERNAL. Never throws.
 */
export async function replyError(ctx: BotContext, deps: BotDeps, err: unknown): Promise<void> {
  try {
    let text = errorText(ctx.tr, err);
    if (isDeskError(err, 'RATE_LIMITED')) {
      const lines = await limitLines(ctx.tr, ctx.lang, deps, ctx.actor).catch(() => []);
      if (lines.length > 0) text += '\n' + lines.join('\n');
    }
    if (!isDeskError(err)) deps.logger.error({ err: String((err as Error)?.name ?? 'error'), update: ctx.update.update_id }, 'bot handler failed');
    if (ctx.chat) await sendLong(ctx.api, ctx.chat.id, text);
  } catch (e) {
    deps.logger.warn({ err: String((e as Error)?.message ?? e) }, 'could not send error reply');
  }
}

/**
 * Wraps a command handler: checks the sender's role against the command's minimum (refusing with a
 * localized text and an audit log line), then runs it and renders any failure. Never throws.
 */
export function guardCommand(deps: BotDeps, name: string, handler: CommandHandler): (ctx: BotContext) => Promise<void> {
  const spec = commandSpec(name);
  return async (ctx) => {
    if (!roleAtLeast(ctx.actor.role, spec.minRole)) {
      deps.logger.warn({ audit: 'command_refused', command: name, actorId: ctx.actor.id, role: ctx.actor.role }, 'role too low');
      await ctx.reply(ctx.tr('bot-role-required', { role: ctx.tr('role', { role: spec.minRole }) })).catch(() => {});
      return;
    }
    const args = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    try {
      await handler(ctx, args);
    } catch (err) {
      await replyError(ctx, deps, err);
    }
  };
}

/**
 * The first word of a command's `args`; when there is none, replies with the usage line of command
 * `name` and returns undefined. Rejects only when Telegram refuses the reply.
 */
export async function requireArg(ctx: BotContext, name: string, args: string): Promise<string | undefined> {
  const first = args.split(/\s+/)[0];
  if (first) return first;
  await ctx.reply(ctx.tr('bot-usage', { usage: ctx.tr(`${commandSpec(name).key}.usage`) }));
  return undefined;
}
