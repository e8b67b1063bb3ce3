/** One benchmark result line as `npm run bench` prints it (JSON, one per line). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  /** The reference measured in the same run (or the target, when there is no reference implementation). */
  reference: number | null;
  /** value / reference (how the line compares; see each bench for which direction is better). */
  ratio: number | null;
}

/** Median of a numeric sample; NaN for an empty sample. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0..1) of a sample by nearest rank; NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
