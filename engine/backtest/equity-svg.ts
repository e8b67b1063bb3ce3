import type { EquityCurve } from './desk-backtest.ts';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * An SVG line chart (string) of one or more equity curves over time, with min/max labels, the time
 * range and a legend; curves with no points are listed but not drawn. Deterministic; never throws.
 */
export function equitySvg(curves: readonly { label: string; curve: EquityCurve }[], title: string, width = 960, height = 420): string {
  const pad = { l: 70, r: 20, t: 40, b: 50 };
  const pts = curves.flatMap((c) => c.curve.t.map((t, i) => [t, c.curve.equity[i] as number] as const));
  const t0 = pts.length ? Math.min(...pts.map((p) => p[0])) : 0;
  const t1 = pts.length ? Math.max(...pts.map((p) => p[0])) : 1;
  let lo = pts.length ? Math.min(...pts.map((p) => p[1])) : 0;
  let hi = pts.length ? Math.max(...pts.map((p) => p[1])) : 1;
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0 || 1)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (height - pad.t - pad.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${pad.l}" y="22" font-size="15">${esc(title)}</text>`,
    `<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#888"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#888"/>`,
    `<text x="${pad.l - 6}" y="${y(hi) + 4}" text-anchor="end">${hi.toFixed(0)}</text>`,
    `<text x="${pad.l - 6}" y="${y(lo) + 4}" text-anchor="end">${lo.toFixed(0)}</text>`,
    `<text x="${pad.l}" y="${height - pad.b + 18}">${new Date(t0).toISOString().slice(0, 10)}</text>`,
    `<text x="${width - pad.r}" y="${height - pad.b + 18}" text-anchor="end">${new Date(t1).toISOString().slice(0, 10)}</text>`,
  ];
  curves.forEach((c, k) => {
    const color = COLORS[k % COLORS.length] as string;
    const poly = c.curve.t.map((t, i) => `${x(t).toFixed(1)},${y(c.curve.equity[i] as number).toFixed(1)}`).join(' ');
    if (poly) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${poly}"/>`);
    out.push(`<rect x="${pad.l + 10 + k * 150}" y="${height - 20}" width="12" height="4" fill="${color}"/>`);
    out.push(`<text x="${pad.l + 26 + k * 150}" y="${height - 14}">${esc(c.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
