/**
 * Number of decimals needed to write `step` exactly (0.001 → 3, 5 → 0, 2.5e-7 → 8: the mantissa's
 * digits count too); throws RangeError on a step that is not a positive finite number.
 */
export function stepDecimals(step: number): number {
  // Instruments have a handful of distinct steps and rounding runs on every bar: remember each answer.
  const known = decimalsByStep.get(step);
  if (known !== undefined) return known;
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError('step must be a positive finite number');
  const [mantissa = '', exp] = step.toString().split('e');
  const dot = mantissa.indexOf('.');
  const frac = dot < 0 ? 0 : mantissa.length - dot - 1;
  const d = Math.max(0, frac - (exp === undefined ? 0 : Number(exp)));
  if (decimalsByStep.size < 4096) decimalsByStep.set(step, d);
  return d;
}

const decimalsByStep = new Map<number, number>();

/** Rounds `value` DOWN to a multiple of `step` (quantities never round up); throws RangeError on a bad step. */
export function floorToStep(value: number, step: number): number {
  const d = stepDecimals(step);
  const n = Math.floor(value / step + 1e-9);
  return Number((n * step).toFixed(d));
}

/** Rounds `value` UP to a multiple of `step`; throws RangeError on a bad step. */
export function ceilToStep(value: number, step: number): number {
  const d = stepDecimals(step);
  const n = Math.ceil(value / step - 1e-9);
  return Number((n * step).toFixed(d));
}

/** Rounds `value` to the NEAREST multiple of `step` (prices); throws RangeError on a bad step. */
export function roundToStep(value: number, step: number): number {
  const d = stepDecimals(step);
  return Number((Math.round(value / step) * step).toFixed(d));
}

