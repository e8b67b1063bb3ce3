import { z } from 'zod';
import { ClosePositionInput, ClosePositionOutput, DeskError, ExecuteInput, ExecuteOutput, PositionSchema, PreviewOutput, isDeskError, type Position, type PreviewResult } from '../engine/index.ts';
import { confirmAction, type ConfirmOutcome } from './confirmation.ts';
import { defineTool, type ToolContext, type ToolValue } from './tool-kit.ts';

const ConfirmationSchema = z.object({
  token: z.string(),
  expiresAt: z.number().int(),
  howTo: z.string(),
});

const confirmTokenField = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('The confirmation token a previous call returned; pass it with the exact same other arguments, within 60 s.');

/** execute_signal's arguments: the Desk's execute input plus the optional confirmation token. */
export const ExecuteToolInput = ExecuteInput.extend({ confirmToken: confirmTokenField });

/** execute_signal's result: the order when executed, else the preview and how to confirm. */
export const ExecuteToolOutput = z.object({
  outcome: z.enum(['executed', 'confirmation_required', 'declined', 'cancelled']),
  order: ExecuteOutput.optional(),
  preview: PreviewOutput.optional(),
  confirmation: ConfirmationSchema.optional(),
});

/** close_position's arguments: the Desk's close input plus the optional confirmation token. */
export const CloseToolInput = ClosePositionInput.safeExtend({ confirmToken: confirmTokenField });

/** close_position's result: the close when done, else the position to be closed and how to confirm. */
export const CloseToolOutput = z.object({
  outcome: z.enum(['closed', 'confirmation_required', 'declined', 'cancelled']),
  close: ClosePositionOutput.optional(),
  position: PositionSchema.optional(),
  fraction: z.number().optional(),
  confirmation: ConfirmationSchema.optional(),
});

const HOW_TO = 'Call the same tool again within 60 s with exactly the same arguments plus confirmToken set to this token.';

/** Fails early with FORBIDDEN for a viewer so no confirmation is asked for an action the Desk would refuse. */
function requireTrader(ctx: ToolContext): void {
  if (ctx.actor.role === 'viewer') throw new DeskError('FORBIDDEN', { need: 'trader' }, 'viewer cannot trade');
}

function describePreview(p: PreviewResult): string {
  return (
    `Open ${p.side.toUpperCase()} ${p.qty} ${p.symbol} at ~${p.entry} (notional ~${p.notional.toFixed(2)} USDT, ` +
    `margin ${p.margin.toFixed(2)} USDT, ${p.leverage}x), stop ${p.stop}, targets ${p.targets.join(' / ')}; ` +
    `${p.riskUsdt.toFixed(2)} USDT (${p.riskPct}%) at risk if the stop is hit.`
  );
}

function denied(kind: ConfirmOutcome['kind']): 'declined' | 'cancelled' {
  return kind === 'cancelled' ? 'cancelled' : 'declined';
}

/** Registers execute_signal and close_position with the agent guard; never throws. */
export function registerTradeTools(ctx: ToolContext): void {
  const { desk, actor, caps } = ctx;

  // One preview plus every agent gate; throws the desk's refusal or AGENT_CAP.
  const gatedPreview = async (args: z.output<typeof ExecuteInput>) => {
    const status = await desk.status(actor);
    caps.checkMode(status.mode);
    const p = await desk.previewExecution(actor, args);
    if (!p.allowed) {
      const code = p.refusal?.code ?? 'INTERNAL';
      const detail = Object.fromEntries(
        Object.entries(p.refusal?.detail ?? {}).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v)),
      ) as Record<string, string | number | boolean | null>;
      throw new DeskError(code as DeskError['code'], detail, 'preview refused');
    }
    return { p, universe: status.universe };
  };

  defineTool(ctx, {
    name: 'execute_signal',
    title: 'Execute a signal (places a real order)',
    description:
      'Opens a position from a live signal through the desk\'s risk gate and broker, with the stop attached on the ' +
      'exchange. Needs confirmation: if your client supports elicitation the human is asked; otherwise the first ' +
      'call places NOTHING and returns outcome "confirmation_required" with a preview and a confirmToken, and a ' +
      'second call with the same arguments plus confirmToken (within 60 s, once) executes. Agent caps apply: max ' +
      'notional per order and per UTC day, allowed symbols, and no live trading unless enabled. The desk never ' +
      'places the same signal twice for you (a repeat returns the first order with duplicate: true, or SIGNAL_NOT_LIVE). ' +
      'On UNKNOWN_OUTCOME check list_positions before retrying.',
    input: ExecuteToolInput,
    output: ExecuteToolOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    run: async (input, extra): Promise<ToolValue<z.input<typeof ExecuteToolOutput>>> => {
      requireTrader(ctx);
      const { confirmToken, ...args } = input;
      if (confirmToken !== undefined) {
        // A token is checked before anything else, so a replayed or forged one never reaches the desk.
        ctx.tokens.consume(confirmToken, 'execute_signal', actor, args);
      } else {
        const first = await gatedPreview(args);
        await caps.ready(actor);
        caps.check(actor, first.p.symbol, first.p.notional, first.universe);
        const c = await confirmAction({
          server: ctx.server,
          tokens: ctx.tokens,
          actor,
          tool: 'execute_signal',
          args,
          question: `Signal Desk agent "${actor.id}" asks to place an order. ${describePreview(first.p)} Confirm?`,
          extra,
        });
        if (c.kind === 'token_issued') {
          return {
            value: { outcome: 'confirmation_required', preview: first.p, confirmation: { token: c.token, expiresAt: c.expiresAt, howTo: HOW_TO } },
            summary: `Nothing placed yet. ${describePreview(first.p)} ${HOW_TO}`,
            outcome: 'confirmation_required',
          };
        }
        if (c.kind !== 'confirmed') {
          const o = denied(c.kind);
          return { value: { outcome: o, preview: first.p }, summary: `The human ${o} the order; nothing was placed.`, outcome: o };
        }
      }
      // (Re-)check just before placing: time has passed since any preview (a human, or a token round trip).
      const again = await gatedPreview(args);
      await caps.ready(actor);
      const hold = caps.reserve(actor, again.p.symbol, again.p.notional, again.universe);
      let order;
      try {
        order = await desk.execute(actor, args);
      } catch (e) {
        // An unknown outcome may have traded: keep the hold (fail closed); anything else placed nothing.
        if (isDeskError(e, 'UNKNOWN_OUTCOME')) hold.settle(again.p.notional);
        else hold.release();
        throw e;
      }
      if (order.duplicate) hold.release();
      else hold.settle(order.qty * (order.avgPrice ?? again.p.entry));
      return {
        value: { outcome: 'executed', order },
        summary: `${order.duplicate ? 'Already executed earlier' : 'Executed'}: ${order.side} ${order.qty} ${order.symbol} (${order.status}), stop ${order.stop}.`,
        outcome: order.duplicate ? 'duplicate' : 'executed',
      };
    },
  });

  defineTool(ctx, {
    name: 'close_position',
    title: 'Close a position',
    description:
      'Closes an open position by positionId or symbol, fully (fraction 1, the default) or partly (0 < fraction < 1), ' +
      'at market. Allowed even under the kill switch or the loss breaker and never blocked by agent caps, since it ' +
      'reduces risk. Needs confirmation like execute_signal: elicitation if your client supports it, otherwise the ' +
      'first call returns the position and a confirmToken and the second call with the same arguments plus ' +
      'confirmToken (within 60 s, once) closes.',
    input: CloseToolInput,
    output: CloseToolOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async (input, extra): Promise<ToolValue<z.input<typeof CloseToolOutput>>> => {
      requireTrader(ctx);
      const { confirmToken, ...args } = input;
      if (confirmToken !== undefined) ctx.tokens.consume(confirmToken, 'close_position', actor, args);
      const open = await desk.listPositions(actor, { status: 'open', limit: 200 });
      const pos: Position | undefined = args.positionId
        ? open.positions.find((p) => p.id === args.positionId)
        : open.positions.find((p) => p.symbol === args.symbol);
      if (!pos) throw new DeskError('NOT_FOUND', { what: 'open position', ...(args.positionId ? { positionId: args.positionId } : { symbol: args.symbol ?? null }) });
      if (confirmToken === undefined) {
        const what =
          `Close ${args.fraction === 1 ? 'ALL' : `${Math.round(args.fraction * 100)}%`} of ${pos.side.toUpperCase()} ${pos.qty} ${pos.symbol} ` +
          `(entry ${pos.entryPrice}, unrealized ${pos.unrealizedPnl === null ? 'n/a' : pos.unrealizedPnl.toFixed(2)} USDT) at market.`;
        const c = await confirmAction({
          server: ctx.server,
          tokens: ctx.tokens,
          actor,
          tool: 'close_position',
          args,
          question: `Signal Desk agent "${actor.id}" asks to close a position. ${what} Confirm?`,
          extra,
        });
        if (c.kind === 'token_issued') {
          return {
            value: { outcome: 'confirmation_required', position: pos, fraction: args.fraction, confirmation: { token: c.token, expiresAt: c.expiresAt, howTo: HOW_TO } },
            summary: `Nothing closed yet. ${what} ${HOW_TO}`,
            outcome: 'confirmation_required',
          };
        }
        if (c.kind !== 'confirmed') {
          const o = denied(c.kind);
          return { value: { outcome: o, position: pos, fraction: args.fraction }, summary: `The human ${o} the close; nothing was done.`, outcome: o };
        }
      }
      const close = await desk.closePosition(actor, { ...args, positionId: pos.id, symbol: undefined });
      return {
        value: { outcome: 'closed', close },
        summary: `Closed ${close.closedQty} ${close.symbol}; ${close.remainingQty} remain; realized ${close.realizedPnl.toFixed(2)} USDT.`,
        outcome: 'closed',
      };
    },
  });
}
