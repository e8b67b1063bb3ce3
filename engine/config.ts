import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IntervalSchema } from './schemas.ts';
import { DeskError } from './errors.ts';

const csv = <T extends z.ZodType>(item: T) =>
  z.string().transform((s, ctx): z.output<T>[] => {
    const out: z.output<T>[] = [];
    for (const part of s.split(',').map((x) => x.trim()).filter((x) => x.length > 0)) {
      const r = item.safeParse(part);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 24)}": ${r.error.issues[0]?.message ?? 'invalid'}` });
        return z.NEVER;
      }
      out.push(r.data as z.output<T>);
    }
    return out;
  });
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']))
  .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on');

/** A control-plane token: `name:role:secret`. */
export interface DeskToken {
  name: string;
  role: 'viewer' | 'trader' | 'admin';
  secret: string;
}

// A secret names exactly one token: were one secret listed twice, the front-ends could disagree on
// who is calling (and with which role).
const tokenList = z.string().transform((s, ctx): DeskToken[] => {
  const out: DeskToken[] = [];
  for (const [i, part] of s.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const [name, role, ...rest] = part.split(':');
    const secret = rest.join(':');
    if (!name || !/^[A-Za-z0-9_.-]{1,48}$/.test(name) || !['viewer', 'trader', 'admin'].includes(role ?? '') || secret.length < 16) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be name:viewer|trader|admin:secret (secret of 16+ chars)` });
      return z.NEVER;
    }
    if (out.some((t) => t.secret === secret)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the secret of an earlier entry (each secret must be unique)` });
      return z.NEVER;
    }
    out.push({ name, role: role as DeskToken['role'], secret });
  }
  return out;
});

/**
 * Every config key: env var name → schema and default. Keys marked secret are never printed.
 * The README's configuration table mirrors this list.
 */
export const CONFIG_KEYS = {
  DESK_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'HTTP bind address for /healthz, /metrics, /rpc, /mcp' },
  DESK_PORT: { schema: int(0, 65535), default: '8766', doc: 'HTTP port (0 = any free port)' },
  DESK_DB: { schema: z.string().min(1), default: 'var/desk.db', doc: 'SQLite file (":memory:" for a throwaway desk)' },
  DESK_BACKUP_DIR: { schema: z.string().min(1), default: 'var/backups', doc: 'where nightly SQLite backups go' },
  DESK_BACKUP_KEEP: { schema: int(1, 365), default: '7', doc: 'nightly backups kept' },
  DESK_MODE: { schema: z.enum(['paper', 'live']), default: 'paper', doc: 'paper (simulated fills at real quotes) or live (Bybit orders)' },
  DESK_FEED: { schema: z.enum(['replay', 'bybit']), default: 'replay', doc: 'replay (bundled real klines) or bybit (live V5 streams)' },
  DESK_REPLAY_SPEED: { schema: num(1, 1e9), default: '3600', doc: 'replay time compression: market seconds per wall second' },
  DESK_DATA_DIR: { schema: z.string().min(1), default: 'data/klines', doc: 'kline CSV folder the replay feed and scans read' },
  DESK_FUNDING_DIR: { schema: z.string().min(1), default: 'data/funding', doc: 'funding-rate CSV folder' },
  DESK_UNIVERSE: {
    schema: csv(z.string().regex(/^[A-Z0-9]{2,20}USDT$/, 'symbols such as BTCUSDT')),
    default: 'BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,WIFUSDT',
    doc: 'comma-separated symbols to scan',
  },
  DESK_INTERVALS: { schema: csv(IntervalSchema), default: '60,240', doc: 'comma-separated kline intervals to scan (5,15,60,240,D)' },
  DESK_WARMUP_BARS: { schema: int(50, 5000), default: '500', doc: 'bars loaded per series before scoring' },
  DESK_SCORE_THRESHOLD: { schema: num(0, 10), default: '5.5', doc: 'minimum 0..10 score for a signal' },
  DESK_SIGNAL_TTL_BARS: { schema: int(1, 100), default: '3', doc: 'a signal expires after this many bars of its interval' },
  DESK_LIVE_STRATEGIES: {
    schema: csv(z.string().regex(/^[a-z0-9-]+$/)),
    default: 'bb-grid-long,bb-grid-short,rsi-bb-reversion,funding-fade,bb-squeeze-breakout,ha-wavetrend-reversal',
    doc: 'strategies that start live (the rest start in shadow)',
  },
  DESK_TOKENS: { schema: tokenList, default: '', secret: true, doc: 'control-plane tokens name:role:secret,...' },
  DESK_LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level' },
  RISK_PER_TRADE_PCT: { schema: num(0.01, 5), default: '1', doc: '% of equity lost if the stop is hit' },
  RISK_MAX_MARGIN_PCT: { schema: num(1, 100), default: '15', doc: 'max margin of one position, % of equity' },
  RISK_MAX_LEVERAGE: { schema: num(1, 100), default: '3', doc: 'leverage cap' },
  RISK_MAX_POSITIONS: { schema: int(1, 100), default: '5', doc: 'max concurrent open positions' },
  RISK_DAILY_LOSS_PCT: { schema: num(0.1, 100), default: '5', doc: 'daily-loss breaker: % of start-of-day equity' },
  RISK_COOLDOWN_MIN: { schema: num(0, 10080), default: '60', doc: 'minutes a symbol is blocked after a stop-out' },
  RISK_QUOTE_MAX_AGE_MS: { schema: int(100, 60000), default: '2000', doc: 'oldest quote snapshot an entry may use' },
  RISK_TRAIL_MIN_LEVERAGE: { schema: num(1, 100), default: '10', doc: 'trailing stop applies from this leverage up' },
  LIMIT_SCANS_PER_DAY: { schema: int(0, 100000), default: '10', doc: 'scans per actor per UTC day' },
  LIMIT_EXECUTES_PER_HOUR: { schema: int(0, 100000), default: '20', doc: 'executes per actor per clock hour (UTC)' },
  STRATEGY_PROMOTE_MIN_TRADES: { schema: int(1, 100000), default: '30', doc: 'closed trades (backtest + shadow) a strategy needs before it may go live; also the rolling window a live one is judged on' },
  STRATEGY_PROMOTE_MIN_SHARPE: { schema: num(-100, 100), default: '0.5', doc: 'per-trade Sharpe a strategy must exceed to go live (and to stay live)' },
  PAPER_START_EQUITY: { schema: num(1, 1e12), default: '10000', doc: 'paper wallet start (USDT)' },
  PAPER_FEE_RATE: { schema: num(0, 0.01), default: '0.00055', doc: 'paper taker fee rate' },
  TELEGRAM_BOT_TOKEN: { schema: z.string(), default: '', secret: true, doc: 'starts the Telegram bot when set' },
  TELEGRAM_API_ROOT: { schema: z.string().url(), default: 'https://api.telegram.org', doc: 'Bot API root (self-hosted servers, tests)' },
  TELEGRAM_MODE: { schema: z.enum(['open', 'allowlist']), default: 'open', doc: 'open: anyone is a viewer; allowlist: only listed ids' },
  TELEGRAM_ADMIN_IDS: { schema: csv(z.string().regex(/^\d+$/)), default: '', doc: 'Telegram user ids with the admin role' },
  TELEGRAM_TRADER_IDS: { schema: csv(z.string().regex(/^\d+$/)), default: '', doc: 'Telegram user ids with the trader role' },
  TELEGRAM_WEBHOOK_URL: { schema: z.string(), default: '', doc: 'use webhook mode at this public URL instead of long polling' },
  TELEGRAM_WEBHOOK_SECRET: { schema: z.string(), default: '', secret: true, doc: 'secret-token header checked in webhook mode' },
  TELEGRAM_CONFIRM_TTL_S: { schema: int(5, 600), default: '30', doc: 'seconds an Execute/Close confirmation stays valid' },
  TELEGRAM_CHARTS: { schema: bool, default: 'false', doc: 'attach a PNG chart to alerts' },
  BYBIT_ENV: { schema: z.enum(['mainnet', 'testnet', 'demo']), default: 'testnet', doc: 'which Bybit environment' },
  BYBIT_API_KEY: { schema: z.string(), default: '', secret: true, doc: 'Bybit API key (live mode)' },
  BYBIT_API_SECRET: { schema: z.string(), default: '', secret: true, doc: 'Bybit API secret (live mode)' },
  BYBIT_REST_URL: { schema: z.string(), default: '', doc: 'override the REST base URL (proxies, fakes)' },
  BYBIT_WS_PUBLIC_URL: { schema: z.string(), default: '', doc: 'override the public linear WS URL' },
  BYBIT_WS_PRIVATE_URL: { schema: z.string(), default: '', doc: 'override the private WS URL' },
  BYBIT_TICKER_POLL_MS: { schema: z.coerce.number().int().refine((v) => v === 0 || (v >= 1000 && v <= 600000), 'expected 0 or 1000-600000'), default: '15000', doc: 'how often the all-symbols ticker snapshot (funding, turnover, marks) is fetched over REST (0: only at start)' },
  BYBIT_ALLOW_WITHDRAW_KEY: { schema: bool, default: 'false', doc: 'accept a key with withdraw permission (not advised)' },
  RPC_RATE_PER_MIN: { schema: int(1, 1e6), default: '600', doc: 'JSON-RPC requests per token per minute' },
  MCP_LIVE_ENABLED: { schema: bool, default: 'false', doc: 'allow MCP agents to execute in live mode' },
  MCP_MAX_NOTIONAL_ORDER: { schema: num(0, 1e12), default: '2000', doc: 'agent cap: notional per order (USDT)' },
  MCP_MAX_NOTIONAL_DAY: { schema: num(0, 1e12), default: '10000', doc: 'agent cap: notional per UTC day (USDT)' },
  MCP_ALLOWED_SYMBOLS: { schema: csv(z.string().regex(/^[A-Z0-9]{2,20}USDT$/)), default: '', doc: 'agent symbol allowlist (empty = universe)' },
  MCP_CONFIRM_SECRET: { schema: z.string(), default: '', secret: true, doc: 'HMAC key for agent confirmation tokens (random per start if empty)' },
} as const satisfies Record<string, { schema: z.ZodType; default: string; doc: string; secret?: boolean }>;

type Keys = typeof CONFIG_KEYS;
/** The parsed, typed configuration: one field per key in CONFIG_KEYS. */
export type DeskConfig = { [K in keyof Keys]: z.output<Keys[K]['schema']> };

/** Names of the keys whose values are secrets (never logged, never echoed). */
export const SECRET_KEYS: readonly string[] = Object.entries(CONFIG_KEYS)
  .filter(([, v]) => 'secret' in v && v.secret)
  .map(([k]) => k);

/**
 * Builds the config from `env` (and an optional JSON file of the same keys; env wins). Throws
 * DeskError CONFIG with a one-line message naming the key and what is expected, never the value.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, file?: string): DeskConfig {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new DeskError('CONFIG', { key: '--config' }, `config: --config ${file}: expected a readable JSON object file`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new DeskError('CONFIG', { key: '--config' }, `config: --config ${file}: expected a JSON object`);
    }
    for (const k of Object.keys(fromFile)) {
      if (!(k in CONFIG_KEYS)) throw new DeskError('CONFIG', { key: k }, `config: ${k}: unknown key in ${file}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const raw = env[key] ?? (fromFile[key] === undefined ? undefined : String(fromFile[key])) ?? spec.default;
    const r = (spec.schema as z.ZodType).safeParse(raw);
    if (!r.success) {
      const why = r.error.issues[0]?.message ?? 'invalid value';
      throw new DeskError('CONFIG', { key }, `config: ${key}: ${why}`);
    }
    out[key] = r.data;
  }
  const cfg = out as DeskConfig;
  if (cfg.DESK_INTERVALS.length === 0) throw new DeskError('CONFIG', { key: 'DESK_INTERVALS' }, 'config: DESK_INTERVALS: expected at least one interval');
  if (cfg.DESK_UNIVERSE.length === 0) throw new DeskError('CONFIG', { key: 'DESK_UNIVERSE' }, 'config: DESK_UNIVERSE: expected at least one symbol');
  return cfg;
}

/** The config with every secret replaced by "[set]" or "" — safe to log or show; never throws. */
export function redactedConfig(cfg: DeskConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg };
  for (const k of SECRET_KEYS) {
    const v = (cfg as Record<string, unknown>)[k];
    out[k] = (Array.isArray(v) ? v.length > 0 : Boolean(v)) ? '[set]' : '';
  }
  return out;
}

/** Config for tests and tools: defaults, with `overrides` (env-style strings) applied; throws like loadConfig. */
export function testConfig(overrides: Record<string, string> = {}): DeskConfig {
  return loadConfig({ DESK_DB: ':memory:', DESK_LOG_LEVEL: 'silent', ...overrides });
}
