import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { replayInstruments, instrumentsFileFor } from '../../engine/market/replay-instruments.ts';
import { isDeskError } from '../../engine/errors.ts';
import { KLINES, ROOT, tempFiles } from './helpers.ts';

interface Entry {
  symbol: string;
  tickSize: number;
  qtyStep: number;
  minQty: number;
  minNotional: number;
  maxLeverage: number;
  status: string;
  source: string;
}
const FILE = join(ROOT, 'data/instruments.json');
const entries = (JSON.parse(readFileSync(FILE, 'utf8')) as { instruments: Entry[] }).instruments;

const gcd = (a: bigint, b: bigint): bigint => {
  while (b) [a, b] = [b, a % b];
  return a;
};
const decimals = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);
const scaled = (s: string, d: number) => {
  const [i, f = ''] = s.split('.');
  return BigInt((i as string) + f.padEnd(d, '0'));
};

// The finest increment present in the given CSV column strings (the method data/SOURCES.md documents).
function finestStep(values: string[]): number {
  const d = Math.max(...values.map(decimals));
  let g = 0n;
  for (const v of values) {
    const n = scaled(v, d);
    if (n !== 0n) g = gcd(g, n);
    if (g === 1n) break;
  }
  return Number(g) / 10 ** d;
}

describe('data/instruments.json', () => {
  it('covers every bundled symbol', () => {
    const symbols = new Set(readdirSync(KLINES).map((f) => f.split('-')[0]));
    expect(new Set(entries.map((e) => e.symbol))).toEqual(symbols);
  });

  it('derived tick and qty steps match the finest increments in the bundled klines', () => {
    for (const e of entries.filter((x) => x.source === 'derived')) {
      const prices: string[] = [];
      const volumes: string[] = [];
      for (const f of readdirSync(KLINES).filter((n) => n.startsWith(`${e.symbol}-`))) {
        for (const row of readFileSync(join(KLINES, f), 'utf8').trimEnd().split('\n').slice(1)) {
          const c = row.split(',');
          prices.push(c[1] as string, c[2] as string, c[3] as string, c[4] as string);
          volumes.push(c[5] as string);
        }
      }
      expect(e.tickSize, e.symbol).toBe(finestStep(prices));
      expect(e.qtyStep, e.symbol).toBe(finestStep(volumes));
      expect(e.minQty).toBe(e.qtyStep);
    }
  });

  it.skipIf(!existsSync(join(ROOT, '../shared/data/bybit-v5/rest-market-instruments-info-linear.json')))(
    'BTCUSDT equals the documented Bybit instruments-info example',
    () => {
      const doc = JSON.parse(readFileSync(join(ROOT, '../shared/data/bybit-v5/rest-market-instruments-info-linear.json'), 'utf8')) as {
        result: { list: Array<Record<string, any>> };
      };
      const b = doc.result.list.find((x) => x.symbol === 'BTCUSDT')!;
      const e = entries.find((x) => x.symbol === 'BTCUSDT')!;
      expect(e.source).toBe('bybit-v5-docs');
      expect(e.tickSize).toBe(Number(b.priceFilter.tickSize));
      expect(e.qtyStep).toBe(Number(b.lotSizeFilter.qtyStep));
      expect(e.minQty).toBe(Number(b.lotSizeFilter.minOrderQty));
      expect(e.minNotional).toBe(Number(b.lotSizeFilter.minNotionalValue));
      expect(e.maxLeverage).toBe(Number(b.leverageFilter.maxLeverage));
      expect(e.status).toBe(b.status);
    },
  );

  it('replayInstruments finds the file from data/, data/klines or the file itself', () => {
    for (const p of [join(ROOT, 'data'), KLINES, FILE]) {
      expect(instrumentsFileFor(p)).toBe(FILE);
      const got = replayInstruments(p);
      expect(got.length).toBe(entries.length);
      expect(Object.keys(got[0] as object).sort()).toEqual(['maxLeverage', 'minNotional', 'minQty', 'qtyStep', 'status', 'symbol', 'tickSize']);
    }
  });

  it('refuses a missing or malformed file with CONFIG', () => {
    const dir = tempFiles({ 'bad.json': '{"instruments":[{"symbol":"BTCUSDT","tickSize":-1}]}', 'x.json': 'not json' });
    for (const p of [join(dir, 'bad.json'), join(dir, 'x.json'), join(dir, 'none', 'deeper')]) {
      try {
        replayInstruments(p);
        expect.unreachable();
      } catch (e) {
        expect(isDeskError(e, 'CONFIG')).toBe(true);
      }
    }
  });
});

describe('bundled data budget', () => {
  it('data/ stays within 6 MB', () => {
    let total = 0;
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else total += st.size;
      }
    };
    walk(join(ROOT, 'data'));
    expect(total).toBeLessThanOrEqual(6_000_000);
  });
});
