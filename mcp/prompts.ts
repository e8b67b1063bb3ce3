import { z } from 'zod';
import type { ToolContext } from './tool-kit.ts';

/** Registers the `review_open_risk` and `triage_signal` prompts; never throws. */
export function registerPrompts(ctx: ToolContext): void {
  const { server } = ctx;

  server.registerPrompt(
    'review_open_risk',
    {
      title: 'Review open risk',
      description: 'Walk through open positions, balance, today\'s PnL and the risk switches, and recommend actions.',
    },
    () => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              'Review the open risk on the Signal Desk.\n' +
              '1. Call get_status (mode, kill switch, breaker, paused), get_balance, get_pnl and list_positions.\n' +
              '2. For each open position report symbol, side, size, entry, stop, distance to stop in %, unrealized PnL ' +
              'and the USDT lost if the stop is hit; sum the total at risk as % of equity.\n' +
              '3. Flag concentration (several positions in correlated coins or one side), a day PnL near the breaker ' +
              'limit, stale feed (feedLagMs), and positions without progress to their first target.\n' +
              '4. Recommend, do not act: which positions to close (close_position asks for confirmation), or whether to ' +
              'turn the kill switch on. Never open new positions during this review.',
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    'triage_signal',
    {
      title: 'Triage a signal',
      description: 'Assess one signal (score parts, levels, risk preview) and say whether it is worth executing.',
      argsSchema: { signalId: z.string().min(1).max(64).describe('The id of the signal to assess') },
    },
    ({ signalId }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              `Triage signal ${signalId} on the Signal Desk.\n` +
              '1. Call get_signal and preview_trade for it, and get_status for the desk\'s state.\n' +
              '2. Summarize the thesis from the 8 score parts (which metrics carry it, which are weak), the ' +
              'reward-to-risk from entry, stop and targets, the time left before it expires, and the preview\'s ' +
              'notional and USDT at risk.\n' +
              '3. If preview_trade says allowed=false, explain refusal.code and stop.\n' +
              '4. Give a clear take / skip recommendation with one reason. Only call execute_signal if the user asks you to.',
          },
        },
      ],
    }),
  );
}
