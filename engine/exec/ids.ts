import { createHash, hash, randomBytes } from 'node:crypto';
import type { Actor } from '../schemas.ts';

/**
 * The idempotent exchange order id for `actor` executing `signalId`: the same pair always gives the
 * same id (≤ 36 chars, [a-z0-9-] as Bybit's orderLinkId requires), so a retry can never double-order.
 */
export function entryOrderLinkId(signalId: string, actor: Pick<Actor, 'kind' | 'id'>): string {
  return `sd-${createHash('sha256').update(`${signalId}|${actor.kind}|${actor.id}`).digest('hex').slice(0, 24)}`;
}

/**
 * A stable, short, human-typable signal id from the candidate's identity (same bar → same id); never
 * throws. One-shot hash: it runs for every new signal on the closed-bar path (a hash object costs
 * 2.5× as much), same digest.
 */
export function signalId(symbol: string, interval: string, strategy: string, side: string, barTime: number): string {
  return `s${hash('sha256', `${symbol}|${interval}|${strategy}|${side}|${barTime}`, 'hex').slice(0, 9)}`;
}

/** Random bytes drawn per id (12 hex characters). */
const ID_BYTES = 6;
/**
 * Ids drawn per call into the CSPRNG: one randomBytes call costs about 10 µs of the one thread (a
 * paper exit draws two ids on the bar path), a slice of a drawn pool well under 1 µs.
 */
const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** A random id with a short prefix (orders `o`, positions `p`, paper executions `pe`); never throws. */
export function randomId(prefix: string): string {
  if (poolAt + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_DRAW);
    poolAt = 0;
  }
  const id = `${prefix}${pool.toString('hex', poolAt, poolAt + ID_BYTES)}`;
  poolAt += ID_BYTES;
  return id;
}
