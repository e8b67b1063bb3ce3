/** Result of comparing two series element by element. */
export interface SeriesDiff {
  /** Indices where exactly one side is NaN (a warm-up convention mismatch). */
  nanMismatch: number;
  /** Indices where both are numbers. */
  compared: number;
  /** Indices where both are bit-identical numbers. */
  identical: number;
  /** Largest |a-b| / max(|a|, |b|) seen (0 when both are 0). */
  maxRel: number;
  /** First index where the NaN pattern differs, -1 if none. */
  firstNanMismatch: number;
}

/** Compares `ours` with `theirs` (NaN = not warm); never throws. */
export function diffSeries(ours: ArrayLike<number>, theirs: ArrayLike<number>): SeriesDiff {
  const d: SeriesDiff = { nanMismatch: 0, compared: 0, identical: 0, maxRel: 0, firstNanMismatch: -1 };
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i];
    const b = theirs[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) {
        d.nanMismatch++;
        if (d.firstNanMismatch < 0) d.firstNanMismatch = i;
      }
      continue;
    }
    d.compared++;
    if (Object.is(a, b)) {
      d.identical++;
      continue;
    }
    const scale = Math.max(Math.abs(a), Math.abs(b));
    const rel = scale === 0 ? 0 : Math.abs(a - b) / scale;
    if (rel > d.maxRel) d.maxRel = rel;
  }
  return d;
}

/** Index of the first element where `a` and `b` are not bit-identical (NaN equals NaN), -1 if none. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
