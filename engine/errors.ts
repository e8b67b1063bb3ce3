/** Stable error codes every front-end maps to its own surface (JSON-RPC code, MCP text, Telegram text). */
export const DESK_ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'NOT_FOUND',
  'SIGNAL_EXPIRED',
  'SIGNAL_NOT_LIVE',
  'ENTRIES_PAUSED',
  'KILL_SWITCH',
  'BREAKER_TRIPPED',
  'COOLDOWN',
  'NO_QUOTE',
  'STALE_QUOTE',
  'SIZE_TOO_SMALL',
  'MARGIN_CAP',
  'MAX_POSITIONS',
  'INSUFFICIENT_BALANCE',
  'POSITION_EXISTS',
  'POSITION_CLOSED',
  'CLOSE_PENDING',
  'CONFIRMATION_REQUIRED',
  'CONFIRMATION_INVALID',
  'AGENT_CAP',
  'STRATEGY_NOT_LIVE',
  'UNKNOWN_OUTCOME',
  'EXCHANGE_REJECTED',
  'EXCHANGE_UNAVAILABLE',
  'CLOCK_SKEW',
  'CONFIG',
  'SHUTTING_DOWN',
  'INTERNAL',
] as const;

/** One of the stable desk error codes. */
export type DeskErrorCode = (typeof DESK_ERROR_CODES)[number];

/** Structured, i18n-able detail: flat scalars only, never vendor objects or secrets. */
export type DeskErrorDetail = Record<string, string | number | boolean | null>;

/**
 * The only error the engine lets out: a stable `code`, a short English `message` for logs, and a
 * flat `detail` a front-end can localize. Never carries vendor text, request options or secrets.
 */
export class DeskError extends Error {
  readonly code: DeskErrorCode;
  readonly detail: DeskErrorDetail;

  /** Builds a DeskError; `message` defaults to the code itself. */
  constructor(code: DeskErrorCode, detail: DeskErrorDetail = {}, message?: string) {
    super(message ?? code);
    this.name = 'DeskError';
    this.code = code;
    this.detail = detail;
  }

  /** A plain JSON shape safe to send to any client. */
  toJSON(): { code: DeskErrorCode; message: string; detail: DeskErrorDetail } {
    return { code: this.code, message: this.message, detail: this.detail };
  }
}

/** True when `e` is a DeskError (optionally of the given code); never throws. */
export function isDeskError(e: unknown, code?: DeskErrorCode): e is DeskError {
  return e instanceof DeskError && (code === undefined || e.code === code);
}

/**
 * Turns anything thrown into a DeskError without leaking its text: DeskErrors pass through, everything
 * else becomes INTERNAL with no detail (the caller logs the original under redaction if it must).
 */
export function toDeskError(e: unknown): DeskError {
  if (e instanceof DeskError) return e;
  return new DeskError('INTERNAL', {}, 'internal error');
}
