import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DeskLogger, DeskMetrics } from '../engine/index.ts';
import { HttpError, safeErr, sendJson } from './http-body.ts';

/** One mounted HTTP route: exact `path` (or everything under it when `prefix`), optionally one method. */
export interface HttpRoute {
  /** Upper-case HTTP method; any method when omitted. */
  method?: string;
  /** Path to match, without query string, e.g. "/rpc". */
  path: string;
  /** When true, also matches `path + "/..."`. */
  prefix?: boolean;
  /** Handles the request; a thrown HttpError becomes its status, anything else a 500 JSON reply. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
}

/** Handles an HTTP upgrade (WebSocket) for one path; owns `socket` from then on. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** What the desk's health check reports; `ok: false` makes GET /healthz answer 503. */
export type HealthReport = Record<string, unknown>;

/** Options of createHttpServer. */
export interface HttpServerOptions {
  host: string;
  port: number;
  logger: DeskLogger;
  metrics: DeskMetrics;
  /** The desk's health (mode, feed, lagMs, uptimeMs, ok); a rejection answers 503. */
  health: () => Promise<HealthReport>;
  routes?: HttpRoute[];
}

/** The desk's HTTP server: built-in /healthz and /metrics, mounted routes and upgrade handlers. */
export interface DeskHttpServer {
  server: Server;
  /** Starts listening; resolves with the bound address (port 0 picks a free port); rejects on bind errors. */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, destroys every open socket (upgraded ones too) and resolves within 5 s; never rejects. */
  close(): Promise<void>;
  /** Mounts a route; throws Error if the same method and path are already mounted. */
  addRoute(route: HttpRoute): void;
  /** Mounts a WebSocket upgrade handler for an exact path; throws Error if the path already has one. */
  addUpgrade(path: string, handler: UpgradeHandler): void;
}

const CLOSE_DEADLINE_MS = 5_000;

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function matches(route: HttpRoute, path: string): boolean {
  if (path === route.path) return true;
  return route.prefix === true && path.startsWith(route.path.endsWith('/') ? route.path : `${route.path}/`);
}

/**
 * Creates the desk's HTTP server on node:http: GET /healthz (200, or 503 when health says not ok),
 * GET /metrics (Prometheus text), mounted routes, 404/405 JSON for the rest. Nothing listens until
 * `listen()`; never throws at construction.
 */
export function createHttpServer(opts: HttpServerOptions): DeskHttpServer {
  const log = opts.logger.child({ module: 'http' });
  const routes: HttpRoute[] = [];
  const upgrades = new Map<string, UpgradeHandler>();
  const sockets = new Set<Socket>();
  let closing: Promise<void> | null = null;

  const builtins: HttpRoute[] = [
    {
      method: 'GET',
      path: '/healthz',
      async handle(_req, res) {
        let report: HealthReport;
        try {
          report = await opts.health();
        } catch (err) {
          log.warn({ err: { name: (err as Error)?.name } }, 'health check failed');
          sendJson(res, 503, { ok: false });
          return;
        }
        sendJson(res, report.ok === false ? 503 : 200, report);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handle(_req, res) {
        const text = await opts.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
    },
  ];

  const addRoute = (route: HttpRoute): void => {
    const method = route.method?.toUpperCase();
    const clash = [...builtins, ...routes].some(
      (r) => r.path === route.path && (r.method === undefined || method === undefined || r.method.toUpperCase() === method),
    );
    if (clash) throw new Error(`route already mounted: ${method ?? '*'} ${route.path}`);
    routes.push({ ...route, method });
  };
  for (const r of opts.routes ?? []) addRoute(r);

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req.url);
    let pathMatched: HttpRoute[] | null = null;
    for (const list of [builtins, routes]) {
      for (const r of list) {
        if (!matches(r, path)) continue;
        if (r.method === undefined || r.method === req.method) {
          await r.handle(req, res);
          return;
        }
        (pathMatched ??= []).push(r);
      }
    }
    if (!pathMatched) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const allow = [...new Set(pathMatched.map((r) => r.method ?? '*'))].join(', ');
    sendJson(res, 405, { error: 'method_not_allowed' }, { allow });
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        // Unread body bytes may remain on the socket: close it after replying.
        sendJson(res, err.status, { error: err.reason }, err.status === 413 ? { connection: 'close' } : {});
        return;
      }
      log.error({ err: safeErr(err), path: pathOf(req.url) }, 'route failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (closing) socket.destroy();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const handler = upgrades.get(pathOf(req.url));
    if (!handler || closing) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    try {
      handler(req, socket, head);
    } catch (err) {
      log.error({ err: safeErr(err) }, 'upgrade failed');
      socket.destroy();
    }
  });

  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });

  return {
    server,
    addRoute,
    addUpgrade(path, handler) {
      if (upgrades.has(path)) throw new Error(`upgrade already mounted: ${path}`);
      upgrades.set(path, handler);
    },
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(opts.port, opts.host, () => {
          server.off('error', onError);
          const addr = server.address();
          const port = typeof addr === 'object' && addr ? addr.port : opts.port;
          log.info({ host: opts.host, port }, 'http listening');
          resolve({ host: opts.host, port });
        });
      });
    },
    close() {
      if (closing) return closing;
      closing = new Promise<void>((resolve) => {
        let settled = false;
        const done = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, CLOSE_DEADLINE_MS);
        timer.unref();
        if (!server.listening) {
          for (const s of sockets) s.destroy();
          done();
          return;
        }
        server.close(() => done());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
