import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KlineStore } from '../../engine/market/kline-store.ts';
import { loadKlineFile } from '../../engine/market/csv.ts';
import { barAt } from '../../engine/market/bar-at.ts';
import type { Bar } from '../../engine/market/types.ts';
import { DeskError, isDeskError } from '../../engine/errors.ts';
import { KLINES } from './helpers.ts';

const btc = loadKlineFile(join(KLINES, 'BTCUSDT-60.csv'));
const bar = (i: number): Bar => barAt(btc, i, 'BTCUSDT', '60');

describe('KlineStore', () => {
  it('keeps the last `capacity` bars as contiguous views, correct across many wraparounds', () => {
    const cap = 7;
    const store = new KlineStore({ capacity: cap });
    for (let n = 0; n < 40; n++) {
      expect(store.append(bar(n))).toBe(true);
      const s = store.series('BTCUSDT', '60');
      expect(s).not.toBeNull();
      const v = s!;
      const len = Math.min(n + 1, cap);
      expect(v.length).toBe(len);
      const from = n + 1 - len;
      for (const [name, col] of [
        ['start', btc.start],
        ['open', btc.open],
        ['high', btc.high],
        ['low', btc.low],
        ['close', btc.close],
        ['volume', btc.volume],
      ] as const) {
        expect(Array.from(v[name]), `${name} after ${n + 1} bars`).toEqual(Array.from(col.subarray(from, n + 1)));
      }
      expect(store.lastStart('BTCUSDT', '60')).toBe(btc.start[n]);
      expect(store.last('BTCUSDT', '60')).toEqual(bar(n));
      expect(store.size('BTCUSDT', '60')).toBe(len);
    }
  });

  it('hands out views, not copies, over one fixed buffer (no growth as bars arrive)', () => {
    const store = new KlineStore({ capacity: 500 });
    store.append(bar(0));
    const first = store.series('BTCUSDT', '60')!;
    const bytes = store.bytes();
    expect(bytes).toBe(6 * 8 * 625); // 6 columns × 8 bytes × (500 + 125 spare slots)
    for (let i = 1; i < 2000; i++) store.append(bar(i));
    const s = store.series('BTCUSDT', '60')!;
    expect(s.close.buffer).toBe(first.close.buffer);
    expect(s.open.buffer).toBe(s.close.buffer);
    expect(s.close.length).toBe(500);
    expect(store.bytes()).toBe(bytes);
    expect(s.close[499]).toBe(btc.close[1999]);
    expect(s.start[0]).toBe(btc.start[1500]);
  });

  it('matches a plain array model at every append across many compactions, per series and column', () => {
    const eth = loadKlineFile(join(KLINES, 'ETHUSDT-60.csv'));
    const names = ['start', 'open', 'high', 'low', 'close', 'volume'] as const;
    for (const cap of [1, 2, 3, 4, 5, 8, 13, 64]) {
      const store = new KlineStore({ capacity: cap });
      // Two interleaved series share nothing; each gets ~7 compactions (a quarter of cap, at least 1, per compaction).
      const series = [
        { symbol: 'BTCUSDT', cols: btc, model: [] as Bar[] },
        { symbol: 'ETHUSDT', cols: eth, model: [] as Bar[] },
      ];
      const n = cap + 7 * Math.ceil(cap / 4) + 3;
      const bytes = 2 * 6 * 8 * (cap + Math.ceil(cap / 4));
      let buffer: ArrayBufferLike | null = null;
      for (let i = 0; i < n; i++) {
        for (const s of series) {
          const b = barAt(s.cols, i, s.symbol, '60');
          expect(store.append(b)).toBe(true);
          s.model.push(b);
          if (s.model.length > cap) s.model.shift();
          if (i % 3 === 2) {
            // A duplicate and an older bar in between change nothing.
            expect(store.append({ ...b, volume: 0 })).toBe(false);
            if (i > 0) expect(() => store.append(barAt(s.cols, i - 1, s.symbol, '60'))).toThrow(DeskError);
          }
        }
        for (const s of series) {
          const v = store.series(s.symbol, '60')!;
          expect(v.length).toBe(s.model.length);
          for (const name of names) {
            expect(v[name].length).toBe(s.model.length);
            expect(Array.from(v[name]), `cap ${cap} ${s.symbol} ${name} after ${i + 1} bars`).toEqual(s.model.map((b) => b[name]));
          }
          expect(v.open.buffer).toBe(v.close.buffer);
          buffer ??= v.close.buffer;
          expect(store.last(s.symbol, '60')).toEqual(s.model[s.model.length - 1]);
          expect(store.lastStart(s.symbol, '60')).toBe(s.model[s.model.length - 1]!.start);
          expect(store.size(s.symbol, '60')).toBe(s.model.length);
        }
        expect(store.bytes()).toBe(bytes);
      }
      expect(store.series('BTCUSDT', '60')!.close.buffer).toBe(buffer);
    }
  });

  it('ignores a duplicate bar and reports false', () => {
    const store = new KlineStore({ capacity: 5 });
    store.append(bar(0));
    store.append(bar(1));
    expect(store.append({ ...bar(1), volume: 0 })).toBe(false);
    expect(store.size('BTCUSDT', '60')).toBe(2);
    expect(store.last('BTCUSDT', '60')?.volume).toBe(btc.volume[1]);
  });

  it('refuses an older bar with VALIDATION and keeps the series unchanged', () => {
    const store = new KlineStore({ capacity: 5 });
    store.append(bar(0));
    store.append(bar(2));
    try {
      store.append(bar(1));
      expect.unreachable();
    } catch (e) {
      expect(isDeskError(e, 'VALIDATION')).toBe(true);
      expect((e as DeskError).detail).toMatchObject({ symbol: 'BTCUSDT', interval: '60', start: btc.start[1] });
    }
    expect(Array.from(store.series('BTCUSDT', '60')!.start)).toEqual([btc.start[0], btc.start[2]]);
  });

  it('refuses insane bars (NaN, zero price, high < low, negative volume)', () => {
    const store = new KlineStore({ capacity: 5 });
    const b = bar(0);
    for (const bad of [
      { ...b, close: NaN },
      { ...b, low: 0 },
      { ...b, high: b.low - 1 },
      { ...b, volume: -1 },
      { ...b, start: 1.5 },
    ]) {
      expect(() => store.append(bad)).toThrow(DeskError);
    }
    expect(store.size('BTCUSDT', '60')).toBe(0);
  });

  it('keeps series apart per symbol × interval and lists them', () => {
    const store = new KlineStore({ capacity: 3 });
    store.append(bar(0));
    store.append({ ...bar(0), interval: '240' });
    store.append({ ...bar(0), symbol: 'ETHUSDT' });
    expect(store.keys()).toEqual([
      { symbol: 'BTCUSDT', interval: '60' },
      { symbol: 'BTCUSDT', interval: '240' },
      { symbol: 'ETHUSDT', interval: '60' },
    ]);
    expect(store.bytes()).toBe(3 * 6 * 8 * 4); // 3 series × 6 columns × 8 bytes × (3 + 1 spare slot)
    expect(store.series('SOLUSDT', '60')).toBeNull();
    expect(store.last('SOLUSDT', '60')).toBeNull();
    expect(store.lastStart('SOLUSDT', '60')).toBeNull();
    expect(store.size('SOLUSDT', '60')).toBe(0);
    expect(store.drop('BTCUSDT', '240')).toBe(true);
    expect(store.keys().length).toBe(2);
  });

  it('bulk-loads columns, skipping rows it already has', () => {
    const store = new KlineStore({ capacity: 100 });
    expect(store.appendColumns('BTCUSDT', '60', btc, 0, 50)).toBe(50);
    expect(store.appendColumns('BTCUSDT', '60', btc, 40, 120)).toBe(70);
    const s = store.series('BTCUSDT', '60')!;
    expect(s.length).toBe(100);
    expect(Array.from(s.close)).toEqual(Array.from(btc.close.subarray(20, 120)));
  });

  it('refuses a bad capacity', () => {
    for (const capacity of [0, -1, 1.5, NaN, 2_000_000]) {
      expect(() => new KlineStore({ capacity })).toThrow(DeskError);
    }
  });
});
