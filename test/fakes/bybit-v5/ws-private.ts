import { randomUUID } from 'node:crypto';
import type { WebSocket, WebSocketServer } from 'ws';

interface PrivateConn {
  ws: WebSocket;
  connId: string;
  authed: boolean;
  topics: Set<string>;
}

/** Private topic families the fake serves; `<family>.linear` and `<family>` are both accepted. */
export const PRIVATE_FAMILIES = ['order', 'execution', 'position', 'wallet'] as const;

/** A private topic family. */
export type PrivateFamily = (typeof PRIVATE_FAMILIES)[number];

function familyOf(topic: string): PrivateFamily | null {
  const base = topic.endsWith('.linear') ? topic.slice(0, -'.linear'.length) : topic;
  return (PRIVATE_FAMILIES as readonly string[]).includes(base) && !(base === 'wallet' && topic !== 'wallet') ? (base as PrivateFamily) : null;
}

/**
 * The private stream (/v5/private): `auth` with [apiKey, expires, signature], ping -> `op: pong`,
 * subscribe/unsubscribe (refused before auth), and pushes of order/execution/position/wallet.
 * Never throws; bad requests get `success:false`.
 */
export class PrivateStream {
  private readonly conns = new Set<PrivateConn>();

  /** Attaches to `wss`; `verify` checks auth args (null = ok, else failure text); `now` is the wall clock. */
  constructor(
    wss: WebSocketServer,
    private readonly verify: (args: unknown) => string | null,
    private readonly now: () => number,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const conn: PrivateConn = { ws, connId: `${randomUUID().slice(0, 20)}-${this.conns.size}`, authed: false, topics: new Set() };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => this.conns.delete(conn));
    ws.on('message', (raw) => this.onMessage(conn, raw.toString()));
  }

  private reply(conn: PrivateConn, msg: Record<string, unknown>): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(msg));
  }

  private onMessage(conn: PrivateConn, text: string): void {
    let req: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      this.reply(conn, { success: false, ret_msg: 'error:request not supported', op: '', conn_id: conn.connId });
      return;
    }
    const op = typeof req.op === 'string' ? req.op : '';
    const withId = (m: Record<string, unknown>) => (typeof req.req_id === 'string' ? { req_id: req.req_id, ...m } : m);
    if (op === 'ping') {
      this.reply(conn, { req_id: typeof req.req_id === 'string' ? req.req_id : '', op: 'pong', args: [String(this.now())], conn_id: conn.connId });
      return;
    }
    if (op === 'auth') {
      const bad = this.verify(req.args);
      conn.authed = bad === null;
      this.reply(conn, withId({ success: bad === null, ret_msg: bad ?? '', op: 'auth', conn_id: conn.connId }));
      return;
    }
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      this.reply(conn, withId({ success: false, ret_msg: `error:unsupported op ${op}`, op, conn_id: conn.connId }));
      return;
    }
    if (!conn.authed) {
      this.reply(conn, withId({ success: false, ret_msg: 'Request not authorized', op, conn_id: conn.connId }));
      return;
    }
    const args = Array.isArray(req.args) ? req.args.filter((a): a is string => typeof a === 'string') : [];
    const bad = args.filter((t) => familyOf(t) === null);
    if (args.length === 0 || bad.length) {
      this.reply(conn, withId({ success: false, ret_msg: args.length ? `error:handler not found,topic:${bad.join(',')}` : 'error:args is empty', op, conn_id: conn.connId }));
      return;
    }
    for (const t of args) {
      if (op === 'subscribe') conn.topics.add(t);
      else conn.topics.delete(t);
    }
    this.reply(conn, withId({ success: true, ret_msg: '', op, conn_id: conn.connId }));
  }

  /** Pushes `data` to every authenticated socket subscribed to `family` (as the topic it subscribed with). */
  push(family: PrivateFamily, data: unknown[]): void {
    if (data.length === 0) return;
    for (const c of this.conns) {
      if (!c.authed || c.ws.readyState !== c.ws.OPEN) continue;
      for (const t of c.topics) {
        if (familyOf(t) !== family) continue;
        c.ws.send(JSON.stringify({ id: `${randomUUID()}`, topic: t, creationTime: this.now(), data }));
      }
    }
  }

  /** True when some authenticated socket listens to `family`. */
  wants(family: PrivateFamily): boolean {
    for (const c of this.conns) if (c.authed) for (const t of c.topics) if (familyOf(t) === family) return true;
    return false;
  }

  /** Number of open sockets. */
  get size(): number {
    return this.conns.size;
  }

  /** Abruptly drops every socket (no close frame). */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }
}
