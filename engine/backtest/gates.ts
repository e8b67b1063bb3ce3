import { meanSd } from './stats.ts';

/** The promotion gates (config STRATEGY_PROMOTE_MIN_TRADES, STRATEGY_PROMOTE_MIN_SHARPE; expectancy must be > 0). */
export interface StageGates {
  minTrades: number;
  minSharpe: number;
}

/** A gate verdict over a record of per-trade net returns (% of entry notional). */
export interface GateVerdict {
  pass: boolean;
  trades: number;
  /** Per-trade Sharpe (mean / sample sd), null with < 2 trades or zero spread. */
  sharpe: number | null;
  /** Mean net return per trade, %; null without trades. */
  expectancy: number | null;
  /** Why it fails (empty when it passes). */
  reasons: string[];
}

/**
 * Applies the gates to `returnsPct`: passes only with at least minTrades trades, a per-trade Sharpe
 * strictly above minSharpe and a strictly positive expectancy (so a record exactly AT a Sharpe or
 * expectancy threshold fails, and exactly minTrades trades is enough). Pure; never throws.
 */
export function evaluateGates(returnsPct: readonly number[], gates: StageGates): GateVerdict {
  const { mean, sd } = meanSd(returnsPct);
  const sharpe = mean !== null && sd !== null && sd > 0 ? mean / sd : null;
  const reasons: string[] = [];
  if (returnsPct.length < gates.minTrades) reasons.push(`${returnsPct.length} closed trades < ${gates.minTrades}`);
  if (sharpe === null || !(sharpe > gates.minSharpe)) reasons.push(`Sharpe ${sharpe === null ? 'n/a' : sharpe.toFixed(3)} ≤ ${gates.minSharpe}`);
  if (mean === null || !(mean > 0)) reasons.push(`expectancy ${mean === null ? 'n/a' : `${mean.toFixed(3)}%`} ≤ 0`);
  return { pass: reasons.length === 0, trades: returnsPct.length, sharpe, expectancy: mean, reasons };
}
