import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureColumns } from '../../engine/indicators/feature-columns.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The project's bundled klines, preferred. */
const PROJECT_DIR = resolve(here, '../../data/klines');
/** The shared data folder beside the project, used only when the bundled copy lacks a file. */
const SHARED_DIR = resolve(here, '../../../shared/data/klines/bybit-linear');

/** Real Bybit linear series bundled with the project (symbol-interval), used by tests and benches. */
export const REAL_SERIES: readonly string[] = [
  'BTCUSDT-60', 'ETHUSDT-60', 'SOLUSDT-60', 'BNBUSDT-60', 'WIFUSDT-60',
  'BTCUSDT-15', 'ETHUSDT-15', 'SOLUSDT-15', 'BNBUSDT-15', 'WIFUSDT-15',
  'BTCUSDT-240', 'ETHUSDT-240', 'SOLUSDT-240', 'WIFUSDT-240', 'AAVEUSDT-240', 'ADAUSDT-240',
  'APEUSDT-240', 'AVAXUSDT-240', 'BTCUSDT-D', 'ETHUSDT-D', 'SOLUSDT-D', 'WIFUSDT-D',
];

/** Reads `<name>.csv` (start_ms,open,high,low,close,volume) into columns; throws when missing or malformed. */
export function loadKlines(name: string): FeatureColumns {
  const file = [join(PROJECT_DIR, `${name}.csv`), join(SHARED_DIR, `${name}.csv`)].find((p) => existsSync(p));
  if (file === undefined) throw new Error(`no kline file for ${name}`);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  if (lines[0] !== 'start_ms,open,high,low,close,volume') throw new Error(`${file}: unexpected header`);
  const n = lines.length - 1;
  const cols: FeatureColumns = {
    start: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = lines[i + 1].split(',');
    if (p.length !== 6) throw new Error(`${file}:${i + 2}: expected 6 fields`);
    cols.start[i] = Number(p[0]);
    cols.open[i] = Number(p[1]);
    cols.high[i] = Number(p[2]);
    cols.low[i] = Number(p[3]);
    cols.close[i] = Number(p[4]);
    cols.volume[i] = Number(p[5]);
  }
  return cols;
}
