/** Number of decimals in a step such as "0.10" or "0.001" (0 for "1"); never throws. */
export function decimalsOf(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** Formats `v` with exactly `decimals` decimals (Bybit style for prices/qty on a grid); never throws. */
export function fixed(v: number, decimals: number): string {
  return (Math.round(v * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
}

/** Formats a computed money value with up to 8 decimals, trailing zeros trimmed ("0" for zero); never throws. */
export function money(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const s = v.toFixed(8);
  const t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return t === '-0' ? '0' : t;
}

/** Rounds `v` down to a multiple of `step` (with a tiny epsilon against float noise); never throws. */
export function floorToStep(v: number, step: number): number {
  const n = Math.floor(v / step + 1e-9);
  return n * step;
}

/** True when `v` is (within float noise) an integer multiple of `step`; never throws. */
export function onGrid(v: number, step: number): boolean {
  const n = v / step;
  return Math.abs(n - Math.round(n)) < 1e-7;
}

/** Parses a Bybit decimal string (or number) into a finite number, or null when absent/invalid; never throws. */
export function parseDecimal(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '' || !/^-?\d+(\.\d+)?$/.test(v.trim())) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
