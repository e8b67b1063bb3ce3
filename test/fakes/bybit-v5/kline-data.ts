import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Kline interval names the fake knows (Bybit V5 names), in ascending length. */
export const FAKE_INTERVALS = ['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D'] as const;

/** Length of one bar of a Bybit interval name in ms, or null for an unknown (or calendar) interval; never throws. */
export function intervalMs(interval: string): number | null {
  if (interval === 'D') return 86_400_000;
  if (!/^\d+$/.test(interval)) return null;
  const m = Number(interval);
  return (FAKE_INTERVALS as readonly string[]).includes(interval) ? m * 60_000 : null;
}

/**
 * One real kline file held column-wise: start times ascending, numbers as floats for matching and
 * the original CSV text for serving (so values go out exactly as recorded).
 */
export interface KlineSeries {
  symbol: string;
  interval: string;
  ms: number;
  start: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  text: { open: string[]; high: string[]; low: string[]; close: string[]; volume: string[] };
  length: number;
}

/** Real funding history of one symbol (settlement time ascending, rate text as recorded). */
export interface FundingSeries {
  symbol: string;
  time: Float64Array;
  rate: string[];
}

const seriesCache = new Map<string, KlineSeries>();
const fundingCache = new Map<string, FundingSeries>();

/** Repository root (three levels above this folder). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** First existing directory among candidates that holds `*-<interval>.csv` files, or null; never throws. */
function firstKlineDir(candidates: string[]): string | null {
  for (const dir of candidates) {
    try {
      if (existsSync(dir) && readdirSync(dir).some((f) => /^[A-Z0-9]+-[0-9A-Z]+\.csv$/.test(f))) return dir;
    } catch {
      /* unreadable: try the next one */
    }
  }
  return null;
}

/**
 * Resolves the klines directory: the given one, else the repo's data/klines (or data/klines/bybit-linear),
 * else ../shared/data/klines/bybit-linear beside the repo; throws Error when none holds kline CSVs.
 */
export function resolveKlinesDir(given?: string): string {
  const dir = firstKlineDir(
    given
      ? [given]
      : [
          join(REPO_ROOT, 'data/klines/bybit-linear'),
          join(REPO_ROOT, 'data/klines'),
          resolve(REPO_ROOT, '../shared/data/klines/bybit-linear'),
        ],
  );
  if (!dir) throw new Error(`bybit-v5 fake: no kline CSV directory found${given ? ` at ${given}` : ''}`);
  return dir;
}

/** Resolves the funding directory (sibling "funding" of the klines data), or null when there is none; never throws. */
export function resolveFundingDir(given?: string): string | null {
  const candidates = given
    ? [given]
    : [
        join(REPO_ROOT, 'data/funding/bybit-linear'),
        join(REPO_ROOT, 'data/funding'),
        resolve(REPO_ROOT, '../shared/data/funding/bybit-linear'),
      ];
  for (const dir of candidates) {
    try {
      if (existsSync(dir) && readdirSync(dir).some((f) => /^[A-Z0-9]+\.csv$/.test(f))) return dir;
    } catch {
      /* try next */
    }
  }
  return null;
}

/** Lists `{symbol, interval}` pairs present in a klines directory; never throws (empty on error). */
export function listKlineFiles(dir: string): { symbol: string; interval: string }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { symbol: string; interval: string }[] = [];
  for (const f of names) {
    const m = /^([A-Z0-9]+)-([0-9]+|D)\.csv$/.exec(f);
    if (m && intervalMs(m[2]) !== null) out.push({ symbol: m[1], interval: m[2] });
  }
  return out;
}

/** Loads (once per process) `<dir>/<symbol>-<interval>.csv`; throws Error on a missing file or a malformed row. */
export function loadKlines(dir: string, symbol: string, interval: string): KlineSeries {
  const file = join(dir, `${symbol}-${interval}.csv`);
  const hit = seriesCache.get(file);
  if (hit) return hit;
  const ms = intervalMs(interval);
  if (ms === null) throw new Error(`bybit-v5 fake: unknown interval ${interval}`);
  const lines = readFileSync(file, 'utf8').split('\n');
  const rows = lines.slice(1).filter((l) => l.trim() !== '');
  const n = rows.length;
  const s: KlineSeries = {
    symbol,
    interval,
    ms,
    start: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    text: { open: new Array(n), high: new Array(n), low: new Array(n), close: new Array(n), volume: new Array(n) },
    length: n,
  };
  for (let i = 0; i < n; i++) {
    const c = rows[i].trim().split(',');
    if (c.length < 6) throw new Error(`bybit-v5 fake: malformed row ${i + 2} in ${file}`);
    s.start[i] = Number(c[0]);
    s.open[i] = Number(c[1]);
    s.high[i] = Number(c[2]);
    s.low[i] = Number(c[3]);
    s.close[i] = Number(c[4]);
    s.volume[i] = Number(c[5]);
    s.text.open[i] = c[1];
    s.text.high[i] = c[2];
    s.text.low[i] = c[3];
    s.text.close[i] = c[4];
    s.text.volume[i] = c[5];
  }
  seriesCache.set(file, s);
  return s;
}

/** Loads (once per process) `<dir>/<symbol>.csv` funding history, or null when absent; throws Error on a malformed file. */
export function loadFunding(dir: string | null, symbol: string): FundingSeries | null {
  if (!dir) return null;
  const file = join(dir, `${symbol}.csv`);
  const hit = fundingCache.get(file);
  if (hit) return hit;
  if (!existsSync(file)) return null;
  const rows = readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  const f: FundingSeries = { symbol, time: new Float64Array(rows.length), rate: new Array(rows.length) };
  rows.forEach((r, i) => {
    const [t, rate] = r.trim().split(',');
    if (t === undefined || rate === undefined) throw new Error(`bybit-v5 fake: malformed funding row in ${file}`);
    f.time[i] = Number(t);
    f.rate[i] = rate;
  });
  fundingCache.set(file, f);
  return f;
}

/** Index of the last element of ascending `arr` that is <= `t`, or -1; never throws. */
export function lastAtOrBefore(arr: Float64Array, t: number): number {
  let lo = 0;
  let hi = arr.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Index of the first element of ascending `arr` that is >= `t` (arr.length if none); never throws. */
export function firstAtOrAfter(arr: Float64Array, t: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
