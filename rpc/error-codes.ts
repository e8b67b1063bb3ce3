import { DeskError, type DeskErrorCode } from '../engine/index.ts';

/** JSON-RPC 2.0 spec error codes. */
export const SPEC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

/**
 * DeskError code → JSON-RPC error code and public message. Stable: a code never changes meaning
 * once published; new DeskError codes take the next free number below -32028. VALIDATION and
 * INTERNAL use the spec codes; every other code lives in -32001..-32099 (server-defined range).
 */
export const RPC_ERROR_TABLE: Readonly<Record<DeskErrorCode, { code: number; message: string }>> = {
  VALIDATION: { code: SPEC_ERRORS.INVALID_PARAMS, message: 'Invalid params' },
  INTERNAL: { code: SPEC_ERRORS.INTERNAL_ERROR, message: 'Internal error' },
  UNAUTHENTICATED: { code: -32001, message: 'Unauthenticated' },
  FORBIDDEN: { code: -32002, message: 'Forbidden for this role' },
  RATE_LIMITED: { code: -32003, message: 'Rate limited' },
  NOT_FOUND: { code: -32004, message: 'Not found' },
  SIGNAL_EXPIRED: { code: -32005, message: 'Signal expired' },
  SIGNAL_NOT_LIVE: { code: -32006, message: 'Signal is not live' },
  ENTRIES_PAUSED: { code: -32007, message: 'Entries are paused' },
  KILL_SWITCH: { code: -32008, message: 'Kill switch is on (close-only)' },
  BREAKER_TRIPPED: { code: -32009, message: 'Daily-loss breaker tripped' },
  COOLDOWN: { code: -32010, message: 'Symbol is cooling down' },
  NO_QUOTE: { code: -32011, message: 'No quote available' },
  STALE_QUOTE: { code: -32012, message: 'Quote is stale' },
  SIZE_TOO_SMALL: { code: -32013, message: 'Size below the minimum order' },
  MARGIN_CAP: { code: -32014, message: 'Margin cap reached' },
  MAX_POSITIONS: { code: -32015, message: 'Maximum open positions reached' },
  INSUFFICIENT_BALANCE: { code: -32016, message: 'Insufficient balance' },
  POSITION_EXISTS: { code: -32017, message: 'Position already exists' },
  POSITION_CLOSED: { code: -32018, message: 'Position already closed' },
  CONFIRMATION_REQUIRED: { code: -32019, message: 'Confirmation required' },
  CONFIRMATION_INVALID: { code: -32020, message: 'Confirmation invalid' },
  AGENT_CAP: { code: -32021, message: 'Agent cap reached' },
  STRATEGY_NOT_LIVE: { code: -32022, message: 'Strategy is not live' },
  UNKNOWN_OUTCOME: { code: -32023, message: 'Order outcome unknown; check positions' },
  EXCHANGE_REJECTED: { code: -32024, message: 'Exchange rejected the order' },
  EXCHANGE_UNAVAILABLE: { code: -32025, message: 'Exchange unavailable' },
  CLOCK_SKEW: { code: -32026, message: 'Clock skew too large' },
  CONFIG: { code: -32027, message: 'Configuration error' },
  SHUTTING_DOWN: { code: -32028, message: 'Desk is shutting down' },
  CLOSE_PENDING: { code: -32029, message: 'A close of this position is still being placed' },
};

/** The JSON-RPC error code for a DeskError code (see RPC_ERROR_TABLE); -32603 for an unknown code, never 0. */
export function rpcErrorCode(deskCode: DeskErrorCode | string): number {
  const row = (RPC_ERROR_TABLE as Record<string, { code: number } | undefined>)[deskCode];
  return row ? row.code : SPEC_ERRORS.INTERNAL_ERROR;
}

/** The `error` member of a JSON-RPC error response. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: { code: DeskErrorCode; detail: Record<string, string | number | boolean | null> };
}

const clip = (v: string | number | boolean | null): string | number | boolean | null =>
  typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v;

/**
 * Turns anything a method threw into a JSON-RPC error object: a DeskError keeps its code (as
 * `data.code`) and its flat detail (strings clipped to 200 chars); anything else becomes -32603 with
 * no detail. The message is the table's fixed text (plus the field for -32602), never the thrown
 * message or a stack. Never throws.
 */
export function toRpcError(err: unknown): RpcErrorObject {
  if (!(err instanceof DeskError)) {
    return { code: SPEC_ERRORS.INTERNAL_ERROR, message: 'Internal error', data: { code: 'INTERNAL', detail: {} } };
  }
  const row = RPC_ERROR_TABLE[err.code] ?? RPC_ERROR_TABLE.INTERNAL;
  const detail: Record<string, string | number | boolean | null> = {};
  if (err.code !== 'INTERNAL') {
    for (const [k, v] of Object.entries(err.detail ?? {})) {
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') detail[k.slice(0, 64)] = clip(v);
    }
  }
  const field = typeof detail.field === 'string' ? detail.field : null;
  const message = err.code === 'VALIDATION' && field ? `${row.message}: ${field}` : row.message;
  return { code: row.code, message, data: { code: RPC_ERROR_TABLE[err.code] ? err.code : 'INTERNAL', detail } };
}
