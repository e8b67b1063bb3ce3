import { randomBytes } from 'node:crypto';
import type { Clock } from '../engine/index.ts';

/** Why a callback was refused: unknown (forged or from before a restart), replayed, foreign, expired. */
export type NonceRefusal = 'unknown' | 'replayed' | 'foreign' | 'expired' | 'mismatch';

/** What a nonce is bound to. */
export interface NonceEntry {
  userId: string;
  action: string;
  ref: string;
  expiresAt: number;
  singleUse: boolean;
  used: boolean;
  /** Server-side extra (e.g. a kill-switch reason) that never travels in callback data. */
  payload?: string;
  /** Entries of one group (same user, action and ref) are all spent when one single-use entry is. */
  group: string;
}

/** The outcome of checking a pressed button. */
export type NonceCheck = { ok: true; entry: NonceEntry } | { ok: false; reason: NonceRefusal; entry?: NonceEntry };

/**
 * Server-side store of callback nonces bound to a user, an action and a reference (signal id, position
 * id...), with expiry. In memory: a restart invalidates every pending button, which fails closed.
 * Bounded: past `maxEntries` the oldest entries are dropped (their buttons then answer "unknown").
 */
export class NonceStore {
  private readonly entries = new Map<string, NonceEntry>();
  private readonly spentGroups = new Map<string, number>();
  private lastSweep = 0;

  /** Creates a store reading time from `clock`; never throws. */
  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 200_000,
  ) {}

  /** Issues a fresh random nonce (16 base64url chars) bound to user, action and ref for `ttlMs`. */
  issue(userId: string, action: string, ref: string, ttlMs: number, singleUse: boolean, payload?: string): string {
    this.sweep();
    const nonce = randomBytes(12).toString('base64url');
    const group = `${userId}\u0000${action}\u0000${ref}`;
    this.entries.set(nonce, { userId, action, ref, expiresAt: this.clock.now() + ttlMs, singleUse, used: false, group, ...(payload === undefined ? {} : { payload }) });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return nonce;
  }

  /**
   * Checks (and for single-use nonces, atomically spends) a pressed nonce for `userId` and `action`;
   * a foreign or mismatched press never spends it. Synchronous, so two concurrent presses cannot both pass.
   */
  consume(nonce: string, userId: string, action: string, ref?: string): NonceCheck {
    const entry = this.entries.get(nonce);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.userId !== userId) return { ok: false, reason: 'foreign', entry };
    if (entry.action !== action || (ref !== undefined && ref !== entry.ref)) return { ok: false, reason: 'mismatch', entry };
    if (entry.used) return { ok: false, reason: 'replayed', entry };
    const now = this.clock.now();
    if (now >= entry.expiresAt) return { ok: false, reason: 'expired', entry };
    if (entry.singleUse) {
      const spentUntil = this.spentGroups.get(entry.group);
      if (spentUntil !== undefined && spentUntil > now) {
        entry.used = true;
        return { ok: false, reason: 'replayed', entry };
      }
      entry.used = true;
      this.spentGroups.set(entry.group, Math.max(spentUntil ?? 0, entry.expiresAt));
    }
    return { ok: true, entry };
  }

  /** Spends the group of (user, action, ref) until `untilMs` — e.g. Cancel spends its Confirm; never throws. */
  spendGroup(userId: string, action: string, ref: string, untilMs: number): void {
    const group = `${userId}\u0000${action}\u0000${ref}`;
    this.spentGroups.set(group, Math.max(this.spentGroups.get(group) ?? 0, untilMs));
  }

  /** Releases a spent group so a new confirmation for the same thing may pass (after a refusal); never throws. */
  release(entry: NonceEntry): void {
    this.spentGroups.delete(entry.group);
  }

  /** Number of live entries (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < 10_000 && this.entries.size < this.maxEntries) return;
    this.lastSweep = now;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    for (const [k, until] of this.spentGroups) if (until <= now) this.spentGroups.delete(k);
  }
}
