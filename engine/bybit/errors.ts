import pRetry from 'p-retry';
import { DeskError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { DeskLogger } from '../log.ts';
import type { VenueOrder } from '../exec/broker.ts';

// The ONE place where bybit-api results and thrown objects become DeskErrors. bybit-api rejects with
// objects that carry the request options (API key and secret included) and axios configs (signed
// headers): nothing here keeps, logs or returns such an object — only a few primitives are copied out.

/** retCodes the adapters treat specially (Bybit V5 docs, docs/v5/error.mdx). */
export const RET = {
  OK: 0,
  SERVER_TIMEOUT: 10000,
  CLOCK: 10002,
  BAD_KEY: 10003,
  BAD_SIGN: 10004,
  RATE_LIMIT: 10006,
  SERVER_ERROR: 10016,
  INSUFFICIENT_BALANCE: 110007,
  LEVERAGE_NOT_MODIFIED: 110043,
  DUPLICATE_LINK_ID: 110072,
  TPSL_NOT_MODIFIED: 34040,
} as const;

/** The minimal shape of a bybit-api REST response the adapters read. */
export interface VendorResponse<T> {
  retCode: number;
  retMsg?: string;
  result: T;
  time?: number;
  rateLimitApi?: { resetAtTimestamp?: number } | undefined;
}

/** Why a vendor call did not succeed, reduced to primitives that are safe to log. */
export type VendorFailure =
  | { kind: 'retCode'; retCode: number; resetAt: number | null }
  | { kind: 'network'; code: string; sent: boolean }
  | { kind: 'http'; status: number; retCode: number | null; resetAt: number | null };

/** The outcome of one vendor call after bounded rate-limit retries: the response, or why it failed. */
export type VendorOutcome<T> = { ok: true; res: VendorResponse<T> } | { ok: false; failure: VendorFailure };

/** What every adapter call needs: a logger (vendor objects never reach it), the clock, and retry bounds. */
export interface CallContext {
  logger: DeskLogger;
  clock: Clock;
  /** Measures exchange time minus local time (ms); used to put the skew in a CLOCK_SKEW error. */
  measureOffsetMs?: () => Promise<number>;
  /** Retries after retCode 10006 / HTTP 429 (default 3). */
  maxRateLimitRetries?: number;
  /** Longest single wait for a rate-limit window to reset, ms (default 2000). */
  maxRateLimitWaitMs?: number;
  /** Waits `ms`; tests may inject it. Defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL', 'NOT_SENT']);

/** Waits `ms` on a real timer; never rejects. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function finiteOrNull(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Reduces anything bybit-api threw to a VendorFailure of primitives (error code, HTTP status, retCode);
 * the thrown object itself is dropped here and never logged. Never throws.
 */
export function classifyThrown(e: unknown): VendorFailure {
  if (typeof e === 'string') return { kind: 'network', code: 'NOT_SENT', sent: false };
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (typeof o.code === 'number') {
      const body = o.body && typeof o.body === 'object' ? (o.body as Record<string, unknown>) : {};
      const headers = o.headers && typeof o.headers === 'object' ? (o.headers as Record<string, unknown>) : {};
      return {
        kind: 'http',
        status: o.code,
        retCode: finiteOrNull(body.retCode),
        resetAt: finiteOrNull(headers['x-bapi-limit-reset-timestamp']),
      };
    }
    if (typeof o.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(o.code)) {
      return { kind: 'network', code: o.code, sent: !NOT_SENT.has(o.code) };
    }
  }
  return { kind: 'network', code: 'UNKNOWN', sent: true };
}

/** True when a failure is a rate limit (retCode 10006 or HTTP 429) worth waiting out; never throws. */
export function isRateLimited(f: VendorFailure): boolean {
  if (f.kind === 'retCode') return f.retCode === RET.RATE_LIMIT;
  if (f.kind === 'http') return f.status === 429 || f.retCode === RET.RATE_LIMIT;
  return false;
}

/**
 * True when a failed order submit may still have reached the matching engine (timeout, reset socket,
 * 5xx, server timeout / error retCodes): the caller must look the order up, never submit it again.
 */
export function isOutcomeUnknown(f: VendorFailure): boolean {
  if (f.kind === 'network') return f.sent;
  if (f.kind === 'http') return f.status >= 500 || f.status === 408;
  return f.retCode === RET.SERVER_TIMEOUT || f.retCode === RET.SERVER_ERROR;
}

/** The fields of a failure that may be logged: retCode / HTTP status / network code and the endpoint. */
export function loggableFailure(endpoint: string, f: VendorFailure): Record<string, string | number | null> {
  if (f.kind === 'retCode') return { endpoint, retCode: f.retCode };
  if (f.kind === 'http') return { endpoint, httpStatus: f.status, retCode: f.retCode };
  return { endpoint, network: f.code };
}

class RateLimitSignal extends Error {
  constructor(readonly resetAt: number | null) {
    super('rate limited');
  }
}

/**
 * Runs one vendor call, waiting out rate limits (10006 / 429) until X-Bapi-Limit-Reset-Timestamp, at
 * most `maxRateLimitRetries` times, each wait bounded; resolves the final outcome and never throws.
 */
export async function vendorCall<T>(
  ctx: CallContext,
  endpoint: string,
  fn: () => Promise<VendorResponse<T>>,
): Promise<VendorOutcome<T>> {
  const sleep = ctx.sleep ?? realSleep;
  const maxWait = ctx.maxRateLimitWaitMs ?? 2000;
  let last: VendorOutcome<T> = { ok: false, failure: { kind: 'network', code: 'UNKNOWN', sent: true } };
  const once = async (): Promise<void> => {
    let res: VendorResponse<T>;
    try {
      res = await fn();
    } catch (e) {
      last = { ok: false, failure: classifyThrown(e) };
      if (isRateLimited(last.failure)) throw new RateLimitSignal(last.failure.kind === 'http' ? last.failure.resetAt : null);
      return;
    }
    if (res && res.retCode === RET.OK) {
      last = { ok: true, res };
      return;
    }
    const retCode = finiteOrNull(res?.retCode) ?? -1;
    const resetAt = finiteOrNull(res?.rateLimitApi?.resetAtTimestamp);
    last = { ok: false, failure: { kind: 'retCode', retCode, resetAt } };
    if (retCode === RET.RATE_LIMIT) throw new RateLimitSignal(resetAt);
  };
  try {
    await pRetry(once, {
      retries: ctx.maxRateLimitRetries ?? 3,
      minTimeout: 0,
      factor: 1,
      shouldRetry: ({ error }) => error instanceof RateLimitSignal,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof RateLimitSignal) || retriesLeft <= 0) return;
        const byHeader = error.resetAt === null ? null : error.resetAt - ctx.clock.now();
        const wait = Math.min(maxWait, Math.max(50, byHeader ?? 100 * 2 ** attemptNumber));
        ctx.logger.warn({ endpoint, retCode: RET.RATE_LIMIT, waitMs: wait }, 'bybit rate limit: waiting for the window to reset');
        await sleep(wait);
      },
    });
  } catch (e) {
    if (!(e instanceof RateLimitSignal)) throw e;
  }
  return last;
}

/**
 * Turns a failure into the DeskError a user sees: 10006 → RATE_LIMITED, 10002 → CLOCK_SKEW (offsetMs
 * when measured), 10003/10004 → CONFIG, 110007 → INSUFFICIENT_BALANCE, server errors and network
 * failures → EXCHANGE_UNAVAILABLE, any other retCode → EXCHANGE_REJECTED {retCode}. Never throws.
 */
export function toDeskErrorFromFailure(endpoint: string, f: VendorFailure, offsetMs: number | null = null): DeskError {
  const retCode = f.kind === 'network' ? null : f.retCode;
  if (f.kind === 'network') {
    return new DeskError('EXCHANGE_UNAVAILABLE', { endpoint, network: f.code }, 'bybit unreachable');
  }
  if (f.kind === 'http' && retCode === null) {
    if (f.status === 401) return new DeskError('CONFIG', { endpoint, httpStatus: 401, reason: 'Bybit refused the API key (HTTP 401)' }, 'bybit: key refused');
    if (f.status === 429) return new DeskError('RATE_LIMITED', { endpoint, httpStatus: 429 }, 'bybit: rate limited');
    if (f.status === 403) return new DeskError('EXCHANGE_UNAVAILABLE', { endpoint, httpStatus: 403, reason: 'forbidden: IP rate limit or region block' }, 'bybit: forbidden');
    if (f.status >= 500 || f.status === 408) return new DeskError('EXCHANGE_UNAVAILABLE', { endpoint, httpStatus: f.status }, 'bybit: server error');
    return new DeskError('EXCHANGE_REJECTED', { endpoint, httpStatus: f.status }, 'bybit: request rejected');
  }
  switch (retCode) {
    case RET.RATE_LIMIT:
      return new DeskError('RATE_LIMITED', { endpoint, retCode }, 'bybit: rate limit still exceeded after waiting');
    case RET.CLOCK:
      return new DeskError(
        'CLOCK_SKEW',
        { endpoint, retCode, offsetMs, reason: 'request timestamp outside recv_window: sync the host clock (NTP)' },
        'bybit: clock skew',
      );
    case RET.BAD_KEY:
      return new DeskError('CONFIG', { endpoint, retCode, reason: 'API key is invalid or belongs to another BYBIT_ENV' }, 'bybit: invalid API key');
    case RET.BAD_SIGN:
      return new DeskError('CONFIG', { endpoint, retCode, reason: 'signature rejected: BYBIT_API_SECRET does not match the key' }, 'bybit: bad signature');
    case RET.INSUFFICIENT_BALANCE:
      return new DeskError(
        'INSUFFICIENT_BALANCE',
        { endpoint, retCode, reason: 'available balance on Bybit does not cover the margin of this order' },
        'bybit: insufficient available balance',
      );
    case RET.SERVER_TIMEOUT:
    case RET.SERVER_ERROR:
      return new DeskError('EXCHANGE_UNAVAILABLE', { endpoint, retCode }, 'bybit: server error');
    default:
      return new DeskError('EXCHANGE_REJECTED', { retCode: retCode ?? -1 }, 'bybit: request rejected');
  }
}

/**
 * Calls the exchange and returns the response, or throws the translated DeskError (after bounded
 * rate-limit waits; measuring the clock offset on 10002). retCodes in `pass` (e.g. 110043) resolve
 * like success. Logs only {endpoint, retCode | httpStatus | network}.
 */
export async function bybitCall<T>(
  ctx: CallContext,
  endpoint: string,
  fn: () => Promise<VendorResponse<T>>,
  opts: { pass?: readonly number[] } = {},
): Promise<VendorResponse<T>> {
  const out = await vendorCall(ctx, endpoint, fn);
  if (out.ok) return out.res;
  const f = out.failure;
  if (f.kind === 'retCode' && opts.pass?.includes(f.retCode)) {
    return { retCode: f.retCode, result: {} as T };
  }
  throw await failureToError(ctx, endpoint, f);
}

/** Logs a failure (primitives only) and builds its DeskError, measuring the clock offset for 10002; never rejects. */
export async function failureToError(ctx: CallContext, endpoint: string, f: VendorFailure): Promise<DeskError> {
  ctx.logger.warn(loggableFailure(endpoint, f), 'bybit call failed');
  let offset: number | null = null;
  const isClock = (f.kind === 'retCode' || f.kind === 'http') && f.retCode === RET.CLOCK;
  if (isClock && ctx.measureOffsetMs) {
    try {
      offset = Math.round(await ctx.measureOffsetMs());
    } catch {
      offset = null;
    }
  }
  return toDeskErrorFromFailure(endpoint, f, offset);
}

/**
 * Submits an order create exactly once and resolves its fate without ever re-sending it blindly:
 * success → ack; duplicate orderLinkId (110072) → the existing order, `duplicate: true`; a timeout or
 * other unknown outcome → looks the orderLinkId up (bounded) → found: that order, else DeskError
 * UNKNOWN_OUTCOME. Rate-limit rejections (10006, never processed) are waited out and re-sent.
 */
export async function submitOnce(args: {
  ctx: CallContext;
  endpoint: string;
  orderLinkId: string;
  submit: () => Promise<VendorResponse<{ orderId?: string; orderLinkId?: string }>>;
  lookup: () => Promise<VenueOrder | null>;
  lookupAttempts?: number;
  lookupDelayMs?: number;
}): Promise<{ orderId: string; duplicate: boolean; resolvedBy: 'ack' | 'duplicate' | 'lookup' }> {
  const { ctx, endpoint, orderLinkId } = args;
  const sleep = ctx.sleep ?? realSleep;
  const attempts = Math.max(1, args.lookupAttempts ?? 4);
  const delay = args.lookupDelayMs ?? 500;
  const out = await vendorCall(ctx, endpoint, args.submit);
  if (out.ok) return { orderId: String(out.res.result?.orderId ?? ''), duplicate: false, resolvedBy: 'ack' };
  const f = out.failure;
  const duplicate = f.kind === 'retCode' && f.retCode === RET.DUPLICATE_LINK_ID;
  if (!duplicate && !isOutcomeUnknown(f)) throw await failureToError(ctx, endpoint, f);
  ctx.logger.warn({ ...loggableFailure(endpoint, f), orderLinkId }, duplicate ? 'bybit: orderLinkId already known, looking it up' : 'bybit: submit outcome unknown, looking the order up');
  for (let i = 0; i < attempts; i++) {
    if (i > 0 || !duplicate) await sleep(delay);
    let found: VenueOrder | null = null;
    try {
      found = await args.lookup();
    } catch {
      found = null; // the lookup itself failed; keep asking within the bound
    }
    if (found) return { orderId: found.orderId, duplicate, resolvedBy: duplicate ? 'duplicate' : 'lookup' };
  }
  ctx.logger.error({ endpoint, orderLinkId }, 'bybit: order outcome unknown after bounded lookups');
  throw new DeskError(
    'UNKNOWN_OUTCOME',
    { orderLinkId, reason: 'the exchange did not confirm or deny the order; reconcile before retrying' },
    'bybit: order outcome unknown',
  );
}
