import { describe, expect, it } from 'vitest';
import { FundingSchedule, fundingPayment, maxDrawdownPct, perTradeSharpe, tradeRecord, tradeStats, type TradeRecord } from '../../engine/backtest/index.ts';

function trade(netPnl: number, notional: number, closedAt: number, over: Partial<TradeRecord> = {}): TradeRecord {
  // grossPnl chosen so that net = gross - fees - funding = netPnl with fees 1 and funding 0.5
  return tradeRecord({
    symbol: 'BTCUSDT',
    interval: '60',
    strategy: 's',
    side: 'long',
    openedAt: closedAt - 1,
    closedAt,
    entryPrice: notional,
    qty: 1,
    grossPnl: netPnl + 1.5,
    fees: 1,
    funding: 0.5,
    closeReason: 'stop',
    ...over,
  });
}

describe('funding arithmetic (hand-checked)', () => {
  it('a long pays qty × mark × rate on a positive rate, a short receives it', () => {
    // 0.5 BTC at 60 000 with 0.01 % → 3 USDT
    expect(fundingPayment('long', 0.5, 60_000, 0.0001)).toBeCloseTo(3, 12);
    expect(fundingPayment('short', 0.5, 60_000, 0.0001)).toBeCloseTo(-3, 12);
    // negative rate: shorts pay. 200 SOL at 150 with -0.0375 % → 11.25
    expect(fundingPayment('short', 200, 150, -0.000375)).toBeCloseTo(11.25, 12);
    expect(fundingPayment('long', 200, 150, -0.000375)).toBeCloseTo(-11.25, 12);
    expect(fundingPayment('long', 0, 150, 0.01)).toBe(0);
  });

  it('refuses non-finite or negative inputs', () => {
    expect(() => fundingPayment('long', -1, 100, 0.0001)).toThrow(RangeError);
    expect(() => fundingPayment('long', 1, Number.NaN, 0.0001)).toThrow(RangeError);
    expect(() => fundingPayment('long', 1, 100, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('the schedule hands out each settlement once, in (previous, t], skipping those at or before the start', () => {
    const s = new FundingSchedule([0, 8, 16, 24, 32], [0.1, 0.2, 0.3, 0.4, 0.5], 8);
    expect(s.due(15)).toEqual([]);
    expect(s.due(16)).toEqual([{ at: 16, rate: 0.3 }]);
    expect(s.due(16)).toEqual([]);
    expect(s.due(100)).toEqual([
      { at: 24, rate: 0.4 },
      { at: 32, rate: 0.5 },
    ]);
  });
});

describe('trade statistics (hand-checked)', () => {
  it('net PnL and PnL % come from gross, fees and funding', () => {
    const t = tradeRecord({ symbol: 'X', interval: '60', strategy: 's', side: 'long', openedAt: 0, closedAt: 1, entryPrice: 100, qty: 2, grossPnl: 10, fees: 0.22, funding: 0.05, closeReason: 'target' });
    expect(t.notional).toBe(200);
    expect(t.netPnl).toBeCloseTo(9.73, 12);
    expect(t.pnlPct).toBeCloseTo(4.865, 12);
  });

  it('per-trade Sharpe is mean / sample sd', () => {
    // returns 1, 2, 3: mean 2, sample sd 1 → 2
    expect(perTradeSharpe([1, 2, 3])).toBeCloseTo(2, 12);
    // 1, -1: mean 0 → 0
    expect(perTradeSharpe([1, -1])).toBe(0);
    expect(perTradeSharpe([5])).toBeNull();
    expect(perTradeSharpe([2, 2, 2])).toBeNull();
  });

  it('max drawdown is the worst fall from a peak, in % of that peak', () => {
    // 1000 → 1100 (peak) → 990 (−10 %) → 1200 → 1140 (−5 %)
    expect(maxDrawdownPct(1000, [100, -110, 210, -60])).toBeCloseTo(10, 12);
    expect(maxDrawdownPct(1000, [10, 20])).toBe(0);
    expect(() => maxDrawdownPct(0, [])).toThrow(RangeError);
  });

  it('groups: win rate, average, best, worst, expectancy, fees and funding over trades in close order', () => {
    const ts = [trade(20, 1000, 3), trade(-10, 1000, 1), trade(30, 2000, 2)];
    const s = tradeStats(ts, 1000);
    expect(s.trades).toBe(3);
    expect(s.winRate).toBeCloseTo((2 / 3) * 100, 12);
    // pct: -1 %, 1.5 %, 2 %
    expect(s.avgPnlPct).toBeCloseTo((-1 + 1.5 + 2) / 3, 12);
    expect(s.best).toBeCloseTo(2, 12);
    expect(s.worst).toBeCloseTo(-1, 12);
    expect(s.expectancy).toBeCloseTo(40 / 3, 12);
    expect(s.fees).toBe(3);
    expect(s.funding).toBe(1.5);
    expect(s.netPnl).toBeCloseTo(40, 12);
    // close order: -10 (1000 → 990), +30, +20: drawdown 1 %
    expect(s.maxDrawdownPct).toBeCloseTo(1, 12);
    const empty = tradeStats([], 1000);
    expect(empty).toMatchObject({ trades: 0, winRate: null, avgPnlPct: null, sharpe: null, expectancy: null, maxDrawdownPct: 0 });
  });
});
