import { JSONRPCClient, JSONRPCServerAndClient } from 'json-rpc-2.0';
import { WebSocket } from 'ws';
import { DeskError, type DeskEvent, type DeskEventType, type DeskLogger, type Actor } from '../engine/index.ts';
import type { TokenAuth } from '../engine/index.ts';
import { createMethodServer, type MethodServerDeps, type RpcContext } from './method-server.ts';
import { AuthInput, SubscribeInput, UnsubscribeInput, parseParams } from './methods.ts';
import { answer } from './wire.ts';
import { scheduleFlush } from './write-batch.ts';

/** Tunables of one WebSocket session. */
export interface WsSessionOptions {
  deps: MethodServerDeps;
  auth: TokenAuth;
  logger: DeskLogger;
  /** Actor from the upgrade's Authorization header, or null to require an `auth` call. */
  actor: Actor | null;
  /** Close the socket unless it authenticates within this many ms. */
  authTimeoutMs: number;
  /** Drop the socket when more than this many bytes are queued to it. */
  maxBufferedBytes: number;
  /** Called once when the socket is gone. */
  onClose: () => void;
}

/** One authenticated (or authenticating) WebSocket peer: its JSON-RPC endpoint and event topics. */
export interface WsSession {
  /** Sends `event` as an `event` notification if the socket subscribed to its type; never throws. */
  deliver(event: DeskEvent): void;
  /** Closes the socket with `code` (1001 on shutdown); never throws. */
  close(code: number, reason: string): void;
  /** Kills the socket if it missed the last ping; otherwise pings it. Never throws. */
  heartbeat(): void;
}

const PAUSE_AT = 256;
const RESUME_AT = 64;

/**
 * Serves JSON-RPC on one WebSocket with its own JSONRPCServerAndClient (the actor passed as server
 * params): the Desk methods plus `auth`, `events.subscribe` and `events.unsubscribe`. Replies follow
 * the spec exactly (see wire.ts). A failed `auth` closes the socket (1008) after its error reply; no
 * auth within the timeout closes it (1008); a peer whose unsent backlog exceeds maxBufferedBytes is
 * terminated rather than buffered. Never throws.
 */
export function attachWsSession(ws: WebSocket, opts: WsSessionOptions): WsSession {
  const log = opts.logger;
  let actor = opts.actor;
  let alive = true;
  let closed = false;
  let closeAfterReply = false;
  let inflight = 0;
  let paused = false;
  const topics = new Set<DeskEventType>();

  const drop = (why: string): void => {
    if (closed) return;
    log.warn({ actor: actor?.id ?? null, why }, 'rpc socket dropped');
    ws.terminate();
  };
  // Frames wait in `outbox` (in order: replies and notifications alike) until the end of the
  // event-loop turn (write-batch.ts); `closeAt` > 0 closes the socket (failed auth) once that many
  // of them are written.
  let outbox: string[] = [];
  let closeAt = 0;
  const flush = (): void => {
    const texts = outbox;
    const closeAfter = closeAt;
    outbox = [];
    closeAt = 0;
    for (let i = 0; i < texts.length; i++) {
      if (closed || ws.readyState !== WebSocket.OPEN) return;
      ws.send(texts[i]!);
      if (i + 1 === closeAfter) {
        ws.close(1008, 'authentication failed');
        return;
      }
    }
    if (ws.bufferedAmount > opts.maxBufferedBytes) drop('slow consumer');
  };
  const send = (payload: unknown): void => {
    if (closed || ws.readyState !== WebSocket.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch {
      return;
    }
    if (outbox.push(text) === 1) scheduleFlush(flush);
  };

  const sac = new JSONRPCServerAndClient<RpcContext, void>(createMethodServer(opts.deps), new JSONRPCClient<void>((payload) => send(payload)), {
    errorListener: () => {},
  });

  sac.addMethod('auth', async (params: unknown) => {
    const p = parseParams(AuthInput, params);
    const who = opts.auth.authenticate(p.token);
    if (!who) {
      closeAfterReply = true;
      log.warn({ was: actor?.id ?? null }, 'rpc websocket auth failed');
      throw new DeskError('UNAUTHENTICATED', {}, 'bad token');
    }
    actor = who;
    clearTimeout(authTimer);
    return { name: who.id, role: who.role };
  });
  sac.addMethod('events.subscribe', async (params: unknown, ctx: RpcContext) => {
    const p = parseParams(SubscribeInput, params);
    if (p.topics.includes('report.daily') && ctx.actor?.role !== 'admin') {
      throw new DeskError('FORBIDDEN', { topic: 'report.daily', need: 'admin' }, 'report.daily needs admin');
    }
    for (const t of p.topics) topics.add(t);
    return { topics: [...topics] };
  });
  sac.addMethod('events.unsubscribe', async (params: unknown) => {
    const p = parseParams(UnsubscribeInput, params);
    if (p.topics === undefined) topics.clear();
    else for (const t of p.topics) topics.delete(t);
    return { topics: [...topics] };
  });

  const authTimer = setTimeout(() => {
    if (!actor && !closed) {
      log.info('rpc websocket closed: no auth in time');
      ws.close(1008, 'authentication required');
    }
  }, opts.authTimeoutMs);
  authTimer.unref();
  if (actor) clearTimeout(authTimer);

  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    inflight += 1;
    if (inflight >= PAUSE_AT && !paused) {
      paused = true;
      ws.pause();
    }
    const ctx: RpcContext = { actor };
    void answer(text, (req) => sac.server.receive(req, ctx), (res) => sac.client.receive(res)).then((reply) => {
      inflight -= 1;
      if (paused && inflight <= RESUME_AT) {
        paused = false;
        ws.resume();
      }
      if (reply !== null) send(reply);
      if (closeAfterReply && !closed && closeAt === 0) {
        if (outbox.length === 0) ws.close(1008, 'authentication failed');
        else closeAt = outbox.length;
      }
    });
  });
  ws.on('pong', () => {
    alive = true;
  });
  ws.on('error', () => {
    // 'close' follows; errors (oversized frames, bad UTF-8 frames) carry nothing the client should see.
  });
  ws.once('close', () => {
    closed = true;
    clearTimeout(authTimer);
    topics.clear();
    outbox = [];
    sac.rejectAllPendingRequests('connection closed');
    opts.onClose();
  });

  return {
    deliver(event) {
      if (closed || !actor || !topics.has(event.type)) return;
      try {
        sac.notify('event', event);
      } catch {
        drop('notify failed');
      }
    },
    close(code, reason) {
      if (closed) return;
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
      }
    },
    heartbeat() {
      if (closed) return;
      if (!alive) return drop('no pong');
      alive = false;
      try {
        ws.ping();
      } catch {
        drop('ping failed');
      }
    },
  };
}
