import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFundingFile } from '../../engine/market/csv.ts';
import { FundingStore } from '../../engine/market/funding-store.ts';
import { FundingCursor } from '../../engine/backtest/funding.ts';
import { ManualClock } from '../../engine/clock.ts';
import type { Execution } from '../../engine/exec/broker.ts';
import { barExits, EXIT_FILL_SLOTS, PaperBroker, type PaperBookEntry } from '../../engine/exec/paper-broker.ts';
import type { Bar } from '../../engine/market/types.ts';
import { managedStop, quoteAsk, quoteBid, tickLevels, type ManagedPosition } from '../../engine/backtest/index.ts';

const bar = (open: number, high: number, low: number, close: number): Bar => ({ symbol: 'BTCUSDT', interval: '15', start: 0, open, high, low, close, volume: 1 });

/** The fills the real PaperBroker emits for `p` on `b` (through its public onBar and execution sink). */
async function brokerFills(p: PaperBookEntry, b: Bar, step: number): Promise<[string, number, number][]> {
  const broker = new PaperBroker({ book: () => [{ ...p, targets: [...p.targets] }], balance: () => ({ equity: 1, available: 1 }), recordQuote: () => 1 }, new ManualClock(0), {
    feeRate: 0,
    maxQuoteAgeMs: 1000,
    qtyStepOf: () => step,
  });
  const out: [string, number, number][] = [];
  broker.onExecution((e: Execution) => {
    out.push([e.kind, e.qty, e.price]);
  });
  await broker.onBar(b);
  return out;
}

function ruleFills(p: PaperBookEntry, b: Bar, step: number): [string, number, number][] {
  const buf = new Float64Array(EXIT_FILL_SLOTS * 4);
  const n = barExits(p, b.open, b.high, b.low, step, buf);
  return Array.from({ length: n }, (_, k) => [buf[k * 3] === 0 ? 'stop' : 'target', buf[k * 3 + 1]!, buf[k * 3 + 2]!] as [string, number, number]);
}

const long = (over: Partial<PaperBookEntry> = {}): PaperBookEntry => ({
  positionId: 'p1',
  symbol: 'BTCUSDT',
  side: 'long',
  qty: 0.9,
  initialQty: 0.9,
  stop: 95,
  targets: [105, 110, 120],
  targetsHit: 0,
  ...over,
});

describe('barExits is the paper broker exit rule', () => {
  const cases: [string, PaperBookEntry, Bar][] = [
    ['nothing touched', long(), bar(100, 104, 96, 101)],
    ['stop inside the bar fills at the stop', long(), bar(100, 101, 94, 95.5)],
    ['gap through the stop fills at the open', long(), bar(93, 94, 90, 92)],
    ['stop and target in one bar: the stop wins', long(), bar(100, 106, 94, 100)],
    ['two targets in one bar, fractions of the initial qty on the step', long(), bar(100, 111, 99, 110)],
    ['gap past every target fills at the open, the last takes the rest', long(), bar(125, 126, 124, 125)],
    ['later targets only, after the first was hit', long({ qty: 0.6, targetsHit: 1 }), bar(100, 121, 99, 120)],
    ['a short mirrors: target below, stop above', long({ side: 'short', stop: 105, targets: [95, 90] }), bar(100, 101, 89, 90)],
    ['a short gapping up through its stop', long({ side: 'short', stop: 105, targets: [95] }), bar(107, 108, 106, 107)],
    ['a closed book entry triggers nothing', long({ qty: 0 }), bar(100, 130, 80, 100)],
    ['a step too coarse for a fraction skips that level', long({ qty: 0.003, initialQty: 0.003, targets: [105, 110] }), bar(100, 111, 99, 110)],
  ];
  for (const [name, p, b] of cases) {
    it(name, async () => {
      expect(ruleFills(p, b, 0.002)).toEqual(await brokerFills(p, b, 0.002));
    });
  }

  it('writes nothing past a short buffer and still reports what it found', () => {
    const buf = new Float64Array(3);
    const n = barExits(long(), 125, 126, 124, 0.002, buf);
    expect(n).toBe(3);
    expect([...buf]).toEqual([1, 0.27, 125]); // 30 % of 0.9 on the first level
  });
});

describe('tickLevels (the desk stores a signal on the tick)', () => {
  it('entry to the nearest tick, stop away from entry, targets to the nearest tick', () => {
    expect(tickLevels({ side: 'long', entry: 100.04, stop: 95.07, targets: [105.06, 110.01] }, 0.1)).toEqual({ entry: 100, stop: 95, targets: [105.1, 110] });
    expect(tickLevels({ side: 'short', entry: 100.04, stop: 104.01, targets: [95.06] }, 0.1)).toEqual({ entry: 100, stop: 104.1, targets: [95.1] });
  });

  it('drops targets that collapse onto entry or the previous target; null when none is left or the stop reaches entry', () => {
    expect(tickLevels({ side: 'long', entry: 100, stop: 99, targets: [100.02, 101, 101.04] }, 0.1)).toEqual({ entry: 100, stop: 99, targets: [101] });
    expect(tickLevels({ side: 'long', entry: 100, stop: 99, targets: [100.04] }, 0.1)).toBeNull();
    expect(tickLevels({ side: 'long', entry: 100, stop: 100.02, targets: [101] }, 0.1)).toBeNull();
  });

  it('unknown tick: levels unchanged (a copy)', () => {
    const targets = [1, 2];
    const out = tickLevels({ side: 'long', entry: 0.5, stop: 0.1, targets }, undefined)!;
    expect(out).toEqual({ entry: 0.5, stop: 0.1, targets: [1, 2] });
    expect(out.targets).not.toBe(targets);
  });
});

describe('managedStop (break-even and trailing)', () => {
  const pos = (over: Partial<ManagedPosition> = {}): ManagedPosition => ({ side: 'long', entryPrice: 100, stop: 95, initialStop: 95, targetsHit: 0, breakEvenLocked: false, leverage: 3, ...over });

  it('moves a long to entry after the first target, once', () => {
    expect(managedStop(pos({ targetsHit: 1 }), 104, 10, 0.1)).toEqual({ stop: 100, change: 'break_even' });
    expect(managedStop(pos({ targetsHit: 1, breakEvenLocked: true }), 104, 10, 0.1)).toBeNull();
    expect(managedStop(pos({ targetsHit: 0 }), 104, 10, 0.1)).toBeNull();
  });

  it('trails one initial risk behind the close from the leverage threshold on, never loosening', () => {
    expect(managedStop(pos({ leverage: 10 }), 103.03, 10, 0.1)).toEqual({ stop: 98, change: 'trailing' });
    expect(managedStop(pos({ leverage: 10 }), 99, 10, 0.1)).toBeNull();
    expect(managedStop(pos({ leverage: 9.99 }), 103, 10, 0.1)).toBeNull();
    expect(managedStop(pos({ side: 'short', stop: 105, initialStop: 105, leverage: 10 }), 96.96, 10, 0.1)).toEqual({ stop: 102, change: 'trailing' });
  });

  it('takes the tighter of break-even and trailing (reported as break-even when that rule fired)', () => {
    expect(managedStop(pos({ targetsHit: 1, leverage: 20 }), 110, 10, 0.1)).toEqual({ stop: 105, change: 'break_even' });
    expect(managedStop(pos({ targetsHit: 1, leverage: 20 }), 102, 10, 0.1)).toEqual({ stop: 100, change: 'break_even' });
  });
});

describe('synthetic quote', () => {
  it('half a tick each side on half-tick decimals; the price itself without a tick', () => {
    expect([quoteBid(100, 0.1), quoteAsk(100, 0.1)]).toEqual([99.95, 100.05]);
    expect([quoteBid(0.12345, 0.0001), quoteAsk(0.12345, 0.0001)]).toEqual([0.1234, 0.1235]);
    expect([quoteBid(7, 0), quoteAsk(7, 0)]).toEqual([7, 7]);
  });
});

describe('FundingCursor answers like FundingStore.rateAt', () => {
  it('at every 15-minute close of the bundled funding files, and after a step back in time', () => {
    const dir = fileURLToPath(new URL('../../data/funding/', import.meta.url));
    let checked = 0;
    for (const sym of ['BTCUSDT', 'WIFUSDT', 'AAVEUSDT']) {
      const f = loadFundingFile(join(dir, `${sym}.csv`));
      const store = new FundingStore();
      store.set(sym, f.time.subarray(0, f.length), f.rate.subarray(0, f.length));
      const cur = new FundingCursor(f.time, f.rate, f.length);
      const first = f.time[0]!;
      const last = f.time[f.length - 1]!;
      // From a day before the first settlement to two days after the last (stale), every 15 minutes.
      for (let t = first - 86_400_000; t <= last + 2 * 86_400_000; t += 900_000) {
        expect(cur.at(t)).toBe(store.rateAt(sym, t));
        checked++;
      }
      const mid = f.time[f.length >> 1]!;
      expect(cur.at(mid - 1)).toBe(store.rateAt(sym, mid - 1));
      expect(cur.at(mid)).toBe(store.rateAt(sym, mid));
    }
    expect(checked).toBeGreaterThan(1000);
    expect(new FundingCursor(new Float64Array(0), new Float64Array(0), 0).at(1)).toBeNull();
  });
});
