import pino, { type Logger, type DestinationStream } from 'pino';

/** Object paths pino censors wherever they appear in a log line (secrets and vendor request options). */
export const REDACT_PATHS = [
  'secret',
  'token',
  'apiKey',
  'api_key',
  'apiSecret',
  'api_secret',
  'key',
  'password',
  'authorization',
  'Authorization',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.apiSecret',
  '*.api_secret',
  '*.key',
  '*.password',
  '*.authorization',
  '*.Authorization',
  '*.headers',
  'headers',
  'requestOptions',
  '*.requestOptions',
  'config',
  // An HTTP client's error (axios-style) keeps the signed request in config, request and response.config.
  '*.config',
  '*.request',
  '*.response.config',
  '*.response.request',
  'DESK_TOKENS',
  'BYBIT_API_KEY',
  'BYBIT_API_SECRET',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'MCP_CONFIRM_SECRET',
];

/** The desk's root logger type. */
export type DeskLogger = Logger;

/**
 * Creates the root pino logger: JSON lines (pretty when `pretty` is true), secrets redacted by path.
 * `destination` lets tests capture output; never throws for a valid level.
 */
export function createLogger(opts: { level?: string; pretty?: boolean; destination?: DestinationStream } = {}): DeskLogger {
  const options = {
    level: opts.level ?? 'info',
    base: { app: 'signal-desk' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(options);
}

/** A logger that writes nothing (tests and tools). */
export const silentLogger: DeskLogger = pino({ level: 'silent' });
