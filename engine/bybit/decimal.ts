import { DeskError } from '../errors.ts';
import { stepDecimals as deskStepDecimals } from '../risk/rounding.ts';

/** How a value is snapped to a step: to the nearest multiple, or always down / up. */
export type RoundMode = 'nearest' | 'down' | 'up';

/** Number of decimals a step such as 0.001 or 1e-7 needs; throws DeskError VALIDATION on a non-positive step. */
export function stepDecimals(step: number): number {
  if (!Number.isFinite(step) || step <= 0) throw new DeskError('VALIDATION', { field: 'step' }, 'step must be a positive number');
  return deskStepDecimals(step);
}

/**
 * Snaps `value` to a multiple of `step` and renders it as a plain decimal string (no exponent, no float
 * noise: 0.1 + 0.2 on step 0.1 gives "0.3"). Throws DeskError VALIDATION on non-finite input or step.
 */
export function roundToStep(value: number, step: number, mode: RoundMode = 'nearest'): string {
  if (!Number.isFinite(value)) throw new DeskError('VALIDATION', { field: 'value' }, 'value must be finite');
  const decimals = stepDecimals(step);
  let n = value / step;
  const snapped = Math.round(n);
  // Float division noise (0.3 / 0.1 = 2.9999999999999996) must not move a value that is already on the grid.
  if (Math.abs(n - snapped) <= 1e-9 * Math.max(1, Math.abs(n))) n = snapped;
  const k = mode === 'down' ? Math.floor(n) : mode === 'up' ? Math.ceil(n) : Math.round(n);
  const out = (k * step).toFixed(Math.min(decimals, 20));
  return out === '-0' || /^-0\.0*$/.test(out) ? out.slice(1) : out;
}

/** The number a decimal string from the exchange stands for; NaN-safe: '' and garbage give `fallback`. */
export function num(s: string | number | null | undefined, fallback = 0): number {
  if (s === null || s === undefined || s === '') return fallback;
  const v = typeof s === 'number' ? s : Number(s);
  return Number.isFinite(v) ? v : fallback;
}

/** The number a decimal string from the exchange stands for when it is positive; null otherwise (Bybit sends '' or '0' for "none"). */
export function positive(s: string | number | null | undefined): number | null {
  const v = num(s);
  return v > 0 ? v : null;
}
