// Test helper: reads the bundled real Bybit klines and funding (data/) for the scan tests, through the
// market engineer's validated CSV loader and funding store (the same code the replay feed uses).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Interval } from '../../engine/schemas.ts';
import type { Bar } from '../../engine/market/types.ts';
import { loadFundingFile, loadKlineFile } from '../../engine/market/csv.ts';
import type { KlineFile } from '../../engine/market/csv.ts';
import { FundingStore } from '../../engine/market/funding-store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of a bundled data file under the repo's data/ folder. */
export function dataPath(...parts: string[]): string {
  return join(ROOT, 'data', ...parts);
}

const files = new Map<string, KlineFile>();

/** The validated columns of the bundled `<symbol>-<interval>.csv` (cached); throws DeskError VALIDATION on a bad file. */
export function loadColumns(symbol: string, interval: Interval): KlineFile {
  const key = `${symbol}-${interval}`;
  let f = files.get(key);
  if (!f) {
    f = loadKlineFile(dataPath('klines', `${key}.csv`));
    files.set(key, f);
  }
  return f;
}

/** Every bar of the bundled `<symbol>-<interval>.csv`, oldest first (fresh objects on each call). */
export function loadBars(symbol: string, interval: Interval): Bar[] {
  const c = loadColumns(symbol, interval);
  const out: Bar[] = new Array(c.length);
  for (let i = 0; i < c.length; i++) {
    out[i] = { symbol, interval, start: c.start[i], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], volume: c.volume[i] };
  }
  return out;
}

/** The funding rate in force for `symbol` at `t` (last settlement at or before `t`), from the bundled history. */
export function loadFunding(symbol: string): { at(t: number): number | null } {
  const store = new FundingStore();
  const f = loadFundingFile(dataPath('funding', `${symbol}.csv`));
  store.set(symbol, f.time.subarray(0, f.length), f.rate.subarray(0, f.length));
  return { at: (t: number) => store.rateAt(symbol, t) };
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
