import { describe, expect, it } from 'vitest';
import { intervalMs, barCloseTime } from '../../engine/scan/interval.ts';
import { inSession, sessionsAt, sessionAllowed, utcHour } from '../../engine/scan/session.ts';
import { levelsValid, rewardRisk, riskMultipleTargets, atrStop } from '../../engine/scan/levels.ts';
import { veto, VETO_REASONS } from '../../engine/scan/veto.ts';
import { classifyRegime } from '../../engine/scan/regime.ts';
import type { Candidate } from '../../engine/scan/strategy.ts';
import { isDeskError } from '../../engine/errors.ts';
import { neutralFeatures } from './features-fixture.ts';

const long: Candidate = { strategy: 'x', side: 'long', entry: 100, stop: 95, targets: [104, 110], reason: 'r' };
const short: Candidate = { strategy: 'x', side: 'short', entry: 100, stop: 105, targets: [96, 90], reason: 'r' };

describe('interval', () => {
  it('maps every traded interval to its length', () => {
    expect(intervalMs('5')).toBe(300_000);
    expect(intervalMs('15')).toBe(900_000);
    expect(intervalMs('60')).toBe(3_600_000);
    expect(intervalMs('240')).toBe(14_400_000);
    expect(intervalMs('D')).toBe(86_400_000);
    expect(barCloseTime(1_000, '60')).toBe(3_601_000);
  });
  it('refuses an unknown interval with VALIDATION naming the field', () => {
    for (const bad of ['1', 'W', 'toString', '__proto__', '']) {
      try {
        intervalMs(bad);
        expect.unreachable();
      } catch (e) {
        expect(isDeskError(e, 'VALIDATION')).toBe(true);
        expect((e as { detail: { field: string } }).detail.field).toBe('interval');
      }
    }
  });
});

describe('sessions (UTC)', () => {
  const at = (h: number, m = 0) => Date.UTC(2024, 4, 6, h, m);
  it('asia 00-08, europe 07-16, us 13-21 with overlaps, nothing 21-24', () => {
    expect(sessionsAt(at(0))).toEqual(['asia']);
    expect(sessionsAt(at(7, 30))).toEqual(['asia', 'europe']);
    expect(sessionsAt(at(8))).toEqual(['europe']);
    expect(sessionsAt(at(13))).toEqual(['europe', 'us']);
    expect(sessionsAt(at(15, 59))).toEqual(['europe', 'us']);
    expect(sessionsAt(at(16))).toEqual(['us']);
    expect(sessionsAt(at(20, 59))).toEqual(['us']);
    expect(sessionsAt(at(21))).toEqual([]);
    expect(sessionsAt(at(23, 59))).toEqual([]);
    expect(utcHour(at(23, 59))).toBe(23);
    expect(inSession('asia', NaN)).toBe(false);
  });
  it('an empty or absent allowlist allows any hour', () => {
    expect(sessionAllowed(undefined, at(22))).toBe(true);
    expect(sessionAllowed([], at(22))).toBe(true);
    expect(sessionAllowed(['europe', 'us'], at(22))).toBe(false);
    expect(sessionAllowed(['europe', 'us'], at(10))).toBe(true);
  });
});

describe('levels', () => {
  it('accepts stops on the losing side and targets ordered away on the winning side', () => {
    expect(levelsValid(long)).toBe(true);
    expect(levelsValid(short)).toBe(true);
    expect(rewardRisk(long)).toBe(2);
    expect(rewardRisk(short)).toBe(2);
  });
  it('rejects every broken geometry', () => {
    const bad: Candidate[] = [
      { ...long, stop: 101 },
      { ...long, stop: 100 },
      { ...long, targets: [99] },
      { ...long, targets: [110, 104] },
      { ...long, targets: [104, 104] },
      { ...long, targets: [] },
      { ...long, targets: [101, 102, 103, 104] },
      { ...long, entry: NaN },
      { ...long, stop: -1 },
      { ...long, targets: [Infinity] },
      { ...short, stop: 99 },
      { ...short, targets: [101] },
      { ...short, targets: [90, 96] },
      { ...short, targets: [96, -1] },
    ];
    for (const c of bad) expect(levelsValid(c)).toBe(false);
  });
  it('builds ATR stops beyond the bar extreme and R-multiple targets', () => {
    expect(atrStop('long', 100, 99, 2, 1.5, 0.25)).toBe(97);
    expect(atrStop('long', 100, 96, 2, 1.5, 0.25)).toBe(95.5);
    expect(atrStop('short', 100, 104, 2, 1.5, 0.25)).toBe(104.5);
    expect(riskMultipleTargets('short', 100, 104, [1, 2])).toEqual([96, 92]);
  });
});

describe('veto', () => {
  const strategy = { regimes: ['range'] as const, sessions: ['europe'] as const };
  const base = { candidate: long, strategy, score: 6, regime: 'range' as const, now: Date.UTC(2024, 0, 2, 10), threshold: 5.5 };
  it('lets a good candidate through', () => {
    expect(veto(base)).toBeNull();
  });
  it('drops below the threshold (and a NaN score)', () => {
    expect(veto({ ...base, score: 5.49 })).toBe('threshold');
    expect(veto({ ...base, score: 5.5 })).toBeNull();
    expect(veto({ ...base, score: NaN })).toBe('threshold');
    expect(veto({ ...base, score: 7, threshold: 7.5 })).toBe('threshold');
  });
  it('drops outside the strategy regimes', () => {
    expect(veto({ ...base, regime: 'trend-down' })).toBe('regime');
    expect(veto({ ...base, regime: 'high-vol' })).toBe('regime');
  });
  it('drops outside the session allowlist and allows any hour without one', () => {
    expect(veto({ ...base, now: Date.UTC(2024, 0, 2, 3) })).toBe('session');
    expect(veto({ ...base, now: Date.UTC(2024, 0, 2, 3), strategy: { regimes: ['range'] } })).toBeNull();
  });
  it('drops broken levels and thin reward-to-risk', () => {
    expect(veto({ ...base, candidate: { ...long, stop: 101 } })).toBe('levels');
    expect(veto({ ...base, candidate: { ...long, targets: [102] } })).toBe('reward-risk');
    expect(veto({ ...base, candidate: { ...long, targets: [102] }, minRewardRisk: 0.4 })).toBeNull();
  });
  it('reports the first failing rule in a stable order', () => {
    expect(VETO_REASONS).toEqual(['levels', 'regime', 'session', 'reward-risk', 'threshold']);
    expect(veto({ ...base, regime: 'trend-up', score: 1, now: Date.UTC(2024, 0, 2, 3) })).toBe('regime');
  });
});

describe('regime', () => {
  it('classifies range, trends and high volatility from ADX, EMA200 slope and bandwidth', () => {
    expect(classifyRegime(neutralFeatures())).toBe('range');
    expect(classifyRegime(neutralFeatures({ adx14: 35, ema200Slope: 2, atrPct: 2, plusDi: 30, minusDi: 10 }))).toBe('trend-up');
    expect(classifyRegime(neutralFeatures({ adx14: 35, ema200Slope: -2, atrPct: 2, plusDi: 10, minusDi: 30 }))).toBe('trend-down');
    // strong ADX but DIs disagree with the slope: not a clean trend
    expect(classifyRegime(neutralFeatures({ adx14: 35, ema200Slope: 2, atrPct: 2, plusDi: 10, minusDi: 30 }))).toBe('range');
    expect(classifyRegime(neutralFeatures({ bandwidth: 0.2, bandwidthMin120: 0.04 }))).toBe('high-vol');
    expect(classifyRegime(neutralFeatures({ adx14: NaN, bandwidth: NaN }))).toBe('range');
  });
});
