/** A per-key token bucket: `perMinute` calls per minute, bursting up to `perMinute`. */
export interface RateLimiter {
  /** Takes one call for `key`: 0 when allowed, else the milliseconds until one is; never throws. */
  take(key: string): number;
}

/**
 * Creates a token-bucket limiter refilling `perMinute / 60000` tokens per ms, read from `now`
 * (epoch ms, injected for tests). Keys are the configured token names, so the map stays bounded.
 * Throws RangeError if `perMinute` is not a positive finite number.
 */
export function createRateLimiter(perMinute: number, now: () => number): RateLimiter {
  if (!Number.isFinite(perMinute) || perMinute <= 0) throw new RangeError('perMinute must be > 0');
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        b = { tokens: perMinute, at: t };
        buckets.set(key, b);
      } else if (t > b.at) {
        b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * perMs);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs));
    },
  };
}
