import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FundingStore, FUNDING_STALE_MS } from '../../engine/market/funding-store.ts';
import { loadFundingFile } from '../../engine/market/csv.ts';
import { DeskError } from '../../engine/errors.ts';
import { FUNDING } from './helpers.ts';

const H = 3_600_000;

describe('FundingStore', () => {
  it('answers the last settled rate at or before t', () => {
    const s = new FundingStore();
    s.set('BTCUSDT', [8 * H, 16 * H, 24 * H], [0.0001, -0.0002, 0.0003]);
    expect(s.rateAt('BTCUSDT', 8 * H - 1)).toBeNull();
    expect(s.rateAt('BTCUSDT', 8 * H)).toBe(0.0001);
    expect(s.rateAt('BTCUSDT', 16 * H - 1)).toBe(0.0001);
    expect(s.rateAt('BTCUSDT', 16 * H)).toBe(-0.0002);
    expect(s.rateAt('BTCUSDT', 24 * H + FUNDING_STALE_MS)).toBe(0.0003);
    expect(s.rateAt('BTCUSDT', 24 * H + FUNDING_STALE_MS + 1)).toBeNull();
    expect(s.rateAt('ETHUSDT', 16 * H)).toBeNull();
    expect(s.rateAt('BTCUSDT', NaN)).toBeNull();
  });

  it('agrees with a linear scan on the real BTCUSDT history', () => {
    const f = loadFundingFile(join(FUNDING, 'BTCUSDT.csv'));
    const s = new FundingStore();
    s.set('BTCUSDT', f.time, f.rate);
    const first = f.time[0] as number;
    const last = f.time[f.length - 1] as number;
    const linear = (t: number): number | null => {
      let r: number | null = null;
      for (let i = 0; i < f.length && (f.time[i] as number) <= t; i++) r = f.rate[i] as number;
      return t - last > FUNDING_STALE_MS ? null : r;
    };
    for (let t = first - 5 * H; t < last + 12 * H; t += 7 * H + 13 * 60_000) {
      expect(s.rateAt('BTCUSDT', t)).toBe(linear(t));
    }
    for (let i = 0; i < f.length; i += 97) expect(s.rateAt('BTCUSDT', f.time[i] as number)).toBe(f.rate[i]);
  });

  it('appends live settlements, ignores duplicates, refuses older ones', () => {
    const s = new FundingStore();
    for (let i = 1; i <= 20; i++) expect(s.add('SOLUSDT', i * 8 * H, i / 1e5)).toBe(true);
    expect(s.add('SOLUSDT', 20 * 8 * H, 1)).toBe(false);
    expect(() => s.add('SOLUSDT', 8 * H, 0)).toThrow(DeskError);
    expect(() => s.add('SOLUSDT', 21 * 8 * H, NaN)).toThrow(DeskError);
    expect(s.size('SOLUSDT')).toBe(20);
    expect(s.rateAt('SOLUSDT', 20 * 8 * H + 1)).toBe(20 / 1e5);
    expect(s.symbols()).toEqual(['SOLUSDT']);
  });

  it('refuses unordered or mismatched history', () => {
    const s = new FundingStore();
    expect(() => s.set('X', [2, 1], [0, 0])).toThrow(DeskError);
    expect(() => s.set('X', [1, 2], [0])).toThrow(DeskError);
    expect(() => s.set('X', [1, 2], [0, Infinity])).toThrow(DeskError);
  });
});
