/** The Bybit V5 REST response envelope. */
export interface Envelope {
  retCode: number;
  retMsg: string;
  result: unknown;
  retExtInfo: Record<string, unknown>;
  time: number;
}

/** Default retMsg per retCode (texts from errors.md where Bybit documents one). */
export const RET_MSG: Record<number, string> = {
  0: 'OK',
  10000: 'Server Timeout',
  10001: 'Request parameter error',
  10002: 'The request time exceeds the time window range.',
  10003: 'API key is invalid.',
  10004: 'error sign!',
  10005: 'Permission denied, please check your API key permissions.',
  10006: 'Too many visits!',
  10016: 'Server error.',
  10017: 'Route not found.',
  110001: 'Order does not exist',
  110007: 'Available balance is insufficient',
  110008: 'The order has been completed or cancelled.',
  110017: 'orderQty will be truncated to zero',
  110043: 'Set leverage has not been modified.',
  110072: 'OrderLinkedID is duplicate',
  110094: 'Order notional value below the lower limit',
};

/** Builds an envelope; `retMsg` defaults to the table text (or "error"); never throws. */
export function envelope(retCode: number, result: unknown, time: number, retMsg?: string): Envelope {
  return { retCode, retMsg: retMsg ?? RET_MSG[retCode] ?? 'error', result: result ?? {}, retExtInfo: {}, time };
}

/** A business failure a handler throws to answer with a non-zero retCode (HTTP 200, like Bybit). */
export class BybitError extends Error {
  readonly retCode: number;

  /** Creates the failure; `retMsg` defaults to the table text. */
  constructor(retCode: number, retMsg?: string) {
    super(retMsg ?? RET_MSG[retCode] ?? 'error');
    this.retCode = retCode;
  }
}

/** Per-path request limits the fake reports in X-Bapi-Limit (requests per second). */
export function limitFor(path: string): number {
  if (path.startsWith('/v5/order/create') || path.startsWith('/v5/order/cancel') || path.startsWith('/v5/order/amend')) return 10;
  if (path.startsWith('/v5/position/set-leverage') || path.startsWith('/v5/position/trading-stop')) return 10;
  if (path.startsWith('/v5/market/')) return 600;
  return 50;
}

/**
 * Rolling one-second request counter per key (api key or IP) and path, which produces the
 * X-Bapi-Limit* headers and says whether a request is over the limit; never throws.
 */
export class RateCounter {
  private hits = new Map<string, number[]>();

  /** Records one request at `now` and returns the header values and whether it exceeded the limit. */
  hit(key: string, path: string, now: number): { limit: number; remaining: number; resetAt: number; exceeded: boolean } {
    const k = `${key} ${path}`;
    const limit = limitFor(path);
    const arr = (this.hits.get(k) ?? []).filter((t) => t > now - 1000);
    arr.push(now);
    this.hits.set(k, arr);
    const remaining = Math.max(0, limit - arr.length);
    const exceeded = arr.length > limit;
    return { limit, remaining, resetAt: exceeded ? arr[0] + 1000 : now, exceeded };
  }
}
