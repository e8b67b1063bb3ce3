import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toDeskError, type DeskErrorCode, type DeskErrorDetail } from '../engine/index.ts';

// What a model reads when a tool fails: one short English sentence per stable code, then the flat,
// secret-free detail the Desk attached. Never vendor text, never a stack.
const SENTENCES: Record<DeskErrorCode, string> = {
  VALIDATION: 'The arguments are invalid; fix the named field and call again.',
  UNAUTHENTICATED: 'This client is not authenticated.',
  FORBIDDEN: "This agent's role does not allow that action.",
  RATE_LIMITED: "This agent's limit for that action is used up until the reset time.",
  NOT_FOUND: 'Nothing with that id exists; list first, then use an id from the list.',
  SIGNAL_EXPIRED: 'The signal has expired; it can no longer be executed.',
  SIGNAL_NOT_LIVE: 'The signal is not live (already executed, expired or superseded).',
  ENTRIES_PAUSED: 'New entries are paused; only closes are allowed.',
  KILL_SWITCH: 'The kill switch is on (close-only); new entries are refused.',
  BREAKER_TRIPPED: 'The daily-loss breaker has tripped; new entries are refused until an admin resumes.',
  COOLDOWN: 'This symbol is cooling down after a stop-out; try again after the cooldown.',
  NO_QUOTE: 'There is no quote for this symbol right now; nothing was placed.',
  STALE_QUOTE: 'The latest quote is too old to trade on; nothing was placed.',
  SIZE_TOO_SMALL: "The sized order is below the instrument's minimum; nothing was placed.",
  MARGIN_CAP: 'The order would exceed the margin or leverage cap; nothing was placed.',
  MAX_POSITIONS: 'The maximum number of open positions is reached; nothing was placed.',
  INSUFFICIENT_BALANCE: 'The wallet has too little available balance; nothing was placed.',
  POSITION_EXISTS: 'A position in this symbol is already open; nothing was placed.',
  POSITION_CLOSED: 'That position is already closed.',
  CLOSE_PENDING: 'A close of this position is still being placed; nothing more was sent. Check list_positions after a few seconds (at most 30), then close what is left.',
  CONFIRMATION_REQUIRED: 'This action needs confirmation first.',
  CONFIRMATION_INVALID: 'The confirmation failed (token invalid, expired, already used or for other arguments); nothing was done. Call again without confirmToken to get a fresh preview and token.',
  AGENT_CAP: 'An agent cap refuses this order (notional per order or per day, allowed symbols, or live trading disabled for agents); nothing was placed.',
  STRATEGY_NOT_LIVE: "The signal's strategy is in shadow mode and cannot be executed.",
  UNKNOWN_OUTCOME: 'The exchange did not confirm the outcome; do NOT retry blindly: check list_positions first.',
  EXCHANGE_REJECTED: 'The exchange rejected the order; nothing was placed.',
  EXCHANGE_UNAVAILABLE: 'The exchange is unavailable right now; nothing was placed. Try again later.',
  CLOCK_SKEW: "The desk's clock disagrees with the exchange; trading is refused until it is fixed.",
  CONFIG: 'The desk is misconfigured for this action.',
  SHUTTING_DOWN: 'The desk is shutting down; try again after it restarts.',
  INTERNAL: 'The desk hit an internal error; nothing more is known to this client.',
};

/** The curated English sentence for a code (never throws; unknown codes read as INTERNAL). */
export function sentenceFor(code: DeskErrorCode): string {
  return SENTENCES[code] ?? SENTENCES.INTERNAL;
}

/** Renders a flat detail object as `k=v` pairs (scalars only, strings clipped); never throws. */
function renderDetail(detail: DeskErrorDetail): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(detail)) {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${String(v)}`);
    else if (typeof v === 'string') parts.push(`${k}=${v.slice(0, 120)}`);
  }
  return parts.join(', ');
}

/**
 * Turns anything thrown into an MCP tool error: `isError`, one text block `CODE: sentence (detail)`,
 * no structuredContent; non-DeskErrors become INTERNAL without their text. Never throws.
 */
export function toolError(err: unknown): CallToolResult {
  const e = toDeskError(err);
  const detail = renderDetail(e.detail);
  const text = `${e.code}: ${sentenceFor(e.code)}${detail ? ` (${detail})` : ''}`;
  return { content: [{ type: 'text', text }], isError: true };
}

/** A successful tool result: the structured value plus its JSON as text for clients without structured output; throws only if the value cannot be serialized. */
export function toolOk(structured: Record<string, unknown>, summary?: string): CallToolResult {
  const json = JSON.stringify(structured);
  const text = summary ? `${summary}\n${json}` : json;
  return { content: [{ type: 'text', text }], structuredContent: structured };
}
