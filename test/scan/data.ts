// Test helper: reads the bundled real Bybit klines and funding (data/) for the scan tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Interval } from '../../engine/schemas.ts';
import type { Bar } from '../../engine/market/types.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of a bundled data file under the repo's data/ folder. */
export function dataPath(...parts: string[]): string {
  return join(ROOT, 'data', ...parts);
}

/** Every bar of the bundled `<symbol>-<interval>.csv`, oldest first; throws on a malformed row. */
export function loadBars(symbol: string, interval: Interval): Bar[] {
  const text = readFileSync(dataPath('klines', `${symbol}-${interval}.csv`), 'utf8');
  const lines = text.split('\n');
  const out: Bar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const v = line.split(',').map(Number);
    if (v.length !== 6 || v.some((x) => !Number.isFinite(x))) throw new Error(`${symbol}-${interval}.csv:${i + 1}: bad row`);
    out.push({ symbol, interval, start: v[0], open: v[1], high: v[2], low: v[3], close: v[4], volume: v[5] });
  }
  return out;
}

/** Funding settlements of `symbol` (times ascending) and a lookup of the last settled rate at or before `t`. */
export function loadFunding(symbol: string): { times: number[]; rates: number[]; at(t: number): number | null } {
  const text = readFileSync(dataPath('funding', `${symbol}.csv`), 'utf8');
  const times: number[] = [];
  const rates: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const [t, r] = line.split(',').map(Number);
    times.push(t);
    rates.push(r);
  }
  return {
    times,
    rates,
    at(t: number): number | null {
      let lo = 0;
      let hi = times.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid] <= t) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best < 0 || t - times[best] > 8 * 3_600_000) return null;
      return rates[best];
    },
  };
}

/** Symbols × intervals bundled in data/klines. */
export const BUNDLED: ReadonlyArray<readonly [string, Interval]> = [
  ['BTCUSDT', '15'], ['BTCUSDT', '60'], ['BTCUSDT', '240'], ['BTCUSDT', 'D'],
  ['ETHUSDT', '15'], ['ETHUSDT', '60'], ['ETHUSDT', '240'], ['ETHUSDT', 'D'],
  ['SOLUSDT', '15'], ['SOLUSDT', '60'], ['SOLUSDT', '240'], ['SOLUSDT', 'D'],
  ['BNBUSDT', '15'], ['BNBUSDT', '60'], ['BNBUSDT', '240'], ['BNBUSDT', 'D'],
  ['WIFUSDT', '15'], ['WIFUSDT', '60'], ['WIFUSDT', '240'], ['WIFUSDT', 'D'],
  ['AAVEUSDT', '240'], ['ADAUSDT', '240'], ['APEUSDT', '240'], ['AVAXUSDT', '240'],
];
