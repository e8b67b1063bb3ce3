import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DeskError, type Actor, type Clock } from '../engine/index.ts';

/** How long a confirmation token stays valid. */
export const CONFIRM_TTL_MS = 60_000;
const MAX_OUTSTANDING = 10_000;

/** A freshly issued confirmation token and when it stops being accepted (epoch ms). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Serializes `args` with sorted keys and no undefined values, so equal arguments give equal text. */
export function canonicalArgs(args: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = norm(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(args) ?? null);
}

/**
 * Single-use confirmation tokens for agent executions: HMAC-SHA256 over the tool, the actor and the
 * exact arguments, valid CONFIRM_TTL_MS. `consume` throws DeskError CONFIRMATION_INVALID on any
 * mismatch, expiry, replay or malformed token (it fails closed: an unexpected error is also invalid).
 */
export class ConfirmTokens {
  private readonly secret: Buffer;
  private readonly outstanding = new Map<string, number>(); // nonce -> expiresAt

  /** Creates the store; an empty `secret` means a random key for this process (tokens die with it). */
  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    this.secret = secret.length > 0 ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(tool: string, actor: Actor, nonce: string, exp: number, args: unknown): Buffer {
    return createHmac('sha256', this.secret)
      .update(['v1', tool, actor.kind, actor.id, nonce, String(exp), canonicalArgs(args)].join('\n'))
      .digest();
  }

  /** Issues a token for `actor` calling `tool` with exactly `args`; never throws. */
  issue(tool: string, actor: Actor, args: unknown): IssuedToken {
    const now = this.clock.now();
    this.prune(now);
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = now + CONFIRM_TTL_MS;
    this.outstanding.set(nonce, expiresAt);
    const mac = this.mac(tool, actor, nonce, expiresAt, args).toString('base64url');
    return { token: `v1.${nonce}.${expiresAt}.${mac}`, expiresAt };
  }

  /**
   * Accepts `token` once for `actor` calling `tool` with exactly `args`; throws DeskError
   * CONFIRMATION_INVALID (detail.reason: invalid | expired | used) otherwise.
   */
  consume(token: string, tool: string, actor: Actor, args: unknown): void {
    let reason: 'invalid' | 'expired' | 'used' | null = null;
    try {
      reason = this.check(token, tool, actor, args);
    } catch {
      reason = 'invalid';
    }
    if (reason !== null) throw new DeskError('CONFIRMATION_INVALID', { reason }, `confirmation ${reason}`);
  }

  private check(token: string, tool: string, actor: Actor, args: unknown): 'invalid' | 'expired' | 'used' | null {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return 'invalid';
    const [, nonce, expText, macText] = parts as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]{22}$/.test(nonce) || !/^\d{1,16}$/.test(expText)) return 'invalid';
    const exp = Number(expText);
    const given = Buffer.from(macText, 'base64url');
    const want = this.mac(tool, actor, nonce, exp, args);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return 'invalid';
    const now = this.clock.now();
    if (now >= exp) {
      this.outstanding.delete(nonce);
      return 'expired';
    }
    // The map is the single-use ledger: deleting synchronously makes a concurrent replay lose.
    if (!this.outstanding.delete(nonce)) return 'used';
    return null;
  }

  /** Tokens issued and not yet used or expired (for tests and metrics). */
  get size(): number {
    return this.outstanding.size;
  }

  private prune(now: number): void {
    for (const [n, exp] of this.outstanding) if (exp <= now) this.outstanding.delete(n);
    while (this.outstanding.size >= MAX_OUTSTANDING) {
      const oldest = this.outstanding.keys().next().value;
      if (oldest === undefined) break;
      this.outstanding.delete(oldest);
    }
  }
}
