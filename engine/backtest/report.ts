import type { RunResult } from './desk-backtest.ts';
import type { TradeRecord } from './trade.ts';
import { tradeStats, type TradeStats } from './stats.ts';
import { byClose } from './trade.ts';

/** One report row: a group name and its statistics. */
export interface ReportRow extends TradeStats {
  name: string;
}

/** The backtest report: per run (interval), per symbol, per strategy and in total; JSON-safe and rounded. */
export interface BacktestReport {
  runs: {
    interval: string;
    symbols: string[];
    from: string;
    to: string;
    bars: number;
    signals: number;
    trades: number;
    startEquity: number;
    endEquity: number;
    refusals: Record<string, number>;
  }[];
  bySymbol: ReportRow[];
  byStrategy: ReportRow[];
  total: ReportRow;
  trades: (Omit<TradeRecord, 'openedAt' | 'closedAt'> & { openedAt: string; closedAt: string })[];
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r4n = (x: number | null) => (x === null ? null : r4(x));
const iso = (t: number) => new Date(t).toISOString();

function row(name: string, trades: TradeRecord[], startEquity: number): ReportRow {
  const s = tradeStats(trades, startEquity);
  return {
    name,
    trades: s.trades,
    winRate: r4n(s.winRate),
    avgPnlPct: r4n(s.avgPnlPct),
    best: r4n(s.best),
    worst: r4n(s.worst),
    maxDrawdownPct: r4(s.maxDrawdownPct),
    sharpe: r4n(s.sharpe),
    expectancy: r4n(s.expectancy),
    fees: r4(s.fees),
    funding: r4(s.funding),
    netPnl: r4(s.netPnl),
  };
}

function groups(trades: TradeRecord[], key: (t: TradeRecord) => string, names: readonly string[], startEquity: number): ReportRow[] {
  return [...names].sort().map((n) => row(n, trades.filter((t) => key(t) === n), startEquity));
}

/**
 * Builds the report of `runs`: every run's trades pooled, grouped per symbol (every traded symbol) and
 * per strategy (every enabled one, even without trades); drawdowns are taken on `startEquity` per run
 * for a symbol or strategy and on the sum of the runs' start equity in total. Deterministic; never throws
 * for runs with a positive start equity.
 */
export function buildReport(runs: readonly RunResult[], strategyNames: readonly string[]): BacktestReport {
  const trades = runs.flatMap((r) => r.trades).sort(byClose);
  const unit = runs[0]?.startEquity ?? 1;
  const symbols = [...new Set(runs.flatMap((r) => r.symbols))];
  return {
    runs: runs.map((r) => ({
      interval: r.interval,
      symbols: r.symbols,
      from: iso(r.from),
      to: iso(r.to),
      bars: r.bars,
      signals: r.signals,
      trades: r.trades.length,
      startEquity: r4(r.startEquity),
      endEquity: r4(r.endEquity),
      refusals: Object.fromEntries(Object.entries(r.refusals).sort(([a], [b]) => (a < b ? -1 : 1))),
    })),
    bySymbol: groups(trades, (t) => t.symbol, symbols, unit),
    byStrategy: groups(trades, (t) => t.strategy, strategyNames, unit),
    total: row('TOTAL', trades, runs.reduce((a, r) => a + r.startEquity, 0) || 1),
    trades: trades.map((t) => ({
      ...t,
      entryPrice: r4(t.entryPrice),
      notional: r4(t.notional),
      grossPnl: r4(t.grossPnl),
      fees: r4(t.fees),
      funding: r4(t.funding),
      netPnl: r4(t.netPnl),
      pnlPct: r4(t.pnlPct),
      openedAt: iso(t.openedAt),
      closedAt: iso(t.closedAt),
    })),
  };
}

const COLS: { head: string; get: (r: ReportRow) => string }[] = [
  { head: 'Trades', get: (r) => String(r.trades) },
  { head: 'Win rate', get: (r) => pct(r.winRate) },
  { head: 'Avg PnL %', get: (r) => num(r.avgPnlPct, 3) },
  { head: 'Best %', get: (r) => num(r.best, 2) },
  { head: 'Worst %', get: (r) => num(r.worst, 2) },
  { head: 'Max DD %', get: (r) => num(r.maxDrawdownPct, 2) },
  { head: 'Sharpe', get: (r) => num(r.sharpe, 3) },
  { head: 'Expectancy', get: (r) => num(r.expectancy, 2) },
  { head: 'Fees', get: (r) => num(r.fees, 2) },
  { head: 'Funding', get: (r) => num(r.funding, 2) },
  { head: 'Net PnL', get: (r) => num(r.netPnl, 2) },
];

function pct(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(1)}%`;
}

function num(x: number | null, d: number): string {
  return x === null ? '—' : x.toFixed(d);
}

function table(title: string, rows: ReportRow[]): string {
  const head = [title, ...COLS.map((c) => c.head)];
  const body = rows.map((r) => [r.name, ...COLS.map((c) => c.get(r))]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join('  ');
  return [fmt(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(fmt)].join('\n');
}

/**
 * The console rendering: one line per run (window, bars, equity, refusals), then the per-symbol and
 * per-strategy tables each closed by the total; money in USDT, Expectancy = mean net PnL per trade.
 * Never throws.
 */
export function renderReport(rep: BacktestReport): string {
  const lines: string[] = [];
  for (const r of rep.runs) {
    const ref = Object.entries(r.refusals).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(
      `run ${r.interval.padEnd(3)} ${r.symbols.join(',')}  ${r.from.slice(0, 16)} → ${r.to.slice(0, 16)}  bars ${r.bars}  signals ${r.signals}  trades ${r.trades}  equity ${r.startEquity.toFixed(2)} → ${r.endEquity.toFixed(2)}  refused: ${ref}`,
    );
  }
  lines.push('', table('Symbol', [...rep.bySymbol, rep.total]), '', table('Strategy', [...rep.byStrategy, rep.total]), '');
  lines.push('Avg PnL %, Best, Worst: net of fees and funding, % of entry notional. Sharpe: per trade (mean / sd of PnL %). Max DD: % of peak equity.');
  return `${lines.join('\n')}\n`;
}
