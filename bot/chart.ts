import { PNG } from 'pngjs';
import type { Signal } from '../engine/index.ts';
import type { ChartCandle } from './context.ts';

type Rgb = readonly [number, number, number];
const BG: Rgb = [18, 22, 28];
const GRID: Rgb = [40, 46, 56];
const UP: Rgb = [38, 166, 154];
const DOWN: Rgb = [239, 83, 80];
const BAND: Rgb = [120, 130, 200];
const MID: Rgb = [90, 96, 140];
const ENTRY: Rgb = [66, 165, 245];
const STOP: Rgb = [244, 67, 54];
const TARGET: Rgb = [102, 187, 106];

/** Bollinger middle/upper/lower (SMA ± k·σ over `n`) per candle; NaN until `n` closes exist. */
function bands(closes: readonly number[], n = 20, k = 2): { mid: number[]; up: number[]; lo: number[] } {
  const mid: number[] = [];
  const up: number[] = [];
  const lo: number[] = [];
  for (let i = 0; i < closes.length; i++) {
    if (i + 1 < n) {
      mid.push(NaN);
      up.push(NaN);
      lo.push(NaN);
      continue;
    }
    let s = 0;
    for (let j = i + 1 - n; j <= i; j++) s += closes[j];
    const m = s / n;
    let v = 0;
    for (let j = i + 1 - n; j <= i; j++) v += (closes[j] - m) ** 2;
    const sd = Math.sqrt(v / n);
    mid.push(m);
    up.push(m + k * sd);
    lo.push(m - k * sd);
  }
  return { mid, up, lo };
}

/**
 * Draws `candles` with Bollinger bands (20, 2) and the signal's entry, stop and targets as a PNG
 * (`width`×`height`, default 640×360). Throws RangeError with fewer than two candles.
 */
export function renderChart(candles: readonly ChartCandle[], signal: Pick<Signal, 'entry' | 'stop' | 'targets'>, width = 640, height = 360): Buffer {
  if (candles.length < 2) throw new RangeError('a chart needs at least two candles');
  const png = new PNG({ width, height });
  const px = (x: number, y: number, c: Rgb): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 4;
    png.data[i] = c[0];
    png.data[i + 1] = c[1];
    png.data[i + 2] = c[2];
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px(x, y, BG);

  const closes = candles.map((c) => c.c);
  const b = bands(closes);
  const levels = [signal.entry, signal.stop, ...signal.targets];
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of candles) {
    lo = Math.min(lo, c.l);
    hi = Math.max(hi, c.h);
  }
  for (const v of [...levels, ...b.up, ...b.lo]) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const pad = (hi - lo) * 0.05 || 1;
  lo -= pad;
  hi += pad;
  const top = 8;
  const plotH = height - 16;
  const yOf = (v: number): number => top + ((hi - v) / (hi - lo)) * plotH;
  const step = (width - 16) / candles.length;
  const xOf = (i: number): number => 8 + step * (i + 0.5);

  const hline = (v: number, c: Rgb, dashed: boolean): void => {
    const y = yOf(v);
    for (let x = 0; x < width; x++) if (!dashed || x % 8 < 5) px(x, y, c);
  };
  for (let g = 1; g < 4; g++) hline(lo + ((hi - lo) * g) / 4, GRID, false);

  const line = (ys: readonly number[], c: Rgb): void => {
    for (let i = 1; i < ys.length; i++) {
      if (!Number.isFinite(ys[i - 1]) || !Number.isFinite(ys[i])) continue;
      const x0 = xOf(i - 1);
      const x1 = xOf(i);
      const y0 = yOf(ys[i - 1]);
      const y1 = yOf(ys[i]);
      const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
      for (let s = 0; s <= n; s++) px(x0 + ((x1 - x0) * s) / n, y0 + ((y1 - y0) * s) / n, c);
    }
  };
  line(b.up, BAND);
  line(b.lo, BAND);
  line(b.mid, MID);

  const bodyW = Math.max(1, Math.floor(step * 0.6));
  candles.forEach((c, i) => {
    const color = c.c >= c.o ? UP : DOWN;
    const x = xOf(i);
    for (let y = yOf(c.h); y <= yOf(c.l); y++) px(x, y, color);
    const y0 = yOf(Math.max(c.o, c.c));
    const y1 = Math.max(y0 + 1, yOf(Math.min(c.o, c.c)));
    for (let y = y0; y <= y1; y++) for (let dx = -Math.floor(bodyW / 2); dx <= Math.floor(bodyW / 2); dx++) px(x + dx, y, color);
  });

  hline(signal.entry, ENTRY, false);
  hline(signal.stop, STOP, true);
  for (const t of signal.targets) hline(t, TARGET, true);
  return PNG.sync.write(png);
}
