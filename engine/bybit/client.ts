import { RestClientV5, WebsocketClient, WS_KEY_MAP } from 'bybit-api';
import type { WsKey } from 'bybit-api';
import type { DeskConfig } from '../config.ts';
import type { DeskLogger } from '../log.ts';
import { DeskError } from '../errors.ts';

/** The wsKey of the public linear stream (one shared connection). */
export const PUBLIC_WS_KEY: WsKey = WS_KEY_MAP.v5LinearPublic;
/** The wsKey of the private stream (order, execution, position, wallet). */
export const PRIVATE_WS_KEY: WsKey = WS_KEY_MAP.v5Private;

/** Most topics sent in one subscribe request (Bybit asks for at most 10 args per request). */
export const MAX_TOPICS_PER_SUBSCRIBE = 10;

/**
 * bybit-api's WebsocketClient with subscribe requests chunked to ≤ 10 topics (the library default for
 * linear is 500) — Bybit documents 10 args per subscribe request on the public streams.
 */
class ChunkedWebsocketClient extends WebsocketClient {
  protected override getMaxTopicsPerSubscribeEvent(): number | null {
    return MAX_TOPICS_PER_SUBSCRIBE;
  }
}

/**
 * A logger for bybit-api's internals that forwards only the message string (and a wsKey) to pino:
 * the library's extra arguments can hold errors with request options, so they are dropped.
 */
export function vendorLogger(logger: DeskLogger): { trace: (...p: unknown[]) => void; info: (...p: unknown[]) => void; error: (...p: unknown[]) => void } {
  const pick = (params: unknown[]): { msg: string; wsKey?: string } => {
    const msg = typeof params[0] === 'string' ? params[0].slice(0, 200) : 'bybit-api event';
    for (const p of params.slice(1)) {
      if (p && typeof p === 'object' && typeof (p as { wsKey?: unknown }).wsKey === 'string') {
        return { msg, wsKey: (p as { wsKey: string }).wsKey };
      }
    }
    return { msg };
  };
  return {
    trace: () => undefined,
    info: (...p) => {
      const { msg, wsKey } = pick(p);
      logger.debug({ vendor: 'bybit-api', wsKey }, msg);
    },
    error: (...p) => {
      const { msg, wsKey } = pick(p);
      logger.warn({ vendor: 'bybit-api', wsKey }, msg);
    },
  };
}

/** Options shared by the REST and WS builders. */
export interface BybitClientOptions {
  /** REST request timeout in ms (default 10 000; bybit-api's own default is 5 minutes). */
  restTimeoutMs?: number;
  /** WS heartbeat: ping every `pingIntervalMs`, reconnect if no pong in `pongTimeoutMs`. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Delay before a dropped socket reconnects (default 500 ms). */
  reconnectDelayMs?: number;
}

function envFlags(config: DeskConfig): { testnet: boolean; demoTrading: boolean } {
  return { testnet: config.BYBIT_ENV === 'testnet', demoTrading: config.BYBIT_ENV === 'demo' };
}

/**
 * Builds the REST client for BYBIT_ENV (mainnet | testnet | demo) or BYBIT_REST_URL; with `signed`
 * it carries BYBIT_API_KEY/SECRET and throws DeskError CONFIG when either is missing.
 */
export function createRestClient(config: DeskConfig, opts: BybitClientOptions & { signed: boolean }): RestClientV5 {
  if (opts.signed && (!config.BYBIT_API_KEY || !config.BYBIT_API_SECRET)) {
    throw new DeskError('CONFIG', { key: 'BYBIT_API_KEY', reason: 'BYBIT_API_KEY and BYBIT_API_SECRET are required for live trading' }, 'config: Bybit credentials missing');
  }
  return new RestClientV5(
    {
      ...envFlags(config),
      ...(opts.signed ? { key: config.BYBIT_API_KEY, secret: config.BYBIT_API_SECRET } : {}),
      ...(config.BYBIT_REST_URL ? { baseUrl: config.BYBIT_REST_URL.replace(/\/+$/, '') } : {}),
      recv_window: 5000,
      parseAPIRateLimits: true,
      throwExceptions: false,
    },
    { timeout: opts.restTimeoutMs ?? 10_000 },
  );
}

/**
 * Builds a WebsocketClient for one side: 'public' (linear market data, BYBIT_WS_PUBLIC_URL override,
 * no credentials) or 'private' (BYBIT_WS_PRIVATE_URL override, key + secret; CONFIG error if missing).
 * bybit-api's `wsUrl` option replaces the URL of every connection of a client, so each side gets its own.
 */
export function createWsClient(config: DeskConfig, side: 'public' | 'private', logger: DeskLogger, opts: BybitClientOptions = {}): WebsocketClient {
  if (side === 'private' && (!config.BYBIT_API_KEY || !config.BYBIT_API_SECRET)) {
    throw new DeskError('CONFIG', { key: 'BYBIT_API_KEY', reason: 'BYBIT_API_KEY and BYBIT_API_SECRET are required for the private stream' }, 'config: Bybit credentials missing');
  }
  const url = side === 'public' ? config.BYBIT_WS_PUBLIC_URL : config.BYBIT_WS_PRIVATE_URL;
  return new ChunkedWebsocketClient(
    {
      ...envFlags(config),
      ...(side === 'private' ? { key: config.BYBIT_API_KEY, secret: config.BYBIT_API_SECRET } : {}),
      ...(url ? { wsUrl: url } : {}),
      pingInterval: opts.pingIntervalMs ?? 10_000,
      pongTimeout: opts.pongTimeoutMs ?? 5_000,
      reconnectTimeout: opts.reconnectDelayMs ?? 500,
      recvWindow: 5000,
    },
    vendorLogger(logger),
  );
}

/**
 * Forces the socket behind `wsKey` to drop so bybit-api reconnects and resubscribes (used by the
 * stale-stream watchdog); resolves false when there is no open socket. Never throws.
 */
export function forceReconnect(ws: WebsocketClient, wsKey: WsKey): boolean {
  try {
    const sock = ws.getWsStore().getWs(wsKey) as { terminate?: () => void } | undefined;
    if (!sock || typeof sock.terminate !== 'function') return false;
    sock.terminate();
    return true;
  } catch {
    return false;
  }
}
