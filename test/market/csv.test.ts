import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadFundingFile, loadKlineFile, parseFundingCsv, parseKlineCsv } from '../../engine/market/csv.ts';
import { KlineStore } from '../../engine/market/kline-store.ts';
import { DeskError, isDeskError } from '../../engine/errors.ts';
import { FUNDING, KLINES, headKlines, tempFiles } from './helpers.ts';

const FILE = 'BTCUSDT-60.csv';
const HEADER = 'start_ms,open,high,low,close,volume';
// Three real rows of the bundled BTCUSDT-60.csv (its first three).
const REAL = headKlines(FILE, 3).trimEnd().split('\n').slice(1);

function refused(text: string, file = FILE): DeskError {
  try {
    parseKlineCsv(text, file);
  } catch (e) {
    expect(isDeskError(e, 'VALIDATION')).toBe(true);
    return e as DeskError;
  }
  throw new Error('expected the file to be refused');
}

// Replaces column `col` of real row `row` (0-based) with `value`.
function withCell(row: number, col: number, value: string): string {
  const rows = REAL.map((r) => r.split(','));
  (rows[row] as string[])[col] = value;
  return [HEADER, ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

describe('parseKlineCsv on real data', () => {
  it('loads every bundled kline file with the rows SOURCES.md lists', () => {
    const files = readdirSync(KLINES).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBe(24);
    for (const f of files) {
      const k = loadKlineFile(join(KLINES, f));
      expect(k.length).toBeGreaterThan(700);
      expect(k.start.length).toBe(k.length);
      expect(`${k.symbol}-${k.interval}.csv`).toBe(f);
    }
    const btc = loadKlineFile(join(KLINES, FILE));
    expect(btc.length).toBe(6000);
    expect(btc.start[0]).toBe(Date.UTC(2025, 3, 30, 12)); // 2025-04-30 12:00
    expect(btc.start[5999]).toBe(Date.UTC(2026, 0, 5, 11));
    expect(btc.close[5999]).toBe(93103.6);
  });

  it('reads the numbers exactly as written', () => {
    const k = parseKlineCsv([HEADER, ...REAL].join('\n'), FILE);
    const first = (REAL[0] as string).split(',').map(Number);
    expect([k.start[0], k.open[0], k.high[0], k.low[0], k.close[0], k.volume[0]]).toEqual(first);
    expect(k.length).toBe(3);
  });

  it('accepts CRLF, a BOM, no final newline and a header-only file', () => {
    const crlf = '\ufeff' + [HEADER, ...REAL].join('\r\n') + '\r\n';
    expect(parseKlineCsv(crlf, FILE).length).toBe(3);
    expect(parseKlineCsv([HEADER, ...REAL].join('\n'), FILE).length).toBe(3);
    expect(parseKlineCsv(HEADER + '\n', FILE).length).toBe(0);
  });

  it('loads every bundled funding file', () => {
    for (const f of readdirSync(FUNDING)) {
      const r = loadFundingFile(join(FUNDING, f));
      expect(r.length).toBeGreaterThan(800);
      expect(`${r.symbol}.csv`).toBe(f);
    }
  });
});

describe('parseKlineCsv refuses bad files with file and line', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['bad header', ['start,open,high,low,close,volume', ...REAL].join('\n'), 1, /bad header/],
    ['empty file', '', 1, /bad header/],
    ['too few columns', [HEADER, REAL[0], '1746018000000,1,2,3', REAL[2]].join('\n'), 3, /expected 6 columns, got 4/],
    ['too many columns', [HEADER, REAL[0], REAL[1] + ',7'].join('\n'), 3, /expected 6 columns, got 7/],
    ['blank line inside', [HEADER, REAL[0], '', REAL[1]].join('\n'), 3, /expected 6 columns, got 0/],
    ['not a number', withCell(1, 2, 'abc'), 3, /high is not a finite number/],
    ['empty field', withCell(0, 5, ''), 2, /volume is not a finite number/],
    ['hex', withCell(0, 1, '0x10'), 2, /open is not a finite number/],
    ['NaN', withCell(2, 4, 'NaN'), 4, /close is not a finite number/],
    ['Infinity', withCell(1, 3, 'Infinity'), 3, /low is not a finite number/],
    ['overflow to Infinity', withCell(1, 2, '1e999'), 3, /high is not a finite number/],
    ['negative price', withCell(0, 3, '-5'), 2, /prices must be > 0/],
    ['zero price', withCell(0, 1, '0'), 2, /prices must be > 0/],
    ['high < low', withCell(1, 2, '1'), 3, /high < low/],
    ['high below close', withCell(0, 2, String(Number((REAL[0] as string).split(',')[4]) - 1)), 2, /bracket/],
    ['low above open', withCell(2, 3, String(Number((REAL[2] as string).split(',')[1]) + 1)), 4, /bracket/],
    ['negative volume', withCell(1, 5, '-0.5'), 3, /volume must be >= 0/],
    ['fractional start', withCell(0, 0, '1746014400000.5'), 2, /integer/],
    ['duplicate start', [HEADER, REAL[0], REAL[1], REAL[1]].join('\n'), 4, /duplicate start_ms/],
    ['start goes back', [HEADER, REAL[1], REAL[0]].join('\n'), 3, /before the previous row/],
  ];
  for (const [name, text, line, reason] of cases) {
    it(name, () => {
      const e = refused(text);
      expect(e.detail.file).toBe(FILE);
      expect(e.detail.line).toBe(line);
      expect(String(e.detail.reason)).toMatch(reason);
      expect(e.message).toContain(`${FILE}:${line}:`);
    });
  }

  it('refuses a file name that is not <SYMBOL>-<interval>.csv', () => {
    const text = [HEADER, ...REAL].join('\n');
    for (const bad of ['btcusdt-60.csv', 'BTCUSDT-1.csv', 'BTCUSDT.csv', 'BTCUSDT-60.txt']) {
      expect(refused(text, bad).detail.line).toBe(0);
    }
  });

  it('stores nothing from a refused file', () => {
    const bad = [HEADER, REAL[0], REAL[1], withCell(2, 4, 'NaN').trimEnd().split('\n')[3]].join('\n');
    const dir = tempFiles({ [FILE]: bad });
    const store = new KlineStore({ capacity: 10 });
    expect(() => store.appendColumns('BTCUSDT', '60', loadKlineFile(join(dir, FILE)))).toThrow(DeskError);
    expect(store.size('BTCUSDT', '60')).toBe(0);
    expect(store.series('BTCUSDT', '60')).toBeNull();
  });

  it('reports a missing file as NOT_FOUND', () => {
    expect(() => loadKlineFile(join(KLINES, 'XRPUSDT-60.csv'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('parseFundingCsv', () => {
  const H = 'funding_time_ms,funding_rate';
  const ok = [H, '1702886400000,0.0001', '1702915200000,0.00010731'];
  it('parses rates and times', () => {
    const f = parseFundingCsv(ok.join('\n'), 'BTCUSDT.csv');
    expect(f.symbol).toBe('BTCUSDT');
    expect([...f.time]).toEqual([1702886400000, 1702915200000]);
    expect([...f.rate]).toEqual([0.0001, 0.00010731]);
  });
  const cases: Array<[string, string[], number, RegExp]> = [
    ['bad header', ['time,rate', ...ok.slice(1)], 1, /bad header/],
    ['extra column', [H, '1702886400000,0.0001,1'], 2, /expected 2 columns/],
    ['not a number', [H, '1702886400000,x'], 2, /funding_rate is not a finite number/],
    ['NaN time', [H, 'NaN,0.0001'], 2, /funding_time_ms is not a finite number/],
    ['duplicate time', [H, '1702886400000,0.0001', '1702886400000,0.0002'], 3, /duplicate/],
    ['time goes back', [H, '1702915200000,0.0001', '1702886400000,0.0002'], 3, /before the previous/],
    ['absurd rate', [H, '1702886400000,1.5'], 2, /\|rate\| < 1/],
  ];
  for (const [name, lines, line, reason] of cases) {
    it(`refuses ${name}`, () => {
      try {
        parseFundingCsv(lines.join('\n'), 'BTCUSDT.csv');
        expect.unreachable();
      } catch (e) {
        expect(isDeskError(e, 'VALIDATION')).toBe(true);
        const d = (e as DeskError).detail;
        expect(d.file).toBe('BTCUSDT.csv');
        expect(d.line).toBe(line);
        expect(String(d.reason)).toMatch(reason);
      }
    });
  }
});
