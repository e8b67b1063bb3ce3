import { WebSocket } from 'ws';
import { type Clock, type Desk, type DeskConfig, type DeskLogger, testConfig, type DeskApi, silentLogger, createMetrics, type DeskMetrics } from '../../engine/index.ts';
import { createHttpServer, type DeskHttpServer } from '../../rpc/http-server.ts';
import { createRpcHandler, type RpcHandler } from '../../rpc/rpc-handler.ts';
import { createFakeDesk } from './fake-desk.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { httpRequest, type HttpReply } from './http-helpers.ts';

/** Bearer secrets of the three test tokens, by role. */
export const TOKENS = {
  admin: 'admin-secret-0123456789',
  trader: 'trader-secret-0123456789',
  viewer: 'viewer-secret-0123456789',
} as const;

/** DESK_TOKENS value naming alice (admin), tom (trader) and vic (viewer). */
export const DESK_TOKENS = `alice:admin:${TOKENS.admin},tom:trader:${TOKENS.trader},vic:viewer:${TOKENS.viewer}`;

/** A running desk HTTP server with the RPC handler mounted on 127.0.0.1 and a free port. */
export interface RpcRig<D extends DeskApi> {
  port: number;
  desk: D;
  http: DeskHttpServer;
  rpc: RpcHandler;
  metrics: DeskMetrics;
  /** POSTs `body` (a value is JSON-encoded) to /rpc with `token` as bearer (none when null). */
  post(body: unknown, token?: string | null): Promise<HttpReply>;
  /** Opens a WebSocket to /rpc, with `token` as bearer header when given. */
  ws(token?: string): Promise<WsPeer>;
  close(): Promise<void>;
}

/** Options of startRig. */
export interface RigOptions<D extends DeskApi> {
  desk?: D;
  env?: Record<string, string>;
  /** Use this config instead of testConfig(env) (e.g. the real test desk's). */
  config?: DeskConfig;
  /** Use these metrics (e.g. the real test desk's). */
  metrics?: DeskMetrics;
  clock?: Clock;
  /** Logger for the server and handler (default: silent). */
  logger?: DeskLogger;
  authTimeoutMs?: number;
  maxBufferedBytes?: number;
}

/** Starts the HTTP server + RPC handler over `desk` (a fresh fake when omitted); rejects if binding fails. */
export async function startRig<D extends DeskApi = ReturnType<typeof createFakeDesk>>(o: RigOptions<D> = {}): Promise<RpcRig<D>> {
  const desk = (o.desk ?? createFakeDesk()) as D;
  const metrics = o.metrics ?? createMetrics(false);
  const config = o.config ?? testConfig({ DESK_TOKENS, ...o.env });
  const http = createHttpServer({ host: '127.0.0.1', port: 0, logger: o.logger ?? silentLogger, metrics, health: async () => ({ ok: true }) });
  const rpc = createRpcHandler({
    desk,
    config,
    logger: o.logger ?? silentLogger,
    metrics,
    clock: o.clock,
    authTimeoutMs: o.authTimeoutMs,
    maxBufferedBytes: o.maxBufferedBytes,
  });
  http.addRoute(rpc.route);
  http.addUpgrade('/rpc', rpc.upgrade);
  const { port } = await http.listen();
  const peers: WsPeer[] = [];
  return {
    port,
    desk,
    http,
    rpc,
    metrics,
    post(body, token = TOKENS.admin) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      return httpRequest(port, 'POST', '/rpc', text, headers);
    },
    async ws(token) {
      const p = await WsPeer.open(`ws://127.0.0.1:${port}/rpc`, token);
      peers.push(p);
      return p;
    },
    async close() {
      for (const p of peers) p.socket.terminate();
      await rpc.close();
      await http.close();
    },
  };
}

/** A WebSocket client that queues incoming JSON messages for the test to await in order. */
export class WsPeer {
  private readonly queue: unknown[] = [];
  private waiters: ((v: unknown) => void)[] = [];
  /** Close code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (d: Buffer) => {
      const v = JSON.parse(d.toString('utf8')) as unknown;
      const w = this.waiters.shift();
      if (w) w(v);
      else this.queue.push(v);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  /** Connects; rejects with the HTTP status on a refused upgrade (e.g. "Unexpected server response: 401"). */
  static open(url: string, token?: string): Promise<WsPeer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, perMessageDeflate: false });
      socket.once('open', () => resolve(new WsPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a value as JSON (or a string verbatim). */
  send(v: unknown): void {
    this.socket.send(typeof v === 'string' ? v : JSON.stringify(v));
  }

  /** The next message, or rejects after `ms`. */
  next(ms = 2000): Promise<any> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('no message in time'));
      }, ms);
      const done = (v: unknown): void => {
        clearTimeout(t);
        resolve(v);
      };
      this.waiters.push(done);
    });
  }

  /** True when no message arrives within `ms`. */
  async silent(ms = 150): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  /** Sends a request and awaits the next message (the reply when nothing else is in flight). */
  async call(method: string, params?: unknown, id: string | number = 1): Promise<any> {
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.next();
  }
}

/** One use-case call observed on a recorded desk. */
export interface RecordedCall {
  use: string;
  actor: unknown;
  input: unknown;
}

/** A desk whose use-case calls are recorded (args as received) before being forwarded unchanged. */
export type Recorded<D> = D & { calls: RecordedCall[] };

/** Wraps a real desk in a Proxy that records every method call and forwards it untouched; never throws itself. */
export function recordCalls<D extends object>(desk: D): Recorded<D> {
  const calls: RecordedCall[] = [];
  return new Proxy(desk, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'subscribe' || prop === 'emit') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        calls.push({ use: String(prop), actor: args[0], input: args[1] });
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Recorded<D>;
}

/** A rig over a real test desk (createTestDesk with the three tokens), its calls recorded. */
export interface DeskRig extends RpcRig<Recorded<Desk>> {
  t: TestDesk;
}

/** Starts a real test desk (env overrides applied) and the RPC rig over it; close() stops both. */
export async function startDeskRig(env: Record<string, string> = {}, o: Omit<RigOptions<Desk>, 'desk' | 'config' | 'metrics' | 'env'> = {}): Promise<DeskRig> {
  const t = await createTestDesk({ DESK_TOKENS, ...env });
  const r = await startRig({ ...o, desk: recordCalls(t.desk), config: t.config, metrics: t.metrics, clock: o.clock ?? t.clock });
  return {
    ...r,
    t,
    async close() {
      await r.close();
      await t.close();
    },
  };
}
