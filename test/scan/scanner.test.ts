import { describe, expect, it } from 'vitest';
import { Scanner, scannerOptionsFromConfig } from '../../engine/scan/scanner.ts';
import type { SignalDraft, VetoRecord } from '../../engine/scan/scanner.ts';
import { ALL_STRATEGIES, strategyByName } from '../../engine/scan/all-strategies.ts';
import { intervalMs } from '../../engine/scan/interval.ts';
import { sessionAllowed } from '../../engine/scan/session.ts';
import { METRIC_NAMES, SignalSchema } from '../../engine/schemas.ts';
import type { Interval } from '../../engine/schemas.ts';
import type { Strategy } from '../../engine/scan/strategy.ts';
import { testConfig } from '../../engine/config.ts';
import { isDeskError } from '../../engine/errors.ts';
import { loadBars, loadFunding } from './data.ts';

const ALL_NAMES = ALL_STRATEGIES.map((s) => s.name);

/** Streams a bundled series through `scanner.onBar` with funding in force at each bar close; returns drafts per bar. */
function stream(scanner: Scanner, symbol: string, interval: Interval, from = 0, to?: number): { now: number; drafts: SignalDraft[] }[] {
  const funding = loadFunding(symbol);
  const bars = loadBars(symbol, interval).slice(from, to);
  const step = intervalMs(interval);
  return bars.map((b) => {
    const now = b.start + step;
    return { now, drafts: scanner.onBar(b, funding.at(now), now) };
  });
}

function expectDraftSane(d: SignalDraft, now: number, threshold: number, ttlBars: number, live: readonly string[]): void {
  const dir = d.side === 'long' ? 1 : -1;
  expect((d.entry - d.stop) * dir).toBeGreaterThan(0);
  let prev = d.entry;
  for (const t of d.targets) {
    expect((t - prev) * dir).toBeGreaterThan(0);
    prev = t;
  }
  expect(d.targets.length).toBeGreaterThanOrEqual(1);
  expect(d.targets.length).toBeLessThanOrEqual(3);
  expect(d.score).toBeGreaterThanOrEqual(threshold);
  expect(d.score).toBeLessThanOrEqual(10);
  expect(d.scoreParts.map((p) => p.name)).toEqual([...METRIC_NAMES]);
  expect(d.expiresAt).toBe(now + ttlBars * intervalMs(d.interval));
  expect(d.barTime + intervalMs(d.interval)).toBe(now);
  expect(d.stage).toBe(live.includes(d.strategy) ? 'live' : 'shadow');
  const strat = strategyByName(d.strategy)!;
  expect(strat.regimes as readonly string[]).toContain(d.regime);
  expect(strat.intervals).toContain(d.interval);
  expect(sessionAllowed(strat.sessions, now)).toBe(true);
  expect(Math.abs(d.targets[d.targets.length - 1] - d.entry)).toBeGreaterThanOrEqual(Math.abs(d.entry - d.stop) - 1e-9);
  expect(typeof d.reason).toBe('string');
  expect(d.reason.length).toBeGreaterThan(10);
  expect(JSON.parse(JSON.stringify(d)).reason).toBe(d.reason);
  expect({ ...d }.reason).toBe(d.reason);
  // The desk turns a draft into a Signal by adding id, status and createdAt.
  const parsed = SignalSchema.safeParse({ ...d, id: 'sig-1', status: 'live', createdAt: now });
  expect(parsed.success).toBe(true);
}

describe('Scanner', () => {
  it('property: over whole real series every draft has stop/targets on the right sides, score ≥ threshold and a valid Signal shape', () => {
    const live = ['bb-grid-long', 'rsi-bb-reversion'];
    const counts = new Map<string, number>();
    for (const [symbol, interval, threshold] of [
      ['BTCUSDT', '240', 5.5],
      ['SOLUSDT', '240', 5.5],
      ['WIFUSDT', '60', 6.5],
      ['ETHUSDT', '15', 5.5],
      ['BNBUSDT', 'D', 5.5],
    ] as const) {
      const scanner = new Scanner({ threshold, liveStrategies: live, ttlBars: 3 });
      for (const { now, drafts } of stream(scanner, symbol, interval)) {
        const keys = new Set<string>();
        for (const d of drafts) {
          expect(d.symbol).toBe(symbol);
          expect(d.interval).toBe(interval);
          expectDraftSane(d, now, threshold, 3, live);
          const k = `${d.side}/${d.strategy}`;
          expect(keys.has(k)).toBe(false);
          keys.add(k);
          counts.set(d.strategy, (counts.get(d.strategy) ?? 0) + 1);
        }
        for (let i = 1; i < drafts.length; i++) expect(drafts[i - 1].score).toBeGreaterThanOrEqual(drafts[i].score);
      }
    }
    // every strategy survives the veto somewhere in these five real series
    for (const name of ALL_NAMES) expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });

  it('onBar and scanNow agree on the same features, funding and time', () => {
    const scanner = new Scanner({ liveStrategies: ALL_NAMES });
    const funding = loadFunding('BTCUSDT');
    let compared = 0;
    for (const bar of loadBars('BTCUSDT', '240')) {
      const now = bar.start + 4 * 3_600_000;
      const drafts = scanner.onBar(bar, funding.at(now), now);
      const again = scanner.scanNow(['BTCUSDT'], ['240'], (sym, at) => (sym === 'BTCUSDT' ? funding.at(at) : null), now);
      expect(again).toEqual(drafts);
      compared += drafts.length;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('warm() then onBar gives the same drafts as streaming every bar from the start', () => {
    const bars = loadBars('ETHUSDT', '240');
    const a = new Scanner();
    const b = new Scanner();
    const full = stream(a, 'ETHUSDT', '240');
    b.warm('ETHUSDT', '240', bars.slice(0, 1500));
    const tail = stream(b, 'ETHUSDT', '240', 1500);
    expect(tail).toEqual(full.slice(1500));
    expect(b.features('ETHUSDT', '240')).toEqual(a.features('ETHUSDT', '240'));
  });

  it('ignores a duplicate or older bar (replayed after a reconnect) without touching the series', () => {
    const scanner = new Scanner();
    const bars = loadBars('BTCUSDT', '240').slice(0, 400);
    scanner.warm('BTCUSDT', '240', bars);
    const before = scanner.features('BTCUSDT', '240');
    expect(scanner.onBar(bars[399], null, bars[399].start + 4 * 3_600_000)).toEqual([]);
    expect(scanner.onBar(bars[10], null, bars[399].start)).toEqual([]);
    expect(scanner.features('BTCUSDT', '240')).toEqual(before);
    expect(scanner.list()).toEqual([{ symbol: 'BTCUSDT', interval: '240', bars: 400, lastStart: bars[399].start }]);
  });

  it('emits nothing before the warm-up (minBars) is reached', () => {
    const scanner = new Scanner({ threshold: 0, minRewardRisk: 0 });
    const out = stream(scanner, 'SOLUSDT', '240', 0, 199);
    expect(out.every((x) => x.drafts.length === 0)).toBe(true);
  });

  it('warm() refuses foreign, non-finite or unordered bars with VALIDATION and keeps the old state', () => {
    const scanner = new Scanner();
    const bars = loadBars('BTCUSDT', '240').slice(0, 300);
    scanner.warm('BTCUSDT', '240', bars);
    const before = scanner.features('BTCUSDT', '240');
    const bad = [
      bars.map((b, i) => (i === 5 ? { ...b, symbol: 'ETHUSDT' } : b)),
      bars.map((b, i) => (i === 5 ? { ...b, interval: '60' as const } : b)),
      bars.map((b, i) => (i === 5 ? { ...b, close: NaN } : b)),
      [...bars.slice(0, 10), bars[3], ...bars.slice(10)],
    ];
    for (const series of bad) {
      let err: unknown;
      try {
        scanner.warm('BTCUSDT', '240', series);
      } catch (e) {
        err = e;
      }
      expect(isDeskError(err, 'VALIDATION')).toBe(true);
    }
    expect(scanner.features('BTCUSDT', '240')).toEqual(before);
    expect(() => scanner.onBar({ ...bars[0], start: bars[299].start + 1, high: Infinity }, null, 0)).toThrow(/VALIDATION/);
    expect(() => scanner.onBar({ ...bars[0], interval: 'W' as unknown as Interval }, null, 0)).toThrow();
    expect(scanner.list().length).toBe(1);
  });

  it('never returns two drafts for one symbol/side/strategy in a call (best score wins) but does not dedupe across calls', () => {
    // An injected strategy that always fires long: on two intervals of one symbol it would be a duplicate.
    const always: Strategy = {
      name: 'always-long',
      sides: ['long'],
      intervals: ['60', '240'],
      regimes: ['range', 'high-vol', 'trend-up', 'trend-down'],
      evaluate: (f) => ({ strategy: 'always-long', side: 'long', entry: f.close, stop: f.close * 0.9, targets: [f.close * 1.2], reason: 'test' }),
    };
    const scanner = new Scanner({ threshold: 0, strategies: [always] });
    scanner.warm('BTCUSDT', '60', loadBars('BTCUSDT', '60').slice(0, 500));
    scanner.warm('BTCUSDT', '240', loadBars('BTCUSDT', '240').slice(0, 500));
    scanner.warm('ETHUSDT', '240', loadBars('ETHUSDT', '240').slice(0, 500));
    const now = Date.UTC(2025, 0, 1);
    const first = scanner.scanNow(null, null, () => null, now);
    expect(first.map((d) => d.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    const btc = first.find((d) => d.symbol === 'BTCUSDT')!;
    const both = [scanner.scanNow(['BTCUSDT'], ['60'], () => null, now)[0], scanner.scanNow(['BTCUSDT'], ['240'], () => null, now)[0]];
    expect(btc.score).toBe(Math.max(both[0].score, both[1].score));
    expect(scanner.scanNow(null, null, () => null, now)).toEqual(first);
    expect(scanner.scanNow(['XRPUSDT'], null, () => null, now)).toEqual([]);
    expect(scanner.scanNow(null, ['D'], () => null, now)).toEqual([]);
  });

  it('stage follows the live list; threshold, regime and session vetoes are reported with their reason', () => {
    const vetoes: VetoRecord[] = [];
    const scanner = new Scanner({ threshold: 6.5, liveStrategies: ['bb-grid-short'], onVeto: (v) => vetoes.push(v) });
    const drafts = stream(scanner, 'BTCUSDT', '240').flatMap((x) => x.drafts);
    expect(drafts.some((d) => d.stage === 'live')).toBe(true);
    expect(drafts.some((d) => d.stage === 'shadow')).toBe(true);
    for (const d of drafts) expect(d.stage).toBe(d.strategy === 'bb-grid-short' ? 'live' : 'shadow');
    const reasons = new Set(vetoes.map((v) => v.reason));
    for (const r of ['threshold', 'regime', 'session']) expect(reasons).toContain(r);
    for (const v of vetoes) {
      if (v.reason === 'threshold') expect(v.score).toBeLessThan(6.5);
      if (v.reason === 'regime') expect(strategyByName(v.strategy)!.regimes as readonly string[]).not.toContain(v.regime);
      if (v.reason === 'session') expect(sessionAllowed(strategyByName(v.strategy)!.sessions, v.barTime + 4 * 3_600_000)).toBe(false);
    }
  });

  it('only runs enabled strategies on their intervals, and isolates a strategy that throws', () => {
    const errors: string[] = [];
    const broken: Strategy = {
      name: 'broken',
      sides: ['long'],
      intervals: ['240'],
      regimes: ['range'],
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const grid = strategyByName('bb-grid-long')!;
    const scanner = new Scanner({ strategies: [broken, grid], onStrategyError: (name) => errors.push(name), onVeto: () => { throw new Error('listener bug'); } });
    const drafts = stream(scanner, 'BTCUSDT', '240').flatMap((x) => x.drafts);
    expect(drafts.length).toBeGreaterThan(0);
    expect(new Set(drafts.map((d) => d.strategy))).toEqual(new Set(['bb-grid-long']));
    expect(errors.length).toBeGreaterThan(1000);
    expect(new Set(errors)).toEqual(new Set(['broken']));
    // bb-grid-long does not run on 5-minute bars
    const five = new Scanner({ strategies: [grid], threshold: 0 });
    const bars = loadBars('BTCUSDT', '15').map((b) => ({ ...b, interval: '5' as const }));
    five.warm('BTCUSDT', '5', bars.slice(0, 1000));
    expect(five.scanNow(null, null, () => null, 0)).toEqual([]);
  });

  it('a strategy that returns broken levels (wrong-side stop, NaN, targets out of order) never becomes a draft', () => {
    const vetoes: VetoRecord[] = [];
    let k = 0;
    const liar: Strategy = {
      name: 'liar',
      sides: ['long', 'short'],
      intervals: ['240'],
      regimes: ['range', 'high-vol', 'trend-up', 'trend-down'],
      evaluate: (f) => {
        const e = f.close;
        const variants = [
          { side: 'long' as const, entry: e, stop: e * 1.01, targets: [e * 1.05] },
          { side: 'short' as const, entry: e, stop: e * 0.99, targets: [e * 0.95] },
          { side: 'long' as const, entry: e, stop: NaN, targets: [e * 1.05] },
          { side: 'long' as const, entry: e, stop: e * 0.95, targets: [e * 1.1, e * 1.05] },
          { side: 'short' as const, entry: e, stop: e * 1.05, targets: [e * 0.9, e * 0.8, e * 0.7, e * 0.6] },
          { side: 'long' as const, entry: e, stop: e * 0.95, targets: [] },
          { side: 'long' as const, entry: -e, stop: -e * 1.1, targets: [e] },
        ];
        return { strategy: 'liar', reason: 'x', ...variants[k++ % variants.length] };
      },
    };
    const scanner = new Scanner({ threshold: 0, strategies: [liar], onVeto: (v) => vetoes.push(v) });
    const drafts = stream(scanner, 'BTCUSDT', '240').flatMap((x) => x.drafts);
    expect(drafts).toEqual([]);
    expect(vetoes.length).toBeGreaterThan(1000);
    expect(new Set(vetoes.map((v) => v.reason))).toEqual(new Set(['levels']));
  });

  it('takes its options from the desk config and refuses bad ones with CONFIG', () => {
    const cfg = testConfig({ DESK_SCORE_THRESHOLD: '7', DESK_LIVE_STRATEGIES: 'bb-grid-long', DESK_SIGNAL_TTL_BARS: '5' });
    expect(scannerOptionsFromConfig(cfg)).toEqual({ threshold: 7, liveStrategies: ['bb-grid-long'], ttlBars: 5 });
    const scanner = new Scanner(scannerOptionsFromConfig(cfg));
    expect(scanner.stageOf('bb-grid-long')).toBe('live');
    expect(scanner.stageOf('funding-fade')).toBe('shadow');
    for (const t of stream(scanner, 'SOLUSDT', '240')) for (const d of t.drafts) expectDraftSane(d, t.now, 7, 5, ['bb-grid-long']);
    const bad = [{ threshold: 11 }, { threshold: NaN }, { ttlBars: 0 }, { ttlBars: 1.5 }, { minBars: 0 }, { minRewardRisk: -1 }, { strategies: [ALL_STRATEGIES[0], ALL_STRATEGIES[0]] }];
    for (const o of bad) expect(() => new Scanner(o)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  it('drop() forgets series', () => {
    const scanner = new Scanner();
    scanner.warm('BTCUSDT', '240', loadBars('BTCUSDT', '240').slice(0, 10));
    scanner.warm('BTCUSDT', '60', loadBars('BTCUSDT', '60').slice(0, 10));
    scanner.warm('ETHUSDT', '240', loadBars('ETHUSDT', '240').slice(0, 10));
    expect(scanner.drop('BTCUSDT', '60')).toBe(1);
    expect(scanner.drop('BTCUSDT')).toBe(1);
    expect(scanner.drop('NOPEUSDT')).toBe(0);
    expect(scanner.list().map((s) => `${s.symbol}-${s.interval}`)).toEqual(['ETHUSDT-240']);
    expect(scanner.features('BTCUSDT', '240')).toBeNull();
  });
});
