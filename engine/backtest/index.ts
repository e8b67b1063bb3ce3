// The backtest's public surface for scripts and the desk composition root (named exports only).
export { runBacktest, pickStrategies, type BacktestRequest, type BacktestOutcome } from './run-backtest.ts';
export { runDeskBacktest, BACKTEST_ACTOR, type RunResult, type EquityCurve, type DeskRunOptions } from './desk-backtest.ts';
export { runFastBacktest } from './fast-desk.ts';
export { tickLevels, managedStop, quoteBid, quoteAsk, type DraftLevels, type ManagedPosition, type StopMove } from './desk-rules.ts';
export { loadBacktestData, type BacktestData, type BacktestSeries, type LoadOptions } from './data.ts';
export { BacktestFeed } from './backtest-feed.ts';
export { buildReport, renderReport, type BacktestReport, type ReportRow } from './report.ts';
export { equitySvg } from './equity-svg.ts';
export { tradeStats, perTradeSharpe, maxDrawdownPct, meanSd, type TradeStats } from './stats.ts';
export { fundingPayment, FundingSchedule } from './funding.ts';
export { tradeRecord, byClose, type TradeRecord } from './trade.ts';
export { evaluateGates, type StageGates, type GateVerdict } from './gates.ts';
export { ShadowLedger, type ShadowLedgerOptions } from './shadow-ledger.ts';
