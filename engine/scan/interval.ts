import type { Interval } from '../schemas.ts';
import { DeskError } from '../errors.ts';

const MINUTE_MS = 60_000;

/** Length of each kline interval the desk trades, in milliseconds. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = Object.freeze({
  '5': 5 * MINUTE_MS,
  '15': 15 * MINUTE_MS,
  '60': 60 * MINUTE_MS,
  '240': 240 * MINUTE_MS,
  D: 1440 * MINUTE_MS,
});

/**
 * Milliseconds in one bar of `interval` (`intervalMs('60') === 3_600_000`, `'D'` is one UTC day);
 * throws DeskError VALIDATION (field `interval`) for a name the desk does not trade.
 */
export function intervalMs(interval: Interval | string): number {
  const ms = (INTERVAL_MS as Record<string, number>)[interval];
  if (ms === undefined || !Object.prototype.hasOwnProperty.call(INTERVAL_MS, interval)) {
    throw new DeskError('VALIDATION', { field: 'interval', reason: 'expected one of 5, 15, 60, 240, D' });
  }
  return ms;
}

/** Close time (epoch ms) of the bar that opened at `start`; throws like intervalMs on an unknown interval. */
export function barCloseTime(start: number, interval: Interval): number {
  return start + intervalMs(interval);
}
