import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `message` with `secret` (what Bybit calls the HMAC signature); never throws. */
export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** Constant-time comparison of two hex signatures (false on length mismatch); never throws. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Outcome of checking one signed REST request. */
export type RestAuthResult =
  | { ok: true }
  | { ok: false; retCode: 10002 | 10003 | 10004; retMsg: string };

/** Inputs of a REST signature check: headers as received, the raw payload (query string or JSON body). */
export interface RestAuthInput {
  apiKey: string | undefined;
  timestamp: string | undefined;
  sign: string | undefined;
  recvWindow: string | undefined;
  payload: string;
  serverTime: number;
  expectedKey: string;
  secret: string;
  /** When set, the fake enforces this window instead of the X-BAPI-RECV-WINDOW header. */
  recvWindowOverride?: number;
}

/**
 * Verifies a V5 REST signature (HMAC-SHA256 of timestamp + apiKey + recvWindow + payload) and the
 * time window (serverTime - recvWindow <= timestamp < serverTime + 1000), in Bybit's order:
 * key (10003), then timestamp (10002, server time in retMsg), then signature (10004); never throws.
 */
export function verifyRest(i: RestAuthInput): RestAuthResult {
  if (!i.apiKey || i.apiKey !== i.expectedKey) return { ok: false, retCode: 10003, retMsg: 'API key is invalid.' };
  const ts = Number(i.timestamp);
  const rw = i.recvWindowOverride ?? (i.recvWindow === undefined || i.recvWindow === '' ? 5000 : Number(i.recvWindow));
  if (!i.timestamp || !Number.isFinite(ts) || !Number.isFinite(rw) || ts < i.serverTime - rw || ts >= i.serverTime + 1000) {
    return {
      ok: false,
      retCode: 10002,
      retMsg: `invalid request, please check your server timestamp or recv_window param. req_timestamp[${i.timestamp ?? ''}],server_timestamp[${i.serverTime}],recv_window[${rw}]`,
    };
  }
  const expected = hmacHex(i.secret, `${i.timestamp}${i.apiKey}${i.recvWindow ?? ''}${i.payload}`);
  if (!i.sign || !sameSignature(i.sign, expected)) return { ok: false, retCode: 10004, retMsg: 'error sign! origin_string[redacted]' };
  return { ok: true };
}

/**
 * Verifies a private WS `auth` op: args [apiKey, expires, signature of "GET/realtime" + expires];
 * returns null when valid, else the failure text Bybit-like clients surface; never throws.
 */
export function verifyWsAuth(args: unknown, expectedKey: string, secret: string, serverTime: number): string | null {
  if (!Array.isArray(args) || args.length < 3) return 'Params Error';
  const [key, expires, sig] = args as unknown[];
  if (key !== expectedKey) return 'API key is invalid.';
  const exp = Number(expires);
  if (!Number.isFinite(exp) || exp <= serverTime) return 'Params Error: expires is expired';
  if (typeof sig !== 'string' || !sameSignature(sig, hmacHex(secret, `GET/realtime${String(expires)}`))) return 'Signature is invalid.';
  return null;
}
