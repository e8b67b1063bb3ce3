import type { Interval } from '../schemas.ts';
import type { Bar, OhlcvColumns } from './types.ts';

/**
 * Row `i` of `cols` as a Bar of `symbol` × `interval`. It does not check `i`: the caller keeps it
 * within the columns (an index past the end yields undefined fields, not an error).
 */
export function barAt(cols: OhlcvColumns, i: number, symbol: string, interval: Interval): Bar {
  return {
    symbol,
    interval,
    start: cols.start[i] as number,
    open: cols.open[i] as number,
    high: cols.high[i] as number,
    low: cols.low[i] as number,
    close: cols.close[i] as number,
    volume: cols.volume[i] as number,
  };
}
