import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../schemas.ts';

/**
 * The idempotent exchange order id for `actor` executing `signalId`: the same pair always gives the
 * same id (≤ 36 chars, [a-z0-9-] as Bybit's orderLinkId requires), so a retry can never double-order.
 */
export function entryOrderLinkId(signalId: string, actor: Pick<Actor, 'kind' | 'id'>): string {
  return `sd-${createHash('sha256').update(`${signalId}|${actor.kind}|${actor.id}`).digest('hex').slice(0, 24)}`;
}

/** A stable, short, human-typable signal id from the candidate's identity (same bar → same id); never throws. */
export function signalId(symbol: string, interval: string, strategy: string, side: string, barTime: number): string {
  return `s${createHash('sha256').update(`${symbol}|${interval}|${strategy}|${side}|${barTime}`).digest('hex').slice(0, 9)}`;
}

/** A random id with a one-letter prefix (orders `o`, positions `p`, closes `c`); never throws. */
export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}
