/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** Parsed callback data: a one-letter action, the nonce and, when it fit, the reference id. */
export interface CallbackData {
  action: string;
  nonce: string;
  ref?: string;
}

/**
 * Encodes `action:nonce[:ref]` within 64 bytes; the ref is dropped when it would not fit (the nonce
 * alone identifies the entry server-side). Throws RangeError when action or nonce alone are too long.
 */
export function encodeCallbackData(action: string, nonce: string, ref?: string): string {
  const base = `${action}:${nonce}`;
  if (Buffer.byteLength(base) > CALLBACK_DATA_LIMIT) throw new RangeError('callback data too long');
  if (ref === undefined) return base;
  const full = `${base}:${ref}`;
  return Buffer.byteLength(full) <= CALLBACK_DATA_LIMIT ? full : base;
}

/** Parses callback data made by encodeCallbackData; null for anything malformed (treated as forged). */
export function decodeCallbackData(data: string | undefined): CallbackData | null {
  if (!data || Buffer.byteLength(data) > CALLBACK_DATA_LIMIT) return null;
  const m = /^([a-z]):([A-Za-z0-9_-]{16})(?::(.{1,46}))?$/.exec(data);
  if (!m) return null;
  return m[3] === undefined ? { action: m[1], nonce: m[2] } : { action: m[1], nonce: m[2], ref: m[3] };
}
