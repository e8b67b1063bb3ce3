import type { Interval } from '../schemas.ts';
import type { DeskConfig } from '../config.ts';
import type { Strategy } from '../scan/strategy.ts';
import { ALL_STRATEGIES } from '../scan/all-strategies.ts';
import { DeskError } from '../errors.ts';
import { loadBacktestData } from './data.ts';
import { runDeskBacktest, type RunResult } from './desk-backtest.ts';
import { runFastBacktest } from './fast-desk.ts';
import { buildReport, type BacktestReport } from './report.ts';

/** What to backtest; unset fields come from the config (universe, intervals, data folders). */
export interface BacktestRequest {
  config: DeskConfig;
  symbols?: readonly string[];
  intervals?: readonly Interval[];
  /** Strategy names (default: every built-in strategy). */
  strategies?: readonly string[];
  from?: number;
  to?: number;
  dataDir?: string;
  fundingDir?: string;
  instrumentsFile?: string;
  /** Warm-up bars before the window (default config DESK_WARMUP_BARS). */
  warmupBars?: number;
  /** Progress over all runs: (bars done, bars total); must not throw. */
  onProgress?: (done: number, total: number) => void;
  /**
   * 'desk' (default): the real Desk per interval over in-memory SQLite; 'fast': runFastBacktest, the
   * same rules without SQLite (same trades, see test/backtest/fast-desk.test.ts), ~100× faster.
   */
  engine?: 'desk' | 'fast';
}

/** A finished backtest: the raw runs (one per interval) and the report built from them. */
export interface BacktestOutcome {
  runs: RunResult[];
  report: BacktestReport;
  /** Requested series or funding files that were not found (skipped). */
  missing: string[];
}

/** The built-in strategies called `names`; throws DeskError VALIDATION naming the first unknown one. */
export function pickStrategies(names: readonly string[] | undefined): Strategy[] {
  if (!names || names.length === 0) return [...ALL_STRATEGIES];
  return names.map((n) => {
    const s = ALL_STRATEGIES.find((x) => x.name === n);
    if (!s) throw new DeskError('VALIDATION', { field: 'strategy', reason: `unknown strategy ${n} (known: ${ALL_STRATEGIES.map((x) => x.name).join(', ')})` });
    return s;
  });
}

/**
 * Runs the backtest: loads the data, then one independent desk per interval (each its own paper
 * account of PAPER_START_EQUITY; see runDeskBacktest for the fill and funding model), in interval
 * order, and builds the report. Rejects with DeskError VALIDATION (unknown strategy, bad window),
 * CONFIG (no data) or whatever a malformed file raises.
 */
export async function runBacktest(req: BacktestRequest): Promise<BacktestOutcome> {
  const cfg = req.config;
  const strategies = pickStrategies(req.strategies);
  const intervals = [...new Set(req.intervals ?? cfg.DESK_INTERVALS)];
  const data = loadBacktestData({
    dataDir: req.dataDir ?? cfg.DESK_DATA_DIR,
    fundingDir: req.fundingDir ?? cfg.DESK_FUNDING_DIR,
    instrumentsFile: req.instrumentsFile,
    symbols: req.symbols ?? cfg.DESK_UNIVERSE,
    intervals,
    from: req.from,
    to: req.to,
    warmupBars: req.warmupBars ?? cfg.DESK_WARMUP_BARS,
  });
  const total = data.series.reduce((a, s) => a + (s.end - s.from), 0);
  let before = 0;
  const runs: RunResult[] = [];
  for (const interval of intervals) {
    if (!data.series.some((s) => s.interval === interval)) continue;
    const base = before;
    const run = { config: cfg, data, interval, strategies, onProgress: (d: number) => req.onProgress?.(base + d, total) };
    runs.push(req.engine === 'fast' ? runFastBacktest(run) : await runDeskBacktest(run));
    before += runs[runs.length - 1]!.bars;
  }
  return { runs, report: buildReport(runs, strategies.map((s) => s.name)), missing: data.missing };
}
