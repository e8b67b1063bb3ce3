/**
 * UTC trading sessions a strategy may be restricted to. Hours are [from, to) in UTC and overlap on
 * purpose (Europe/Asia 07-08, Europe/US 13-16); 21:00-24:00 UTC belongs to no session, so a strategy
 * with an allowlist never fires there.
 */
export type Session = 'asia' | 'europe' | 'us';

/** Every session name, in the order the day meets them. */
export const SESSIONS: readonly Session[] = ['asia', 'europe', 'us'];

/** UTC hour windows [from, to) of each session. */
export const SESSION_HOURS: Readonly<Record<Session, readonly [number, number]>> = Object.freeze({
  asia: [0, 8] as const,
  europe: [7, 16] as const,
  us: [13, 21] as const,
});

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** UTC hour (0..23) of epoch-ms `t`; NaN for a non-finite `t`. */
export function utcHour(t: number): number {
  return Math.floor((((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** True when epoch-ms `t` falls inside `session`; false for a non-finite `t`. */
export function inSession(session: Session, t: number): boolean {
  const h = utcHour(t);
  const w = SESSION_HOURS[session];
  return h >= w[0] && h < w[1];
}

/** The sessions open at epoch-ms `t` (possibly none, possibly two); never throws. */
export function sessionsAt(t: number): Session[] {
  return SESSIONS.filter((s) => inSession(s, t));
}

/** True when `allow` is absent/empty (no restriction) or any listed session is open at `t`; never throws. */
export function sessionAllowed(allow: readonly Session[] | undefined, t: number): boolean {
  if (allow === undefined || allow.length === 0) return true;
  for (let i = 0; i < allow.length; i++) if (inSession(allow[i], t)) return true;
  return false;
}
