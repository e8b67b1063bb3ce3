import { randomUUID } from 'node:crypto';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ServedBar } from './symbol-market.ts';

interface PublicConn {
  ws: WebSocket;
  connId: string;
  topics: Set<string>;
}

/** Checks a public topic: returns null when the fake can serve it, else Bybit-like failure text. */
export type TopicCheck = (topic: string) => string | null;

/** A `kline.{interval}.{symbol}` message shaped like ws-kline.json; never throws. */
export function klineMessage(symbol: string, b: ServedBar, timestamp: number): Record<string, unknown> {
  return {
    topic: `kline.${b.interval}.${symbol}`,
    data: [
      {
        start: b.start,
        end: b.end,
        interval: b.interval,
        open: b.open,
        close: b.close,
        high: b.high,
        low: b.low,
        volume: b.volume,
        turnover: b.turnover,
        confirm: b.confirm,
        timestamp,
      },
    ],
    ts: timestamp,
    type: 'snapshot',
  };
}

/**
 * The public linear stream (/v5/public/linear): ping/pong, subscribe/unsubscribe with req_id, and
 * fan-out of messages to subscribed sockets. Malformed requests get `success:false`; never throws.
 */
/** A frame publish() held back for one socket, or (conn null) a callback to run once the frames before it are sent. */
interface HeldFrame {
  conn: PublicConn | null;
  text: string;
  onSent?: () => void;
}

export class PublicStream {
  private readonly conns = new Set<PublicConn>();
  /** While hold() runs: the frames publish() produced, not yet sent (and what to run once they are). */
  private held: HeldFrame[] | null = null;

  /** Attaches to `wss`; `check` validates topics; `onSubscribed` runs after a topic is added (e.g. to push a ticker snapshot). */
  constructor(
    wss: WebSocketServer,
    private readonly check: TopicCheck,
    private readonly onSubscribed: (topic: string, send: (msg: unknown) => void) => void,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const conn: PublicConn = { ws, connId: randomUUID(), topics: new Set() };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => this.conns.delete(conn));
    ws.on('message', (raw) => this.onMessage(conn, raw.toString()));
  }

  private reply(conn: PublicConn, msg: Record<string, unknown>): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(msg));
  }

  private onMessage(conn: PublicConn, text: string): void {
    let req: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      this.reply(conn, { success: false, ret_msg: 'error:request not supported', conn_id: conn.connId, req_id: '', op: '' });
      return;
    }
    const reqId = typeof req.req_id === 'string' ? req.req_id : '';
    const op = typeof req.op === 'string' ? req.op : '';
    if (op === 'ping') {
      this.reply(conn, { success: true, ret_msg: 'pong', conn_id: conn.connId, req_id: reqId, op: 'ping' });
      return;
    }
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      this.reply(conn, { success: false, ret_msg: `error:unsupported op ${op}`, conn_id: conn.connId, req_id: reqId, op });
      return;
    }
    const args = Array.isArray(req.args) ? req.args.filter((a): a is string => typeof a === 'string') : [];
    if (args.length === 0) {
      this.reply(conn, { success: false, ret_msg: 'error:args is empty', conn_id: conn.connId, req_id: reqId, op });
      return;
    }
    const errors: string[] = [];
    const added: string[] = [];
    for (const topic of args) {
      if (op === 'unsubscribe') {
        conn.topics.delete(topic);
        continue;
      }
      const bad = this.check(topic);
      if (bad) errors.push(bad);
      else if (conn.topics.has(topic)) errors.push(`error:already subscribed,topic:${topic}`);
      else {
        conn.topics.add(topic);
        added.push(topic);
      }
    }
    this.reply(conn, { success: errors.length === 0, ret_msg: errors.join(';'), conn_id: conn.connId, req_id: reqId, op });
    for (const topic of added) this.onSubscribed(topic, (msg) => this.reply(conn, msg as Record<string, unknown>));
  }

  /**
   * Sends `msg` to every socket subscribed to `topic` (or holds it, inside hold()), then runs
   * `onSent` (once the held frames are really sent; never, if their sender is never called).
   */
  publish(topic: string, msg: Record<string, unknown>, onSent?: () => void): void {
    const text = JSON.stringify(msg);
    for (const c of this.conns) {
      if (!c.topics.has(topic) || c.ws.readyState !== c.ws.OPEN) continue;
      if (this.held) this.held.push({ conn: c, text });
      else c.ws.send(text);
    }
    if (!onSent) return;
    if (this.held) this.held.push({ conn: null, text: '', onSent });
    else onSent();
  }

  /**
   * Runs `fn` with every publish held back, rendered but unsent, and returns a function that sends
   * them in order (each socket corked meanwhile, so a step's frames leave in one write, as an
   * exchange's burst does). For benches that time the push apart from the fake's own work.
   */
  hold(fn: () => void): () => void {
    const outer = this.held;
    const held: HeldFrame[] = [];
    this.held = held;
    try {
      fn();
    } finally {
      this.held = outer;
    }
    return this.sender(held);
  }

  /**
   * Inside hold(): takes the frames held so far as a sender of their own (same rules as hold's),
   * leaving the frames published after it held as before. Outside hold(): a sender of nothing.
   */
  cut(): () => void {
    return this.sender(this.held ? this.held.splice(0) : []);
  }

  private sender(held: HeldFrame[]): () => void {
    return () => {
      // ws has no cork of its own: its net.Socket does (ws keeps it as _socket).
      const sockets = new Set<{ cork(): void; uncork(): void }>();
      for (const { conn } of held) {
        const s = conn && (conn.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
        if (s && !sockets.has(s)) {
          s.cork();
          sockets.add(s);
        }
      }
      for (const { conn, text, onSent } of held) {
        if (conn && conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
        onSent?.();
      }
      for (const s of sockets) s.uncork();
    };
  }

  /** How many open sockets are subscribed to `topic`. */
  followers(topic: string): number {
    let n = 0;
    for (const c of this.conns) if (c.topics.has(topic)) n++;
    return n;
  }

  /** Whether some socket is subscribed to `topic` (no set is built: replay asks this per symbol step). */
  hasSubscriber(topic: string): boolean {
    for (const c of this.conns) if (c.topics.has(topic)) return true;
    return false;
  }

  /** Every topic some open socket is subscribed to. */
  topics(): Set<string> {
    const out = new Set<string>();
    for (const c of this.conns) for (const t of c.topics) out.add(t);
    return out;
  }

  /** Number of open sockets. */
  get size(): number {
    return this.conns.size;
  }

  /** Abruptly drops every socket (TCP destroy, no close frame), like a network cut. */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }
}
