import { describe, expect, it } from 'vitest';
import { TickerCache } from '../../engine/bybit/ticker-cache.ts';
import { nextTickerPollAt } from '../../engine/bybit/market-feed.ts';

const row = (over: Record<string, string> = {}) => ({
  symbol: 'BTCUSDT',
  lastPrice: '100.5',
  markPrice: '100.4',
  indexPrice: '100.3',
  bid1Price: '100.4',
  ask1Price: '100.6',
  turnover24h: '123456.7',
  fundingRate: '0.0001',
  nextFundingTime: '1700006400000',
  fundingIntervalHour: '8',
  ...over,
});

describe('ticker cache (REST rows)', () => {
  it('stores a row whole, stamped with when it was asked for', () => {
    const c = new TickerCache();
    c.apply(row(), 1_000, 1);
    expect(c.quote('BTCUSDT')).toEqual({ symbol: 'BTCUSDT', bid: 100.4, ask: 100.6, last: 100.5, mark: 100.4, ts: 1_000, source: 'bybit' });
    expect(c.get('BTCUSDT')).toMatchObject({ turnover24h: 123456.7, fundingRate: 0.0001, nextFundingTime: 1700006400000, fundingIntervalMs: 8 * 3_600_000 });
    expect(c.funding('BTCUSDT', 1700006400000 - 3_600_000)).toBe(0.0001);
    expect(c.funding('BTCUSDT', 1700006400000 + 2 * 86_400_000)).toBeNull();
  });

  it('an empty bid or ask in a newer row means no quote, not the old price', () => {
    const c = new TickerCache();
    c.apply(row(), 1_000, 1);
    c.apply(row({ bid1Price: '', ask1Price: '' }), 2_000, 2);
    expect(c.quote('BTCUSDT')).toBeNull();
    expect(c.get('BTCUSDT')!.last).toBe(100.5);
  });

  it('a row of an earlier request answered late does not replace a newer one, whatever the clock says', () => {
    const c = new TickerCache();
    c.apply(row({ lastPrice: '101', bid1Price: '100.9', ask1Price: '101.1' }), 5_000, 7); // one-symbol ask, answered first
    c.apply(row({ lastPrice: '99' }), 4_000, 6); // the snapshot asked before it
    expect(c.quote('BTCUSDT')!.last).toBe(101);
    c.apply(row({ lastPrice: '102', bid1Price: '101.9', ask1Price: '102.1' }), 3_000, 8); // clock stepped back: order by request
    expect(c.quote('BTCUSDT')).toMatchObject({ last: 102, ts: 3_000 });
  });

  it('ignores rows without a symbol and fields that are not numbers', () => {
    const c = new TickerCache();
    c.apply({ lastPrice: '1' }, 1, 1);
    c.apply(row({ symbol: 'ETHUSDT', markPrice: 'abc' }), 1, 1);
    expect(c.get('ETHUSDT')!.mark).toBe(0);
    expect(c.quote('ETHUSDT')).toBeNull();
  });
});

describe('ticker snapshot schedule', () => {
  const MIN = 60_000;
  it('polls 7.5 s off the minute grid for periods that divide a minute or are whole minutes', () => {
    for (const period of [10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000]) {
      let t = 1_700_000_000_000 - (1_700_000_000_000 % MIN) + 123;
      for (let i = 0; i < 50; i++) {
        const next = nextTickerPollAt(t, period);
        expect(next).toBeGreaterThan(t);
        expect(next - t).toBeLessThanOrEqual(period);
        const off = next % MIN;
        expect(Math.min(off, MIN - off)).toBeGreaterThanOrEqual(Math.min(period / 2, 7_500));
        t = next;
      }
    }
  });

  it('a poll due exactly now is scheduled one period later, never twice at once', () => {
    const t = nextTickerPollAt(1_700_000_000_000, 15_000);
    expect(nextTickerPollAt(t, 15_000)).toBe(t + 15_000);
  });
});
