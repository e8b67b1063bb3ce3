import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeskToken } from './config.ts';
import type { Actor } from './schemas.ts';

/** Checks presented bearer secrets against the configured DESK_TOKENS for one front-end. */
export interface TokenAuth {
  /** The actor of the token whose secret equals `secret` (constant-time), or null; never throws. */
  authenticate(secret: string): Actor | null;
  /** Same as authenticate, from an `Authorization: Bearer <secret>` header value; null if absent or malformed. */
  fromHeader(header: string | undefined): Actor | null;
  /** Number of configured tokens (0 = every call is refused). */
  readonly size: number;
}

/** Longest secret accepted; anything longer is refused without hashing. */
export const MAX_TOKEN_SECRET = 1024;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Builds the token checker for front-end `kind` (the actor is `{kind, id: token name, role}`): the
 * presented secret is hashed (SHA-256), looked up by digest and confirmed with timingSafeEqual, so
 * the time taken depends on neither the secret's length nor how much of it matches. Config refuses
 * duplicate secrets, so a secret names one token. Never throws.
 */
export function createTokenAuth(tokens: readonly DeskToken[], kind: Actor['kind']): TokenAuth {
  const byDigest = new Map<string, { hash: Buffer; actor: Actor }>();
  for (const t of tokens) {
    const hash = digest(t.secret);
    const key = hash.toString('base64');
    if (!byDigest.has(key)) byDigest.set(key, { hash, actor: { kind, id: t.name, role: t.role } });
  }
  const authenticate = (secret: string): Actor | null => {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_TOKEN_SECRET) return null;
    const h = digest(secret);
    const row = byDigest.get(h.toString('base64'));
    return row && timingSafeEqual(h, row.hash) ? row.actor : null;
  };
  return {
    authenticate,
    fromHeader(header) {
      if (typeof header !== 'string') return null;
      const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
      return m ? authenticate(m[1]!) : null;
    },
    size: byDigest.size,
  };
}
