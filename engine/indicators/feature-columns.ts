/** Column arrays of one series' closed bars (index 0 = oldest), as the kline store keeps them. */
export interface FeatureColumns {
  start: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * Validates the columns and returns how many bars to use: `length` (default: close.length) must be an
 * integer >= 1 and no column may be shorter. Throws RangeError otherwise.
 */
export function usableLength(cols: FeatureColumns, length?: number): number {
  const n = length ?? cols.close.length;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`length must be an integer >= 1, got ${String(n)}`);
  const names = ['start', 'open', 'high', 'low', 'close', 'volume'] as const;
  for (const name of names) {
    if (cols[name].length < n) throw new RangeError(`${name} has ${cols[name].length} bars, need ${n}`);
  }
  return n;
}
