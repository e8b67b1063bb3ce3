// The engine's public surface: named exports only. Front-ends (bot, rpc, mcp) and scripts import
// from here and nowhere else under engine/.

export { Desk, SYSTEM_ACTOR, type DeskDeps } from './desk.ts';
export type { DeskApi } from './desk-api.ts';
export {
  ActorSchema,
  BalanceInput,
  BalanceOutput,
  CandlesInput,
  CandlesOutput,
  ClosePositionInput,
  ClosePositionOutput,
  ExecuteInput,
  ExecuteOutput,
  GetSettingsInput,
  GetSignalInput,
  GetSignalOutput,
  IntervalSchema,
  KillSwitchInput,
  LimitsInput,
  LimitsOutput,
  ListPositionsInput,
  ListPositionsOutput,
  ListSignalsInput,
  ListSignalsOutput,
  ListUsersInput,
  ListUsersOutput,
  METRIC_NAMES,
  PauseInput,
  PnlInput,
  PnlOutput,
  PositionSchema,
  PreviewOutput,
  ReportInput,
  ReportOutput,
  RiskStateOutput,
  ScanInput,
  ScanOutput,
  ScorePartSchema,
  SettingsOutput,
  SettingsSchema,
  SideSchema,
  SignalSchema,
  StatusInput,
  StatusOutput,
  StrategiesInput,
  StrategiesOutput,
  StrategyRecordSchema,
  StrategyStageInput,
  StrategyStageOutput,
  SymbolSchema,
  UpdateSettingsInput,
  type Actor,
  type BalanceResult,
  type CandlesResult,
  type CloseResult,
  type ExecuteParams,
  type ExecuteResult,
  type Interval,
  type LimitsResult,
  type MetricName,
  type PnlResult,
  type Position,
  type PreviewResult,
  type ReportResult,
  type RiskStateResult,
  type Role,
  type ScanResult,
  type ScorePart,
  type Settings,
  type Side,
  type Signal,
  type StatusResult,
  type StrategyStageResult,
} from './schemas.ts';
export { parseInput } from './validate.ts';
export { DeskError, DESK_ERROR_CODES, isDeskError, toDeskError, type DeskErrorCode, type DeskErrorDetail } from './errors.ts';
export { EventBus, DESK_EVENT_TYPES, type DeskEvent, type DeskEventType, type DeskListener } from './events.ts';
export { loadConfig, redactedConfig, testConfig, CONFIG_KEYS, SECRET_KEYS, type DeskConfig, type DeskToken } from './config.ts';
export { createLogger, silentLogger, REDACT_PATHS, type DeskLogger } from './log.ts';
export { createMetrics, type DeskMetrics } from './metrics.ts';
export { createTokenAuth, MAX_TOKEN_SECRET, type TokenAuth } from './token-auth.ts';
export { systemClock, ManualClock, utcDayStart, utcWeekStart, DAY_MS, type Clock } from './clock.ts';
export type { Bar, Instrument, Quote, MarketFeed, BarHandler } from './market/types.ts';
export type { Broker, Execution, OrderAck, OrderRequest, VenueBalance, VenueOrder, VenuePosition } from './exec/broker.ts';
export type { SignalDraft, SignalSource } from './signal-source.ts';

// Composition pieces (used by scripts/, never by front-ends).
export { openDb, type Db } from './store/db.ts';
export { QuietCheckpoints, type QuietCheckpointOptions } from './store/quiet-checkpoints.ts';
export { QuietGc, exposedMinorGc, type MinorGc, type QuietGcOptions } from './quiet-gc.ts';
export { createStore, type Store } from './store/store.ts';
export { createReplayFeed, replayOptionsOf, type ReplayFeed } from './market/replay-feed.ts';
export { loadKlineFile, loadFundingFile } from './market/csv.ts';
export { KlineStore } from './market/kline-store.ts';
export { PaperBroker } from './exec/paper-broker.ts';
export { createPaperLedger } from './exec/paper-ledger.ts';
export { Scanner, scannerOptionsFromConfig } from './scan/scanner.ts';
export { intervalMs } from './scan/interval.ts';
export { startJobs, backupDb, type Jobs } from './jobs.ts';
