/** A price or indicator value for a reason string: 6 significant digits, no exponent for usual prices; never throws. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) return String(Number(x.toPrecision(6)));
  return x.toPrecision(4);
}
