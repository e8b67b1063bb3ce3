import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../engine/schemas.ts';
import { scoreCandidate } from '../../engine/scan/score.ts';
import { classifyRegime, REGIMES } from '../../engine/scan/regime.ts';
import type { Regime } from '../../engine/scan/regime.ts';
import { featureSeries } from './real-features.ts';
import { loadFunding } from './data.ts';

describe('score and regime on real bars', () => {
  it('every bar of real series scores 8 parts in 0..10 on both sides and styles (cold bars included)', () => {
    for (const [symbol, interval] of [['WIFUSDT', '60'], ['ETHUSDT', 'D']] as const) {
      const funding = loadFunding(symbol);
      for (const f of featureSeries(symbol, interval)) {
        for (const side of ['long', 'short'] as const) {
          for (const style of ['reversion', 'momentum'] as const) {
            const r = scoreCandidate(f, side, funding.at(f.start), style);
            expect(r.parts.map((p) => p.name)).toEqual([...METRIC_NAMES]);
            for (const p of r.parts) {
              expect(p.score).toBeGreaterThanOrEqual(0);
              expect(p.score).toBeLessThanOrEqual(10);
            }
            expect(r.score).toBeGreaterThanOrEqual(0);
            expect(r.score).toBeLessThanOrEqual(10);
          }
        }
      }
    }
  });

  it('every regime occurs on a real 4h series and the range regime is the most common', () => {
    const counts = new Map<Regime, number>();
    for (const f of featureSeries('BTCUSDT', '240')) {
      if (f.bars < 220) continue;
      const r = classifyRegime(f);
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    for (const r of REGIMES) expect(counts.get(r) ?? 0, r).toBeGreaterThan(20);
    const range = counts.get('range')!;
    for (const r of REGIMES) expect(range).toBeGreaterThanOrEqual(counts.get(r) ?? 0);
  });
});
