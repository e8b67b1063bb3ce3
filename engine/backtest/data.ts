import { join } from 'node:path';
import type { Interval } from '../schemas.ts';
import type { Instrument } from '../market/types.ts';
import type { FundingFile, KlineFile } from '../market/csv.ts';
import { loadFundingFile, loadKlineFile } from '../market/csv.ts';
import { replayInstruments } from '../market/replay-instruments.ts';
import { intervalMs } from '../scan/interval.ts';
import { DeskError, isDeskError } from '../errors.ts';

/** One kline series of a backtest: rows [warmFrom, from) warm the scanner, rows [from, end) are traded. */
export interface BacktestSeries {
  symbol: string;
  interval: Interval;
  data: KlineFile;
  /** First warm-up row. */
  warmFrom: number;
  /** First traded row (its bar is the first one the desk sees as a closed bar). */
  from: number;
  /** Exclusive end row of the traded window. */
  end: number;
}

/** Everything one backtest reads: series per interval, funding per symbol, instrument rules. */
export interface BacktestData {
  series: BacktestSeries[];
  funding: Map<string, FundingFile>;
  instruments: Instrument[];
  /** `<SYMBOL>-<interval>` of each requested series with no file (skipped). */
  missing: string[];
}

/** What to load; times are epoch ms (bars must START at or after `from` and CLOSE at or before `to`). */
export interface LoadOptions {
  dataDir: string;
  fundingDir?: string;
  /** instruments.json (file or folder); default: looked up from dataDir like the replay feed. */
  instrumentsFile?: string;
  symbols: readonly string[];
  intervals: readonly Interval[];
  from?: number;
  to?: number;
  /** Bars before the window handed to the scanner as history (at most; fewer when the file starts later). */
  warmupBars: number;
}

/**
 * Loads the kline files `<dataDir>/<SYMBOL>-<interval>.csv` and funding `<fundingDir>/<SYMBOL>.csv`
 * through the market CSV loader and splits each series into warm-up and traded rows: without `from`
 * the window starts after the first `warmupBars` bars. Missing files are listed, not fatal; a symbol
 * without instrument rules is skipped. Throws DeskError CONFIG when nothing is left to trade or the
 * instruments file is unusable, VALIDATION when a file is malformed or from ≥ to.
 */
export function loadBacktestData(o: LoadOptions): BacktestData {
  if (o.from !== undefined && o.to !== undefined && !(o.from < o.to)) {
    throw new DeskError('VALIDATION', { field: 'from', reason: 'from must be before to' });
  }
  if (!Number.isInteger(o.warmupBars) || o.warmupBars < 0) throw new DeskError('VALIDATION', { field: 'warmupBars', reason: 'expected an integer ≥ 0' });
  const instruments = replayInstruments(o.instrumentsFile ?? o.dataDir);
  const known = new Set(instruments.map((i) => i.symbol));
  const series: BacktestSeries[] = [];
  const missing: string[] = [];
  for (const symbol of o.symbols) {
    if (!known.has(symbol)) {
      missing.push(`${symbol} (no instrument rules)`);
      continue;
    }
    for (const interval of o.intervals) {
      let data: KlineFile;
      try {
        data = loadKlineFile(join(o.dataDir, `${symbol}-${interval}.csv`));
      } catch (e) {
        if (isDeskError(e, 'NOT_FOUND')) {
          missing.push(`${symbol}-${interval}`);
          continue;
        }
        throw e;
      }
      const ms = intervalMs(interval);
      let from = o.from === undefined ? Math.min(o.warmupBars, data.length) : lowerBound(data.start, data.length, o.from);
      const to = o.to ?? Infinity;
      let end = from;
      while (end < data.length && (data.start[end] as number) + ms <= to) end++;
      if (o.from === undefined) from = Math.min(from, end);
      if (end <= from) {
        missing.push(`${symbol}-${interval} (no bars in the window)`);
        continue;
      }
      series.push({ symbol, interval, data, warmFrom: Math.max(0, from - o.warmupBars), from, end });
    }
  }
  if (series.length === 0) {
    throw new DeskError('CONFIG', { key: 'DESK_DATA_DIR', dir: o.dataDir }, `backtest: no kline series to trade in ${o.dataDir} for the given symbols, intervals and window`);
  }
  const funding = new Map<string, FundingFile>();
  if (o.fundingDir) {
    for (const symbol of new Set(series.map((s) => s.symbol))) {
      try {
        funding.set(symbol, loadFundingFile(join(o.fundingDir, `${symbol}.csv`)));
      } catch (e) {
        if (!isDeskError(e, 'NOT_FOUND')) throw e;
        missing.push(`funding ${symbol}`);
      }
    }
  }
  return { series, funding, instruments: instruments.filter((i) => series.some((s) => s.symbol === i.symbol)), missing };
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
