import type { TradeRecord } from './trade.ts';
import { byClose } from './trade.ts';

/** The report row of one group of trades (a symbol, a strategy, or everything). */
export interface TradeStats {
  trades: number;
  /** % of trades with netPnl > 0; null without trades. */
  winRate: number | null;
  /** Mean pnlPct (net, % of entry notional); null without trades. */
  avgPnlPct: number | null;
  /** Best and worst pnlPct; null without trades. */
  best: number | null;
  worst: number | null;
  /**
   * Largest peak-to-trough fall, in % of the peak, of `startEquity` + the cumulative netPnl of these
   * trades taken in close order (0 when it never falls).
   */
  maxDrawdownPct: number;
  /** Per-trade Sharpe: mean / sample standard deviation of pnlPct; null with < 2 trades or zero spread. */
  sharpe: number | null;
  /** Mean netPnl per trade (USDT); null without trades. */
  expectancy: number | null;
  /** Sum of trading fees (USDT). */
  fees: number;
  /** Sum of funding paid (USDT; negative = received). */
  funding: number;
  /** Sum of netPnl (USDT). */
  netPnl: number;
}

/** Mean and sample standard deviation (n − 1) of `xs`; sd is null for fewer than two values. */
export function meanSd(xs: readonly number[]): { mean: number | null; sd: number | null } {
  const n = xs.length;
  if (n === 0) return { mean: null, sd: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n < 2) return { mean, sd: null };
  let sq = 0;
  for (const x of xs) sq += (x - mean) ** 2;
  return { mean, sd: Math.sqrt(sq / (n - 1)) };
}

/** Per-trade Sharpe of `returns` (mean / sample sd); null for < 2 values or zero spread; never throws. */
export function perTradeSharpe(returns: readonly number[]): number | null {
  const { mean, sd } = meanSd(returns);
  return mean === null || sd === null || !(sd > 0) ? null : mean / sd;
}

/**
 * Largest peak-to-trough fall in % of the peak of the equity path start, start + pnl[0], ...;
 * 0 when it never falls; throws RangeError on a non-positive start.
 */
export function maxDrawdownPct(startEquity: number, pnls: readonly number[]): number {
  if (!(startEquity > 0)) throw new RangeError('startEquity must be > 0');
  let eq = startEquity;
  let peak = startEquity;
  let worst = 0;
  for (const p of pnls) {
    eq += p;
    if (eq > peak) peak = eq;
    const dd = peak > 0 ? ((peak - eq) / peak) * 100 : 0;
    if (dd > worst) worst = dd;
  }
  return worst;
}

/**
 * The statistics of `trades` (any order: they are sorted by close time for the drawdown path);
 * throws RangeError on a non-positive startEquity.
 */
export function tradeStats(trades: readonly TradeRecord[], startEquity: number): TradeStats {
  const sorted = [...trades].sort(byClose);
  const pct = sorted.map((t) => t.pnlPct);
  const net = sorted.map((t) => t.netPnl);
  const n = sorted.length;
  let fees = 0;
  let funding = 0;
  let total = 0;
  let wins = 0;
  for (const t of sorted) {
    fees += t.fees;
    funding += t.funding;
    total += t.netPnl;
    if (t.netPnl > 0) wins++;
  }
  return {
    trades: n,
    winRate: n > 0 ? (wins / n) * 100 : null,
    avgPnlPct: meanSd(pct).mean,
    best: n > 0 ? Math.max(...pct) : null,
    worst: n > 0 ? Math.min(...pct) : null,
    maxDrawdownPct: maxDrawdownPct(startEquity, net),
    sharpe: perTradeSharpe(pct),
    expectancy: meanSd(net).mean,
    fees,
    funding,
    netPnl: total,
  };
}
