import type { Lang } from './i18n.ts';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(lang: Lang, key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${lang}|n|${key}`;
  let f = cache.get(k) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(lang, opts);
    cache.set(k, f);
  }
  return f;
}
function df(lang: Lang, key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${lang}|d|${key}`;
  let f = cache.get(k) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', ...opts });
    cache.set(k, f);
  }
  return f;
}

/** A price for `lang`, up to 6 significant digits (enough for any tick); never throws. */
export function fmtPrice(lang: Lang, v: number): string {
  return Number.isFinite(v) ? nf(lang, 'price', { maximumSignificantDigits: 6 }).format(v) : '—';
}

/** A quantity for `lang`, up to 6 significant digits; never throws. */
export function fmtQty(lang: Lang, v: number): string {
  return Number.isFinite(v) ? nf(lang, 'qty', { maximumSignificantDigits: 6 }).format(v) : '—';
}

/** Money (USDT) for `lang` with exactly two decimals; `signed` adds a + to gains; never throws. */
export function fmtMoney(lang: Lang, v: number, signed = false): string {
  if (!Number.isFinite(v)) return '—';
  return nf(lang, signed ? 'money+' : 'money', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
  }).format(v);
}

/** A plain number for `lang` with at most `digits` decimals (scores, percentages); never throws. */
export function fmtNum(lang: Lang, v: number, digits = 2): string {
  return Number.isFinite(v) ? nf(lang, `num${digits}`, { maximumFractionDigits: digits }).format(v) : '—';
}

/** A UTC date and time for `lang` (e.g. "Mar 1, 2025, 14:00"); never throws. */
export function fmtTime(lang: Lang, ms: number): string {
  return Number.isFinite(ms) ? df(lang, 'dt', { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(ms) : '—';
}

/** A UTC time of day for `lang` when `ms` is today (relative to `now`), else the date and time; '—' for a non-finite `ms`, never throws. */
export function fmtWhen(lang: Lang, ms: number, now: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sameDay = Math.floor(ms / 86_400_000) === Math.floor(now / 86_400_000);
  return sameDay ? df(lang, 't', { timeStyle: 'short', hourCycle: 'h23' }).format(ms) : fmtTime(lang, ms);
}
