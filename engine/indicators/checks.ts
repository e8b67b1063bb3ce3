/** Largest window any kernel accepts; larger periods are rejected before anything is allocated. */
export const MAX_PERIOD = 100_000;

/** Throws RangeError unless `period` is an integer in [min, MAX_PERIOD]; returns nothing. */
export function assertPeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min || period > MAX_PERIOD) {
    throw new RangeError(`${name} must be an integer in [${min}, ${MAX_PERIOD}], got ${String(period)}`);
  }
}

/** Throws RangeError unless `value` is a finite number >= 0; returns nothing. */
export function assertNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Throws RangeError unless every array has exactly `n` elements (names the first offender). */
export function assertLength(n: number, names: readonly string[], arrays: readonly Float64Array[]): void {
  for (let i = 0; i < arrays.length; i++) {
    if (arrays[i].length !== n) {
      throw new RangeError(`${names[i]} has length ${arrays[i].length}, expected ${n}`);
    }
  }
}

/** Returns `out` when it has length `n`, a new Float64Array(n) when `out` is undefined; throws RangeError otherwise. */
export function outFor(out: Float64Array | undefined, n: number, name = 'out'): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) throw new RangeError(`${name} has length ${out.length}, expected ${n}`);
  return out;
}
