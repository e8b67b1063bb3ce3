import { BalanceInput, BalanceOutput, ExecuteInput, GetSignalInput, GetSignalOutput, ListPositionsInput, ListPositionsOutput, ListSignalsInput, ListSignalsOutput, PnlInput, PnlOutput, PreviewOutput, ScanInput, ScanOutput, StatusInput, StatusOutput, isDeskError } from '../engine/index.ts';
import { READ_ONLY, defineTool, type ToolContext } from './tool-kit.ts';

/** Registers the read tools (status, scan, signals, preview, positions, balance, pnl); never throws. */
export function registerReadTools(ctx: ToolContext): void {
  const { desk, actor } = ctx;

  defineTool(ctx, {
    name: 'get_status',
    title: 'Desk status',
    description:
      'Returns the trading desk at a glance: paper or live mode, market feed and its lag, whether entries are paused, ' +
      'the kill switch and the daily-loss breaker, open positions and live signals counts, the symbol universe and ' +
      'strategies. Call this first to orient yourself; it changes nothing.',
    input: StatusInput,
    output: StatusOutput,
    annotations: READ_ONLY,
    run: async () => {
      const s = await desk.status(actor);
      return {
        value: s,
        summary: `${s.mode} desk; ${s.openPositions} open positions; ${s.liveSignals} live signals; kill switch ${s.killSwitch ? 'ON' : 'off'}; entries ${s.entriesPaused ? 'paused' : 'open'}.`,
      };
    },
  });

  defineTool(ctx, {
    name: 'scan_market',
    title: 'Scan the market now',
    description:
      'Runs the scanner immediately over the universe (or one symbol and/or interval) and returns the new signals it ' +
      'produced, each scored 0..10 on 8 metrics. Each call uses one of your daily scans (see limit.used/limit.max); ' +
      'prefer list_signals to see signals the desk already found. Places no orders.',
    input: ScanInput,
    output: ScanOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: async (args) => {
      const r = await desk.runScan(actor, args);
      return { value: r, summary: `Scanned ${r.scanned} series; ${r.signals.length} new signals; scans used ${r.limit.used}/${r.limit.max}.` };
    },
  });

  defineTool(ctx, {
    name: 'list_signals',
    title: 'List signals',
    description:
      'Lists trade signals, newest first: by default only live ones (executable now), or all with status "all"; ' +
      'optionally one symbol. Each signal has an id (use it with get_signal, preview_trade and execute_signal), side, ' +
      'entry, stop, targets, score and expiry (epoch ms).',
    input: ListSignalsInput,
    output: ListSignalsOutput,
    annotations: READ_ONLY,
    run: async (args) => {
      const r = await desk.listSignals(actor, args);
      return { value: r, summary: `${r.signals.length} signals.` };
    },
  });

  defineTool(ctx, {
    name: 'get_signal',
    title: 'Get one signal',
    description:
      'Returns one signal by id with its full score breakdown (8 metrics, 0..10 each), levels, strategy, regime and ' +
      'status. Fails with NOT_FOUND for an unknown id.',
    input: GetSignalInput,
    output: GetSignalOutput,
    annotations: READ_ONLY,
    run: async (args) => ({ value: await desk.getSignal(actor, args) }),
  });

  defineTool(ctx, {
    name: 'preview_trade',
    title: 'Preview executing a signal',
    description:
      'Shows what execute_signal would do right now for a signal, without placing anything: quantity, notional, ' +
      'margin, leverage, USDT at risk, levels, and whether every gate (the desk\'s risk checks and your agent caps) ' +
      'allows it; when allowed is false, refusal.code says why. Use it before execute_signal.',
    input: ExecuteInput,
    output: PreviewOutput,
    annotations: READ_ONLY,
    run: async (args) => {
      const p = await desk.previewExecution(actor, args);
      if (!p.allowed) return { value: p, summary: `Not allowed: ${p.refusal?.code ?? 'refused'}.` };
      try {
        const s = await desk.status(actor);
        ctx.caps.checkMode(s.mode);
        await ctx.caps.ready(actor);
        ctx.caps.check(actor, p.symbol, p.notional, s.universe);
      } catch (e) {
        if (!isDeskError(e, 'AGENT_CAP')) throw e;
        return { value: { ...p, allowed: false, refusal: { code: e.code, detail: e.detail } }, summary: 'Not allowed: AGENT_CAP.' };
      }
      return {
        value: p,
        summary: `Allowed: ${p.side} ${p.qty} ${p.symbol} (~${p.notional.toFixed(2)} USDT notional, ${p.riskUsdt.toFixed(2)} USDT at risk).`,
      };
    },
  });

  defineTool(ctx, {
    name: 'list_positions',
    title: 'List positions',
    description:
      'Lists positions of the desk\'s mode, newest first: open by default, or closed / all. Each has an id (use it ' +
      'with close_position), side, quantity, entry, stop, targets, last price and unrealized / realized PnL in USDT.',
    input: ListPositionsInput,
    output: ListPositionsOutput,
    annotations: READ_ONLY,
    run: async (args) => {
      const r = await desk.listPositions(actor, args);
      return { value: r, summary: `${r.positions.length} positions.` };
    },
  });

  defineTool(ctx, {
    name: 'get_balance',
    title: 'Wallet balance',
    description: 'Returns the wallet in USDT: equity, available balance, used margin and unrealized PnL, for the desk\'s mode.',
    input: BalanceInput,
    output: BalanceOutput,
    annotations: READ_ONLY,
    run: async () => ({ value: await desk.balance(actor) }),
  });

  defineTool(ctx, {
    name: 'get_pnl',
    title: 'Realized PnL',
    description:
      'Returns realized PnL in USDT over the UTC day (default), the ISO week or all time: fees, number of trades, ' +
      'wins, losses and win rate.',
    input: PnlInput,
    output: PnlOutput,
    annotations: READ_ONLY,
    run: async (args) => ({ value: await desk.pnl(actor, args) }),
  });
}
