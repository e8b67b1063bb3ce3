import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger, systemClock, type Actor, type Clock, type DeskApi, type DeskConfig, type DeskLogger, type DeskMetrics } from '../engine/index.ts';
import { checkHostAndOrigin, createBearerAuth, defaultAllowedHostnames } from './http-auth.ts';
import { createMcpServer, createMcpShared, type McpShared } from './server.ts';

/** A mountable route, shaped like rpc/http-server.ts's HttpRoute (any method, exact path). */
export interface McpRoute {
  method?: string;
  path: '/mcp';
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Options of createMcpHttp. */
export interface McpHttpOptions {
  desk: DeskApi;
  config: DeskConfig;
  logger?: DeskLogger;
  clock?: Clock;
  metrics?: DeskMetrics;
  /** Extra hostnames the Host/Origin check accepts (loopback and DESK_HOST always are). */
  allowedHosts?: readonly string[];
  /** Sessions idle longer than this (by `clock`) are closed (default 30 min). */
  idleMs?: number;
  /** Most concurrent sessions (default 64); beyond it new sessions get 503. */
  maxSessions?: number;
}

/** The /mcp endpoint: its route, live session count and shutdown. */
export interface McpHttp {
  route: McpRoute;
  /** Number of open sessions. */
  readonly sessions: number;
  /** Shared guard state (caps ledger, tokens, events) used by every session. */
  shared: McpShared;
  /** Closes every session and stops the idle sweep; never rejects. */
  close(): Promise<void>;
}

interface Session {
  actor: Actor;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
}

const MAX_INIT_BODY = 1 << 20;

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_INIT_BODY) throw new RangeError('too large');
    chunks.push(b);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The MCP Streamable HTTP endpoint for the desk's server: stateful sessions (one McpServer each,
 * bound to the bearer token's actor), Host/Origin validation, bearer auth from DESK_TOKENS, idle
 * cleanup. Mount `route` on the desk's HTTP server; never throws at construction.
 */
export function createMcpHttp(opts: McpHttpOptions): McpHttp {
  const log = (opts.logger ?? silentLogger).child({ module: 'mcp-http' });
  const clock = opts.clock ?? systemClock;
  const shared = createMcpShared(opts.desk, opts.config, clock);
  const auth = createBearerAuth(opts.config.DESK_TOKENS);
  const hosts = defaultAllowedHostnames(opts.config.DESK_HOST, opts.allowedHosts);
  const idleMs = opts.idleMs ?? 30 * 60_000;
  const maxSessions = opts.maxSessions ?? 64;
  const sessions = new Map<string, Session>();
  let closed = false;

  const drop = (id: string): void => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    log.info({ sessionId: id.slice(0, 8), actor: s.actor.id }, 'mcp session closed');
    s.server.close().catch(() => {});
  };

  const sweep = setInterval(() => {
    const now = clock.now();
    for (const [id, s] of sessions) if (now - s.lastSeen > idleMs) void s.transport.close().finally(() => drop(id));
  }, Math.min(60_000, Math.max(1_000, Math.floor(idleMs / 2))));
  sweep.unref();

  const startSession = async (req: IncomingMessage, res: ServerResponse, actor: Actor): Promise<void> => {
    if (req.method !== 'POST') {
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid session; initialize first');
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (e) {
      jsonRpcError(res, e instanceof RangeError ? 413 : 400, -32700, e instanceof RangeError ? 'Request too large' : 'Parse error');
      return;
    }
    if (!isInitializeRequest(body)) {
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid session; initialize first');
      return;
    }
    if (sessions.size >= maxSessions) {
      jsonRpcError(res, 503, -32000, 'Too many MCP sessions; close one and retry');
      return;
    }
    const server = createMcpServer(opts.desk, actor, { config: opts.config, logger: opts.logger, clock, metrics: opts.metrics, shared });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { actor, server, transport, lastSeen: clock.now() });
        log.info({ sessionId: id.slice(0, 8), actor: actor.id, role: actor.role }, 'mcp session opened');
      },
      onsessionclosed: (id) => drop(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) drop(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!transport.sessionId) await server.close().catch(() => {});
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (closed) return jsonRpcError(res, 503, -32000, 'Shutting down');
      const bad = checkHostAndOrigin(req, hosts);
      if (bad) {
        log.warn({ reason: bad }, 'mcp request refused');
        return jsonRpcError(res, 403, -32000, `Forbidden: ${bad}`);
      }
      const actor = auth(req);
      if (!actor) {
        log.warn({ reason: 'bad or missing bearer token' }, 'mcp request refused');
        return jsonRpcError(res, 401, -32001, 'Unauthorized: send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="signal-desk"' });
      }
      const sid = req.headers['mcp-session-id'];
      if (sid === undefined) return await startSession(req, res, actor);
      const s = typeof sid === 'string' ? sessions.get(sid) : undefined;
      // Another actor's session id is treated exactly like an unknown one.
      if (!s || s.actor.id !== actor.id || s.actor.role !== actor.role) return jsonRpcError(res, 404, -32001, 'Session not found');
      s.lastSeen = clock.now();
      await s.transport.handleRequest(req, res);
    } catch (err) {
      log.error({ errName: err instanceof Error ? err.name : typeof err }, 'mcp request failed');
      jsonRpcError(res, 500, -32603, 'Internal error');
    }
  };

  return {
    route: { path: '/mcp', handle },
    get sessions() {
      return sessions.size;
    },
    shared,
    async close() {
      closed = true;
      clearInterval(sweep);
      const all = [...sessions.entries()];
      await Promise.all(all.map(([id, s]) => s.transport.close().catch(() => {}).finally(() => drop(id))));
      shared.events.close();
    },
  };
}
