import { WebsocketClient } from 'bybit-api';

/** A logger that keeps the real client quiet in tests (errors are collected, not printed). */
export function quietLogger(errors: unknown[] = []) {
  return { trace: () => {}, info: () => {}, error: (...p: unknown[]) => void errors.push(p) };
}

/** A real WebsocketClient pointed at one fake stream, with short reconnect timings for tests. */
export function wsClient(wsUrl: string, creds?: { key: string; secret: string }): WebsocketClient {
  return new WebsocketClient({ wsUrl, ...creds, reconnectTimeout: 50, pingInterval: 10_000, pongTimeout: 2_000 }, quietLogger());
}

/** Every `update` message the client emits, in order, with a way to wait for one matching a predicate. */
export class Updates {
  readonly all: Record<string, unknown>[] = [];
  private waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];

  /** Starts collecting the client's `update` events. */
  constructor(client: WebsocketClient) {
    client.on('update', (m: unknown) => {
      const msg = m as Record<string, unknown>;
      this.all.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /** Resolves with the first past or future update matching `pred`; rejects after `ms`. */
  next(pred: (m: Record<string, unknown>) => boolean, ms = 5000, fromIndex = 0): Promise<Record<string, unknown>> {
    const hit = this.all.slice(fromIndex).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a ws update')), ms);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }
}

/** Resolves when `emitter` emits `event` with a payload matching `pred`; rejects after `ms`. */
export function once(client: WebsocketClient, event: string, pred: (e: Record<string, unknown>) => boolean = () => true, ms = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
    const fn = (e: unknown) => {
      if (!pred(e as Record<string, unknown>)) return;
      clearTimeout(t);
      client.removeListener(event as 'update', fn);
      resolve(e as Record<string, unknown>);
    };
    client.on(event as 'update', fn);
  });
}

/** Polls `cond` every 10 ms until true; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
