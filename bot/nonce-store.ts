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
  /** Entries of one group (same user, action and ref) issued so far are all spent when one single-use entry is. */
  group: string;
  /** Issue order: a spend voids every entry of its group issued up to then, never later ones. */
  seq: number;
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
  /** group → the last seq it was spent at, and until when that matters (for sweeping). */
  private readonly spentGroups = new Map<string, { seq: number; until: number }>();
  private seq = 0;
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
    this.entries.set(nonce, { userId, action, ref, expiresAt: this.clock.now() + ttlMs, singleUse, used: false, group, seq: ++this.seq, ...(payload === undefined ? {} : { payload }) });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return nonce;
  }

  /**
   * Checks (and for single-use nonces, atomically spends — with every sibling issued before it) a pressed
   * nonce for `userId` and `action`; a foreign or mismatched press never spends it. Synchronous, so two
   * concurrent presses cannot both pass. A failed action needs a fresh confirmation, never a sibling.
   */
  consume(nonce: string, userId: string, action: string, ref?: string): NonceCheck {
    const entry = this.entries.get(nonce);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.userId !== userId) return { ok: false, reason: 'foreign', entry };
    if (entry.action !== action || (ref !== undefined && ref !== entry.ref)) return { ok: false, reason: 'mismatch', entry };
    if (entry.used) return { ok: false, reason: 'replayed', entry };
    const now = this.clock.now();
    if (now >= entry.expiresAt) return { ok: false, reason: 'expired', entry };
    const spent = this.spentGroups.get(entry.group);
    if (spent !== undefined && entry.seq <= spent.seq) {
      entry.used = true;
      return { ok: false, reason: 'replayed', entry };
    }
    if (entry.singleUse) {
      entry.used = true;
      this.spentGroups.set(entry.group, { seq: this.seq, until: Math.max(spent?.until ?? 0, entry.expiresAt) });
    }
    return { ok: true, entry };
  }

  /**
   * Spends every entry issued so far for (user, action, ref) — e.g. Cancel voids its Confirm; entries
   * issued later stay valid. Never throws.
   */
  spendGroup(userId: string, action: string, ref: string, untilMs: number): void {
    const group = `${userId}\u0000${action}\u0000${ref}`;
    this.spentGroups.set(group, { seq: this.seq, until: Math.max(this.spentGroups.get(group)?.until ?? 0, untilMs) });
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
    for (const [k, g] of this.spentGroups) if (g.until <= now) this.spentGroups.delete(k);
  }
}
