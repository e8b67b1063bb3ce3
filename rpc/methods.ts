import { z } from 'zod';
import {
  type DeskApi,
  DeskError,
  DESK_EVENT_TYPES,
  type DeskEventType,
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
  KillSwitchInput,
  LimitsInput,
  LimitsOutput,
  ListPositionsInput,
  ListPositionsOutput,
  ListSignalsInput,
  ListSignalsOutput,
  ListUsersInput,
  ListUsersOutput,
  PauseInput,
  PnlInput,
  PnlOutput,
  PreviewOutput,
  ReportInput,
  ReportOutput,
  RiskStateOutput,
  ScanInput,
  ScanOutput,
  SettingsOutput,
  StatusInput,
  StatusOutput,
  StrategiesInput,
  StrategiesOutput,
  UpdateSettingsInput,
  parseInput,
  type Actor,
} from '../engine/index.ts';

/** Any zod object schema used as a method's named params. */
type ParamsSchema = z.ZodObject<z.ZodRawShape>;

/** One JSON-RPC method: its wire name, doc text, params and result schemas, and the Desk call. */
export interface RpcMethodSpec {
  name: string;
  summary: string;
  /** Minimum role the Desk enforces (documentation only; the Desk decides). */
  role: Actor['role'];
  params: ParamsSchema;
  result: z.ZodType;
  /** WebSocket-only methods are served per socket and are absent from POST /rpc. */
  wsOnly?: boolean;
  call?: (desk: DeskApi, actor: Actor, params: Record<string, unknown>) => Promise<unknown>;
}

const def = <S extends ParamsSchema>(
  name: string,
  summary: string,
  role: Actor['role'],
  params: S,
  result: z.ZodType,
  call: (desk: DeskApi, actor: Actor, params: z.output<S>) => Promise<unknown>,
): RpcMethodSpec => ({ name, summary, role, params, result, call: call as RpcMethodSpec['call'] });

/** Params of events.subscribe: the DeskEvent types to receive as `event` notifications. */
export const SubscribeInput = z.object({
  topics: z
    .array(z.enum(DESK_EVENT_TYPES as unknown as [DeskEventType, ...DeskEventType[]]))
    .min(1)
    .max(DESK_EVENT_TYPES.length),
});
/** Params of events.unsubscribe: topics to drop (all when omitted). */
export const UnsubscribeInput = z.object({ topics: SubscribeInput.shape.topics.optional() });
/** Result of events.subscribe / events.unsubscribe: the socket's topics now. */
export const TopicsOutput = z.object({ topics: z.array(z.string()) });
/** Params of the WebSocket `auth` call: a DESK_TOKENS secret. */
export const AuthInput = z.object({ token: z.string().min(1).max(1024) });
/** Result of `auth`: who the socket now acts as. */
export const AuthOutput = z.object({ name: z.string(), role: z.enum(['viewer', 'trader', 'admin']) });

/** Every JSON-RPC method the desk serves, mirroring DeskApi one to one (plus WebSocket-only ones). */
export const RPC_METHODS: readonly RpcMethodSpec[] = [
  def('desk.status', 'The desk at a glance.', 'viewer', StatusInput, StatusOutput, (d, a) => d.status(a)),
  def('scan.run', 'Runs a scan now (counts against the daily scan limit).', 'viewer', ScanInput, ScanOutput, (d, a, p) => d.runScan(a, p)),
  def('signals.list', 'Lists signals, newest first.', 'viewer', ListSignalsInput, ListSignalsOutput, (d, a, p) => d.listSignals(a, p)),
  def('signals.get', 'One signal by id.', 'viewer', GetSignalInput, GetSignalOutput, (d, a, p) => d.getSignal(a, p)),
  def('trade.preview', 'What executing a signal would do now, with every gate verdict; places nothing.', 'viewer', ExecuteInput, PreviewOutput, (d, a, p) =>
    d.previewExecution(a, p),
  ),
  def('trade.execute', 'Executes a live signal through the risk gate and the broker.', 'trader', ExecuteInput, ExecuteOutput, (d, a, p) => d.execute(a, p)),
  def('positions.list', 'Lists positions of the desk mode, newest first.', 'viewer', ListPositionsInput, ListPositionsOutput, (d, a, p) =>
    d.listPositions(a, p),
  ),
  def('positions.close', 'Closes a position fully or by a fraction (allowed under kill switch).', 'trader', ClosePositionInput, ClosePositionOutput, (d, a, p) =>
    d.closePosition(a, p),
  ),
  def('account.balance', 'Wallet equity, available and used margin.', 'viewer', BalanceInput, BalanceOutput, (d, a) => d.balance(a)),
  def('account.pnl', 'Realized PnL for day, week or all.', 'viewer', PnlInput, PnlOutput, (d, a, p) => d.pnl(a, p)),
  def('account.limits', "The caller's limits: used, max and reset time.", 'viewer', LimitsInput, LimitsOutput, (d, a) => d.limits(a)),
  def('risk.pause', 'Pauses new entries (closes still allowed).', 'admin', PauseInput, RiskStateOutput, (d, a, p) => d.pauseEntries(a, p)),
  def('risk.resume', 'Resumes entries and clears a tripped daily-loss breaker.', 'admin', PauseInput, RiskStateOutput, (d, a, p) => d.resumeEntries(a, p)),
  def('risk.killSwitch', 'Kill switch on (trader) or off (admin).', 'trader', KillSwitchInput, RiskStateOutput, (d, a, p) => d.setKillSwitch(a, p)),
  def('settings.get', "The caller's settings.", 'viewer', GetSettingsInput, SettingsOutput, (d, a) => d.getSettings(a)),
  def('settings.set', "Updates the caller's own settings.", 'viewer', UpdateSettingsInput, SettingsOutput, (d, a, p) => d.updateSettings(a, p)),
  def('market.candles', 'The most recent closed bars of one series, oldest first.', 'viewer', CandlesInput, CandlesOutput, (d, a, p) => d.candles(a, p)),
  def('strategies.list', 'Strategy lifecycle stages and their records.', 'viewer', StrategiesInput, StrategiesOutput, (d, a) => d.strategies(a)),
  def('desk.report', 'The daily report now.', 'admin', ReportInput, ReportOutput, (d, a) => d.report(a)),
  def('users.list', 'Known actors.', 'admin', ListUsersInput, ListUsersOutput, (d, a, p) => d.listUsers(a, p)),
  {
    name: 'auth',
    summary: 'WebSocket only: authenticates the socket with a DESK_TOKENS secret (within 5 s of connecting, unless the upgrade carried an Authorization header).',
    role: 'viewer',
    params: AuthInput as unknown as ParamsSchema,
    result: AuthOutput,
    wsOnly: true,
  },
  {
    name: 'events.subscribe',
    summary: 'WebSocket only: receive `event` notifications (params = the DeskEvent) for these DeskEvent types.',
    role: 'viewer',
    params: SubscribeInput as unknown as ParamsSchema,
    result: TopicsOutput,
    wsOnly: true,
  },
  {
    name: 'events.unsubscribe',
    summary: 'WebSocket only: stop receiving these topics (all when omitted).',
    role: 'viewer',
    params: UnsubscribeInput as unknown as ParamsSchema,
    result: TopicsOutput,
    wsOnly: true,
  },
];

/**
 * Validates JSON-RPC `params` against a method's schema, the same way the Desk does: absent or `[]`
 * means `{}`; other arrays, unknown keys and schema failures throw DeskError VALIDATION naming the
 * field (so the wire answer is -32602). Returns the parsed params.
 */
export function parseParams<S extends ParamsSchema>(schema: S, params: unknown): z.output<S> {
  let input: unknown = params;
  if (input === undefined || (Array.isArray(input) && input.length === 0)) input = {};
  if (Array.isArray(input) || typeof input !== 'object' || input === null) {
    throw new DeskError('VALIDATION', { field: '(params)', reason: 'expected named params (a JSON object)' }, 'params must be an object');
  }
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(schema.shape, key)) {
      const field = key.length > 64 ? `${key.slice(0, 64)}…` : key;
      throw new DeskError('VALIDATION', { field, reason: 'unknown parameter' }, 'unknown parameter');
    }
  }
  return parseInput(schema, input);
}
