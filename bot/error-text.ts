import type { DeskErrorCode } from '../engine/index.ts';
import { isDeskError } from '../engine/index.ts';
import type { Translate } from './i18n.ts';

/** The locale key of every DeskError code (literal, so the locale-usage test can see each one). */
export const ERROR_KEYS: Record<DeskErrorCode, string> = {
  VALIDATION: 'err-validation',
  UNAUTHENTICATED: 'err-unauthenticated',
  FORBIDDEN: 'err-forbidden',
  RATE_LIMITED: 'err-rate-limited',
  NOT_FOUND: 'err-not-found',
  SIGNAL_EXPIRED: 'err-signal-expired',
  SIGNAL_NOT_LIVE: 'err-signal-not-live',
  ENTRIES_PAUSED: 'err-entries-paused',
  KILL_SWITCH: 'err-kill-switch',
  BREAKER_TRIPPED: 'err-breaker-tripped',
  COOLDOWN: 'err-cooldown',
  NO_QUOTE: 'err-no-quote',
  STALE_QUOTE: 'err-stale-quote',
  SIZE_TOO_SMALL: 'err-size-too-small',
  MARGIN_CAP: 'err-margin-cap',
  MAX_POSITIONS: 'err-max-positions',
  INSUFFICIENT_BALANCE: 'err-insufficient-balance',
  POSITION_EXISTS: 'err-position-exists',
  POSITION_CLOSED: 'err-position-closed',
  CLOSE_PENDING: 'err-close-pending',
  CONFIRMATION_REQUIRED: 'err-confirmation-required',
  CONFIRMATION_INVALID: 'err-confirmation-invalid',
  AGENT_CAP: 'err-agent-cap',
  STRATEGY_NOT_LIVE: 'err-strategy-not-live',
  UNKNOWN_OUTCOME: 'err-unknown-outcome',
  EXCHANGE_REJECTED: 'err-exchange-rejected',
  EXCHANGE_UNAVAILABLE: 'err-exchange-unavailable',
  CLOCK_SKEW: 'err-clock-skew',
  CONFIG: 'err-config',
  SHUTTING_DOWN: 'err-shutting-down',
  INTERNAL: 'err-internal',
};

/**
 * The localized text of an error code (unknown codes read as INTERNAL). Only the validated field name
 * of a VALIDATION detail is shown; no other detail text reaches the user. Never throws.
 */
export function codeText(tr: Translate, code: string, detail: Record<string, unknown> = {}): string {
  const key = (ERROR_KEYS as Record<string, string>)[code] ?? ERROR_KEYS.INTERNAL;
  const field = typeof detail.field === 'string' ? detail.field : '?';
  return tr(key, { field });
}

/** The localized text of anything thrown: DeskErrors by code, everything else as INTERNAL; never throws. */
export function errorText(tr: Translate, err: unknown): string {
  if (isDeskError(err)) return codeText(tr, err.code, err.detail);
  return tr(ERROR_KEYS.INTERNAL);
}
