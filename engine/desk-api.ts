import type { z } from 'zod';
import type { DeskListener } from './events.ts';
import type {
  Actor,
  BalanceResult,
  CandlesInput,
  CandlesResult,
  CloseResult,
  ClosePositionInput,
  ExecuteInput,
  ExecuteResult,
  GetSignalInput,
  LimitsResult,
  ListPositionsInput,
  ListSignalsInput,
  ListUsersInput,
  PauseInput,
  KillSwitchInput,
  PnlInput,
  PnlResult,
  Position,
  PreviewResult,
  ReportResult,
  RiskStateResult,
  ScanInput,
  ScanResult,
  Settings,
  Signal,
  StatusResult,
  StrategiesOutput,
  UpdateSettingsInput,
  ListUsersOutput,
} from './schemas.ts';

/** Raw (pre-validation) input of a use-case: front-ends pass what the user sent; the Desk parses it. */
type In<S extends z.ZodType> = z.input<S>;

/**
 * Every use-case a front-end may call. Each method validates its input with the schema of the same
 * name in schemas.ts, enforces the actor's role and limits, and rejects with a DeskError only.
 */
export interface DeskApi {
  /** The desk at a glance; any role. */
  status(actor: Actor): Promise<StatusResult>;
  /** Runs a scan now (counts against the actor's daily scan limit); any role. */
  runScan(actor: Actor, input?: In<typeof ScanInput>): Promise<ScanResult>;
  /** Lists signals, newest first; any role. */
  listSignals(actor: Actor, input?: In<typeof ListSignalsInput>): Promise<{ signals: Signal[] }>;
  /** One signal by id; NOT_FOUND if unknown; any role. */
  getSignal(actor: Actor, input: In<typeof GetSignalInput>): Promise<{ signal: Signal }>;
  /** What executing would do now, with every gate's verdict; never places anything; any role. */
  previewExecution(actor: Actor, input: In<typeof ExecuteInput>): Promise<PreviewResult>;
  /** Executes a live signal through the risk gate and the broker; trader or admin. */
  execute(actor: Actor, input: In<typeof ExecuteInput>): Promise<ExecuteResult>;
  /** Lists positions of the desk's mode; any role. */
  listPositions(actor: Actor, input?: In<typeof ListPositionsInput>): Promise<{ positions: Position[] }>;
  /** Closes a position (fully or a fraction) — allowed under kill switch and breaker; trader or admin. */
  closePosition(actor: Actor, input: In<typeof ClosePositionInput>): Promise<CloseResult>;
  /** Wallet equity, available and used margin; any role. */
  balance(actor: Actor): Promise<BalanceResult>;
  /** Realized PnL for day / week / all; any role. */
  pnl(actor: Actor, input?: In<typeof PnlInput>): Promise<PnlResult>;
  /** Pauses new entries (closes still allowed); admin. */
  pauseEntries(actor: Actor, input?: In<typeof PauseInput>): Promise<RiskStateResult>;
  /** Resumes entries and clears a tripped daily-loss breaker; admin. */
  resumeEntries(actor: Actor, input?: In<typeof PauseInput>): Promise<RiskStateResult>;
  /** Turns the kill switch (close-only) on or off; turning it on is allowed to traders, off needs admin. */
  setKillSwitch(actor: Actor, input: In<typeof KillSwitchInput>): Promise<RiskStateResult>;
  /** The actor's settings (created with defaults on first use); any role. */
  getSettings(actor: Actor): Promise<{ settings: Settings }>;
  /** Updates the actor's own settings; any role. */
  updateSettings(actor: Actor, input: In<typeof UpdateSettingsInput>): Promise<{ settings: Settings }>;
  /** The actor's limits: used, max and reset time; any role. */
  limits(actor: Actor): Promise<LimitsResult>;
  /** USDT notional of the entries this actor opened since the start of the UTC day (durable: from the ledger); any role. */
  entryNotionalToday(actor: Actor): Promise<number>;
  /** Known actors; admin. */
  listUsers(actor: Actor, input?: In<typeof ListUsersInput>): Promise<z.infer<typeof ListUsersOutput>>;
  /** The daily report now; admin. */
  report(actor: Actor): Promise<ReportResult>;
  /** The most recent closed bars of one series, oldest first (charts); NOT_FOUND outside the universe; any role. */
  candles(actor: Actor, input: In<typeof CandlesInput>): Promise<CandlesResult>;
  /** Strategy lifecycle stages and their records; any role. */
  strategies(actor: Actor): Promise<z.infer<typeof StrategiesOutput>>;
  /** Settings of every actor that wants alerts for `signal` (subscriptions and mutes applied). */
  alertRecipients(signal: Signal, kind: Actor['kind']): Promise<{ actorId: string; settings: Settings }[]>;
  /** Subscribes to desk events; returns the unsubscribe function. */
  subscribe(listener: DeskListener): () => void;
  /**
   * Appends a front-end's own audit row (a forged callback, a tool call) to the append-only audit log.
   * Detail values are flattened to short scalars; never throws (a failed write is logged).
   */
  audit(actor: Actor, action: string, outcome: string, detail?: Record<string, unknown>): void;
}
