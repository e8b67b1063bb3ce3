import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ActorSchema, parseInput, silentLogger, systemClock, type Actor, type Clock, type DeskApi, type DeskConfig, type DeskLogger, type DeskMetrics } from '../engine/index.ts';
import { AgentCaps, capsFromConfig } from './agent-caps.ts';
import { ConfirmTokens } from './confirm-tokens.ts';
import { RecentEvents } from './event-log.ts';
import { registerPrompts } from './prompts.ts';
import { registerResources } from './resources.ts';
import type { ToolContext } from './tool-kit.ts';
import { registerControlTools } from './tools-control.ts';
import { registerReadTools } from './tools-read.ts';
import { registerTradeTools } from './tools-trade.ts';

/** The MCP server's name and version as clients see them. */
export const SERVER_INFO = { name: 'signal-desk', title: 'Signal Desk', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Signal Desk trades Bybit USDT perpetuals (paper or live). Start with get_status. Signals come from the desk\'s ' +
  'scanner: list_signals, get_signal, preview_trade, then execute_signal (it needs confirmation: elicitation, or a ' +
  'second call with the confirmToken it returns). Amounts are USDT, times are UTC epoch ms. Risk-reducing calls ' +
  '(close_position, set_kill_switch on) are always allowed to traders.';

/**
 * State shared by every MCP session of one desk: the agent caps ledger, the confirmation tokens and
 * the recent-events ring. Build it once per desk (createMcpHttp does) so limits hold across sessions.
 */
export interface McpShared {
  caps: AgentCaps;
  tokens: ConfirmTokens;
  events: RecentEvents;
}

/** Options of createMcpServer; `config` supplies the MCP_* caps and the confirmation secret. */
export interface McpServerOptions {
  config: DeskConfig;
  logger?: DeskLogger;
  clock?: Clock;
  metrics?: DeskMetrics;
  /** Shared guard state; when absent the server gets its own (and closes its event ring on close). */
  shared?: McpShared;
}

/** Builds the guard state shared across sessions from the config (call `events.close()` when done); never throws. */
export function createMcpShared(desk: DeskApi, config: DeskConfig, clock: Clock = systemClock): McpShared {
  return {
    caps: new AgentCaps(capsFromConfig(config), clock, (actor) => desk.entryNotionalToday(actor)),
    tokens: new ConfirmTokens(config.MCP_CONFIRM_SECRET, clock),
    events: new RecentEvents(desk),
  };
}

/**
 * Creates one McpServer acting as `actor` against `desk`: 13 tools with input and output schemas from
 * engine/schemas.ts, the signal / positions / events resources and two prompts. Connect it to any
 * transport. Throws DeskError VALIDATION if `actor` is malformed.
 */
export function createMcpServer(desk: DeskApi, actor: Actor, opts: McpServerOptions): McpServer {
  const who = parseInput(ActorSchema, actor);
  const clock = opts.clock ?? systemClock;
  const own = opts.shared === undefined;
  const shared = opts.shared ?? createMcpShared(desk, opts.config, clock);
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: {}, resources: {}, prompts: {} },
    instructions: INSTRUCTIONS,
  });
  const ctx: ToolContext = {
    server,
    desk,
    actor: who,
    caps: shared.caps,
    tokens: shared.tokens,
    clock,
    logger: (opts.logger ?? silentLogger).child({ module: 'mcp' }),
    metrics: opts.metrics,
  };
  registerReadTools(ctx);
  registerTradeTools(ctx);
  registerControlTools(ctx);
  registerResources(ctx, shared.events);
  registerPrompts(ctx);
  if (own) {
    const prev = server.server.onclose;
    server.server.onclose = () => {
      shared.events.close();
      prev?.();
    };
  }
  return server;
}
