import type { Interval } from '../schemas.ts';

const MS: Record<Interval, number> = { '5': 300_000, '15': 900_000, '60': 3_600_000, '240': 14_400_000, D: 86_400_000 };

/** Length of one bar of `interval` in milliseconds; never throws for a valid Interval. */
export function intervalMs(interval: Interval): number {
  return MS[interval];
}

/** True when `s` is one of the desk's intervals (as Bybit spells them in topics); never throws. */
export function isInterval(s: string): s is Interval {
  return Object.prototype.hasOwnProperty.call(MS, s);
}
