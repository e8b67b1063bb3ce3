import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { type DeskConfig, type DeskToken, DeskError, type Actor } from '../engine/index.ts';

/** Checks presented bearer secrets against the configured DESK_TOKENS. */
export interface TokenAuth {
  /** The RPC actor of the token whose secret equals `secret` (constant-time), or null; never throws. */
  authenticate(secret: string): Actor | null;
  /** Same as authenticate, from an `Authorization: Bearer <secret>` header value; null if absent or malformed. */
  fromHeader(header: string | undefined): Actor | null;
  /** Number of configured tokens (0 = every call is refused). */
  readonly size: number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Builds the token checker: the presented secret is hashed (SHA-256) and looked up by digest, then
 * confirmed with timingSafeEqual, so the time taken depends on neither the secret's length nor how
 * much of it matches. Duplicate secrets keep the first token. Never throws.
 */
export function createTokenAuth(tokens: readonly DeskToken[]): TokenAuth {
  const byDigest = new Map<string, { hash: Buffer; actor: Actor }>();
  for (const t of tokens) {
    const hash = digest(t.secret);
    const key = hash.toString('base64');
    if (!byDigest.has(key)) byDigest.set(key, { hash, actor: { kind: 'rpc', id: t.name, role: t.role } });
  }
  const authenticate = (secret: string): Actor | null => {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 1024) return null;
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

/** True when `host` is a loopback bind address (127.0.0.0/8, ::1, localhost); false for 0.0.0.0, :: and names. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Refuses an unsafe bind: throws DeskError CONFIG (key DESK_TOKENS) when DESK_HOST is not a loopback
 * address and no DESK_TOKENS are configured, so the control plane is never open to the network
 * without authentication. Returns normally otherwise.
 */
export function assertSafeBind(config: Pick<DeskConfig, 'DESK_HOST' | 'DESK_TOKENS'>): void {
  if (!isLoopbackHost(config.DESK_HOST) && config.DESK_TOKENS.length === 0) {
    throw new DeskError(
      'CONFIG',
      { key: 'DESK_TOKENS' },
      `config: DESK_TOKENS: required when DESK_HOST (${config.DESK_HOST}) is not a loopback address`,
    );
  }
}
