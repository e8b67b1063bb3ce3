import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  systemClock,
  type Clock,
  type DeskConfig,
  type DeskApi,
  DeskError,
  type DeskLogger,
  type DeskMetrics,
} from '../engine/index.ts';
import { createRpcTokenAuth } from './auth.ts';
import { SPEC_ERRORS, toRpcError } from './error-codes.ts';
import { HttpError, MAX_BODY_BYTES, readBody, sendJson } from './http-body.ts';
import type { HttpRoute, UpgradeHandler } from './http-server.ts';
import { createMethodServer, type MethodServerDeps } from './method-server.ts';
import { RPC_METHODS } from './methods.ts';
import { buildOpenRpc } from './openrpc.ts';
import { createRateLimiter } from './rate-limit.ts';
import { answer } from './wire.ts';
import { attachWsSession, type WsSession } from './ws-session.ts';

/** Options of createRpcHandler; the optional ones exist for tests and benchmarks. */
export interface RpcHandlerOptions {
  desk: DeskApi;
  config: DeskConfig;
  logger: DeskLogger;
  metrics: DeskMetrics;
  /** Time source of the rate limiter (default: the system clock). */
  clock?: Clock;
  /** WebSocket auth deadline (default 5000 ms). */
  authTimeoutMs?: number;
  /** Unsent bytes after which a WebSocket peer is dropped (default 4 MB). */
  maxBufferedBytes?: number;
  /** Most simultaneous WebSockets (default 1024); more are refused with 503. */
  maxSockets?: number;
  /** Ping interval for dead-peer detection (default 30000 ms). */
  heartbeatMs?: number;
  /** Version string in the OpenRPC document (default "0.1.0"). */
  version?: string;
}

/** The JSON-RPC control plane, ready to mount on the desk's HTTP server. */
export interface RpcHandler {
  /** POST /rpc: JSON-RPC 2.0 over HTTP (bearer auth). */
  route: HttpRoute;
  /** GET /rpc upgrade: JSON-RPC 2.0 over WebSocket with `event` notifications. */
  upgrade: UpgradeHandler;
  /** Stops the event feed, closes every WebSocket (1001) and refuses new calls; resolves within 2 s. */
  close(): Promise<void>;
  /** Open WebSocket sessions (for health and tests). */
  readonly sockets: number;
}

const errorBody = (code: DeskError['code'], detail: Record<string, string | number> = {}) => ({
  jsonrpc: '2.0' as const,
  id: null,
  error: toRpcError(new DeskError(code, detail)),
});

function rejectUpgrade(socket: Duplex, status: number, text: string, extra = ''): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
  socket.destroy();
}

/**
 * Builds the JSON-RPC 2.0 control plane over the Desk: POST /rpc (batches ≤ 50, body ≤ 1 MB) and
 * WebSocket GET /rpc (frames ≤ 1 MB, `auth` within 5 s unless the upgrade carried a valid bearer,
 * `event` notifications). Callers are DESK_TOKENS bearers acting as `{kind:'rpc', id:name, role}`;
 * with no tokens configured every call is refused. Never throws at construction.
 */
export function createRpcHandler(opts: RpcHandlerOptions): RpcHandler {
  const log = opts.logger.child({ module: 'rpc' });
  const clock = opts.clock ?? systemClock;
  const auth = createRpcTokenAuth(opts.config.DESK_TOKENS);
  if (auth.size === 0) log.warn('DESK_TOKENS is empty: every JSON-RPC call will be refused');
  let discoverDoc: Record<string, unknown> | null = null;
  const deps: MethodServerDeps = {
    desk: opts.desk,
    logger: log,
    metrics: opts.metrics,
    limiter: createRateLimiter(opts.config.RPC_RATE_PER_MIN, () => clock.now()),
    discover: () => (discoverDoc ??= buildOpenRpc(RPC_METHODS, opts.version ?? '0.1.0')),
  };
  const httpServer = createMethodServer(deps);
  const sessions = new Set<WsSession>();
  const maxSockets = opts.maxSockets ?? 1024;
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES, perMessageDeflate: false, clientTracking: true });

  const unsubscribe = opts.desk.subscribe((event) => {
    for (const s of sessions) s.deliver(event);
  });

  const heartbeat = setInterval(() => {
    for (const s of sessions) s.heartbeat();
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  const route: HttpRoute = {
    method: 'POST',
    path: '/rpc',
    async handle(req, res) {
      if (closing) {
        req.resume();
        sendJson(res, 503, errorBody('SHUTTING_DOWN'), { connection: 'close' });
        return;
      }
      const actor = auth.fromHeader(req.headers.authorization);
      if (!actor) {
        req.resume();
        sendJson(res, 401, errorBody('UNAUTHENTICATED'), { 'www-authenticate': 'Bearer realm="signal-desk"' });
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (err) {
        if (err instanceof HttpError && err.status === 413) {
          const reply = {
            jsonrpc: '2.0',
            id: null,
            error: { code: SPEC_ERRORS.INVALID_REQUEST, message: 'Invalid Request', data: { reason: `body larger than ${MAX_BODY_BYTES} bytes` } },
          };
          sendJson(res, 413, reply, { connection: 'close' });
          return;
        }
        throw err;
      }
      const ctx = { actor };
      const reply = await answer(body.toString('utf8'), (r) => httpServer.receive(r, ctx));
      if (reply === null) {
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
        return;
      }
      sendJson(res, 200, reply);
    },
  };

  const upgrade: UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (sessions.size >= maxSockets) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const header = req.headers.authorization;
    const actor = header === undefined ? null : auth.fromHeader(header);
    if (header !== undefined && !actor) {
      log.warn('rpc websocket upgrade with a bad bearer refused');
      return rejectUpgrade(socket, 401, 'Unauthorized', 'WWW-Authenticate: Bearer realm="signal-desk"\r\n');
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) {
        ws.close(1001, 'shutting down');
        return;
      }
      const session: WsSession = attachWsSession(ws, {
        deps,
        auth,
        logger: log,
        actor,
        authTimeoutMs: opts.authTimeoutMs ?? 5_000,
        maxBufferedBytes: opts.maxBufferedBytes ?? 4 * 1024 * 1024,
        onClose: () => sessions.delete(session),
      });
      sessions.add(session);
    });
  };

  return {
    route,
    upgrade,
    get sockets() {
      return sessions.size;
    },
    close() {
      if (!closing) {
        closing = true;
        unsubscribe();
        clearInterval(heartbeat);
        for (const s of sessions) s.close(1001, 'shutting down');
      }
      return new Promise<void>((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(deadline);
          clearInterval(poll);
          for (const ws of wss.clients) ws.terminate();
          wss.close(() => resolve());
        };
        const deadline = setTimeout(finish, 2_000);
        const poll = setInterval(() => {
          if (sessions.size === 0) finish();
        }, 20);
        if (sessions.size === 0) finish();
      });
    },
  };
}
