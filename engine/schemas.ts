import { z } from 'zod';

// One zod schema per use-case: the MCP tool schema, the JSON-RPC params check and the bot's argument
// parser all come from here. Field names are the wire names.

/** A Bybit linear symbol such as BTCUSDT (upper-case letters and digits, ending in USDT). */
export const SymbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,20}USDT$/, 'expected a USDT perpetual symbol such as BTCUSDT');

/** Bybit V5 kline interval names the desk trades. */
export const IntervalSchema = z.enum(['5', '15', '60', '240', 'D']);
/** A kline interval name. */
export type Interval = z.infer<typeof IntervalSchema>;

/** Trade direction. */
export const SideSchema = z.enum(['long', 'short']);
/** Trade direction. */
export type Side = z.infer<typeof SideSchema>;

/** Who is calling: every use-case takes one; limits, audit and roles are keyed by it. */
export const ActorSchema = z.object({
  kind: z.enum(['telegram', 'rpc', 'mcp', 'system']),
  id: z.string().min(1).max(64),
  role: z.enum(['viewer', 'trader', 'admin']),
});
/** Who is calling. */
export type Actor = z.infer<typeof ActorSchema>;
/** A role, least to most privileged: viewer < trader < admin. */
export type Role = Actor['role'];

/** Names of the scoring metrics, in display order. */
export const METRIC_NAMES = [
  'bandPosition',
  'rsi',
  'volume',
  'funding',
  'squeeze',
  'trend',
  'volatility',
  'streak',
] as const;
/** One of the 8 metric names. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** One scored metric: its name, its 0..10 score, its weight and the raw value it came from. */
export const ScorePartSchema = z.object({
  name: z.enum(METRIC_NAMES),
  score: z.number().min(0).max(10),
  weight: z.number().min(0),
  value: z.number().nullable(),
});
/** One scored metric. */
export type ScorePart = z.infer<typeof ScorePartSchema>;

/** Lifecycle of a signal. */
export const SignalStatusSchema = z.enum(['live', 'executed', 'expired', 'superseded']);

/** A scored, vetted trade idea. */
export const SignalSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  interval: IntervalSchema,
  side: SideSchema,
  strategy: z.string(),
  score: z.number().min(0).max(10),
  scoreParts: z.array(ScorePartSchema).length(8),
  entry: z.number().positive(),
  stop: z.number().positive(),
  targets: z.array(z.number().positive()).min(1),
  barTime: z.number().int(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  status: SignalStatusSchema,
  stage: z.enum(['live', 'shadow']),
  regime: z.string(),
});
/** A scored, vetted trade idea. */
export type Signal = z.infer<typeof SignalSchema>;

/** An open or closed position as the desk records it. */
export const PositionSchema = z.object({
  id: z.string(),
  mode: z.enum(['paper', 'live']),
  symbol: z.string(),
  side: SideSchema,
  qty: z.number().nonnegative(),
  initialQty: z.number().positive(),
  entryPrice: z.number().positive(),
  stop: z.number().positive(),
  targets: z.array(z.number().positive()),
  targetsHit: z.number().int().nonnegative(),
  leverage: z.number().positive(),
  breakEvenLocked: z.boolean(),
  signalId: z.string().nullable(),
  /** Front-end kind of the actor who opened it ('system' for venue-adopted positions). */
  actorKind: z.string(),
  actorId: z.string(),
  openedAt: z.number().int(),
  closedAt: z.number().int().nullable(),
  closeReason: z.string().nullable(),
  realizedPnl: z.number(),
  fees: z.number(),
  lastPrice: z.number().nullable(),
  unrealizedPnl: z.number().nullable(),
  status: z.enum(['open', 'closed']),
});
/** A position. */
export type Position = z.infer<typeof PositionSchema>;

// ---------------------------------------------------------------- use-cases

/** status: no input. */
export const StatusInput = z.object({});
/** The desk at a glance. */
export const StatusOutput = z.object({
  mode: z.enum(['paper', 'live']),
  feed: z.enum(['replay', 'bybit']),
  entriesPaused: z.boolean(),
  killSwitch: z.boolean(),
  breaker: z.object({ tripped: z.boolean(), dayStartEquity: z.number(), dayPnl: z.number(), limitPct: z.number() }),
  uptimeMs: z.number().int(),
  feedLagMs: z.number().nullable(),
  lastBarAt: z.number().int().nullable(),
  universe: z.array(z.string()),
  intervals: z.array(IntervalSchema),
  openPositions: z.number().int(),
  liveSignals: z.number().int(),
  strategies: z.array(z.object({ name: z.string(), stage: z.enum(['live', 'shadow']) })),
  now: z.number().int(),
});
/** status output. */
export type StatusResult = z.infer<typeof StatusOutput>;

/** scan: optionally one symbol and/or one interval. */
export const ScanInput = z.object({
  symbol: SymbolSchema.optional(),
  interval: IntervalSchema.optional(),
});
/** What a scan found, and what is left of the caller's daily scan allowance. */
export const ScanOutput = z.object({
  scanned: z.number().int(),
  signals: z.array(SignalSchema),
  limit: z.object({ used: z.number().int(), max: z.number().int(), resetAt: z.number().int() }),
});
/** scan output. */
export type ScanResult = z.infer<typeof ScanOutput>;

/** listSignals filter. */
export const ListSignalsInput = z.object({
  status: z.enum(['live', 'all']).default('live'),
  symbol: SymbolSchema.optional(),
  limit: z.number().int().min(1).max(200).default(20),
});
/** A list of signals, newest first. */
export const ListSignalsOutput = z.object({ signals: z.array(SignalSchema) });

/** getSignal by id. */
export const GetSignalInput = z.object({ id: z.string().min(1).max(64) });
/** One signal. */
export const GetSignalOutput = z.object({ signal: SignalSchema });

/** preview / execute a signal; optional per-call risk percentage within the configured cap. */
export const ExecuteInput = z.object({
  signalId: z.string().min(1).max(64),
  riskPct: z.number().gt(0).max(5).optional(),
});
/** Input of execute / preview. */
export type ExecuteParams = z.infer<typeof ExecuteInput>;

/** What executing would do right now: size, margin, risk, levels and every gate's verdict. */
export const PreviewOutput = z.object({
  signalId: z.string(),
  symbol: z.string(),
  side: SideSchema,
  qty: z.number(),
  entry: z.number(),
  stop: z.number(),
  targets: z.array(z.number()),
  notional: z.number(),
  margin: z.number(),
  leverage: z.number(),
  riskUsdt: z.number(),
  riskPct: z.number(),
  quoteAgeMs: z.number().nullable(),
  allowed: z.boolean(),
  refusal: z.object({ code: z.string(), detail: z.record(z.string(), z.any()) }).nullable(),
});
/** preview output. */
export type PreviewResult = z.infer<typeof PreviewOutput>;

/** The order an execute placed and the position it made. */
export const ExecuteOutput = z.object({
  orderId: z.string(),
  orderLinkId: z.string(),
  status: z.enum(['filled', 'accepted']),
  symbol: z.string(),
  side: SideSchema,
  qty: z.number(),
  avgPrice: z.number().nullable(),
  stop: z.number(),
  targets: z.array(z.number()),
  positionId: z.string().nullable(),
  duplicate: z.boolean(),
});
/** execute output. */
export type ExecuteResult = z.infer<typeof ExecuteOutput>;

/** listPositions filter. */
export const ListPositionsInput = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.number().int().min(1).max(200).default(50),
});
/** Positions, newest first. */
export const ListPositionsOutput = z.object({ positions: z.array(PositionSchema) });

/** closePosition by id or symbol (one of them), fully or a fraction. */
export const ClosePositionInput = z
  .object({
    positionId: z.string().min(1).max(64).optional(),
    symbol: SymbolSchema.optional(),
    fraction: z.number().gt(0).max(1).default(1),
  })
  .refine((v) => v.positionId !== undefined || v.symbol !== undefined, {
    message: 'give positionId or symbol',
    path: ['positionId'],
  });
/** closePosition output. */
export const ClosePositionOutput = z.object({
  positionId: z.string(),
  symbol: z.string(),
  closedQty: z.number(),
  remainingQty: z.number(),
  price: z.number().nullable(),
  realizedPnl: z.number(),
  status: z.enum(['open', 'closed']),
});
/** closePosition output. */
export type CloseResult = z.infer<typeof ClosePositionOutput>;

/** balance: no input. */
export const BalanceInput = z.object({});
/** Account balance in USDT. */
export const BalanceOutput = z.object({
  mode: z.enum(['paper', 'live']),
  currency: z.literal('USDT'),
  equity: z.number(),
  available: z.number(),
  usedMargin: z.number(),
  unrealizedPnl: z.number(),
});
/** balance output. */
export type BalanceResult = z.infer<typeof BalanceOutput>;

/** pnl period. */
export const PnlInput = z.object({ period: z.enum(['day', 'week', 'all']).default('day') });
/** Realized PnL over a period. */
export const PnlOutput = z.object({
  period: z.enum(['day', 'week', 'all']),
  from: z.number().int(),
  to: z.number().int(),
  realized: z.number(),
  fees: z.number(),
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  winRate: z.number().nullable(),
});
/** pnl output. */
export type PnlResult = z.infer<typeof PnlOutput>;

/** pause / resume entries with an optional reason. */
export const PauseInput = z.object({ reason: z.string().max(200).optional() });
/** kill switch on or off. */
export const KillSwitchInput = z.object({ on: z.boolean(), reason: z.string().max(200).optional() });
/** The risk controls after a pause / resume / kill-switch call. */
export const RiskStateOutput = z.object({
  entriesPaused: z.boolean(),
  killSwitch: z.boolean(),
  breakerTripped: z.boolean(),
});
/** risk-control output. */
export type RiskStateResult = z.infer<typeof RiskStateOutput>;

/** An actor's settings. */
export const SettingsSchema = z.object({
  language: z.enum(['en', 'ru']),
  alertDetail: z.enum(['compact', 'full']),
  alerts: z.boolean(),
  subscriptions: z.array(z.string().max(40)).max(100),
  mutedSymbols: z.array(z.string().max(24)).max(200),
  riskPct: z.number().gt(0).max(5).nullable(),
});
/** An actor's settings. */
export type Settings = z.infer<typeof SettingsSchema>;
/** settings.get: no input. */
export const GetSettingsInput = z.object({});
/** settings.set: any subset of the settings. */
export const UpdateSettingsInput = SettingsSchema.partial();
/** settings output. */
export const SettingsOutput = z.object({ settings: SettingsSchema });

/** limits: no input. */
export const LimitsInput = z.object({});
/** What is left of each of the actor's limits and when it resets. */
export const LimitsOutput = z.object({
  limits: z.array(
    z.object({ name: z.string(), used: z.number().int(), max: z.number().int(), resetAt: z.number().int() }),
  ),
});
/** limits output. */
export type LimitsResult = z.infer<typeof LimitsOutput>;

/** users (admin): no input. */
export const ListUsersInput = z.object({ limit: z.number().int().min(1).max(500).default(100) });
/** Known actors. */
export const ListUsersOutput = z.object({
  users: z.array(
    z.object({ kind: z.string(), id: z.string(), role: z.string(), firstSeen: z.number().int(), lastSeen: z.number().int() }),
  ),
});

/** report: no input. */
export const ReportInput = z.object({});
/** The daily report (also pushed as a `report.daily` event). */
export const ReportOutput = z.object({
  at: z.number().int(),
  uptimeMs: z.number().int(),
  feedLagMs: z.number().nullable(),
  signals24h: z.number().int(),
  trades24h: z.number().int(),
  pnlDay: z.number(),
  openPositions: z.number().int(),
  breakerTripped: z.boolean(),
  killSwitch: z.boolean(),
  entriesPaused: z.boolean(),
});
/** report output. */
export type ReportResult = z.infer<typeof ReportOutput>;

/** candles: the most recent bars of one series (for charts). */
export const CandlesInput = z.object({
  symbol: SymbolSchema,
  interval: IntervalSchema,
  limit: z.number().int().min(1).max(1000).default(120),
});
/** Candles oldest → newest (start = bar open time, epoch ms). */
export const CandlesOutput = z.object({
  symbol: z.string(),
  interval: IntervalSchema,
  bars: z.array(
    z.object({ start: z.number(), open: z.number(), high: z.number(), low: z.number(), close: z.number(), volume: z.number() }),
  ),
});
/** candles output. */
export type CandlesResult = z.infer<typeof CandlesOutput>;

/** One strategy's per-trade record: closed trades, per-trade Sharpe and mean net return (%). */
export const StrategyRecordSchema = z.object({
  trades: z.number().int(),
  sharpe: z.number().nullable(),
  expectancyPct: z.number().nullable(),
});

/** strategies: no input. */
export const StrategiesInput = z.object({});
/** Each strategy's lifecycle stage and its shadow/live record. */
export const StrategiesOutput = z.object({
  strategies: z.array(
    z.object({
      name: z.string(),
      stage: z.enum(['live', 'shadow']),
      closedTrades: z.number().int(),
      sharpe: z.number().nullable(),
      expectancy: z.number().nullable(),
      /** When and why the stage last changed (null = the configured default). */
      changedAt: z.number().int().nullable().optional(),
      reason: z.string().nullable().optional(),
      /** Per-trade records (returns in % of entry notional): backtest, shadow paper-tracking, and the rolling live window. */
      record: z
        .object({
          backtest: StrategyRecordSchema,
          shadow: StrategyRecordSchema,
          live: StrategyRecordSchema,
        })
        .optional(),
      /** The promotion gates over backtest + shadow (shadow strategies) or the rolling live window (live ones). */
      gates: z.object({ pass: z.boolean(), reasons: z.array(z.string()) }).optional(),
    }),
  ),
});

/** promoteStrategy / demoteStrategy input: the strategy and an optional reason for the audit trail. */
export const StrategyStageInput = z.object({
  name: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a strategy name such as bb-grid-long'),
  reason: z.string().max(200).optional(),
});
/** promoteStrategy / demoteStrategy output: the stage now, whether it changed, and the gate verdict. */
export const StrategyStageOutput = z.object({
  name: z.string(),
  stage: z.enum(['live', 'shadow']),
  changed: z.boolean(),
  reasons: z.array(z.string()),
});
/** promoteStrategy / demoteStrategy output. */
export type StrategyStageResult = z.infer<typeof StrategyStageOutput>;

/**
 * Validates `input` against `schema` and returns the parsed value; throws DeskError VALIDATION naming
 * the first offending field (`detail.field`) and what was expected (`detail.reason`).
 */
export { parseInput } from './validate.ts';
