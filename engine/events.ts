import type { Position, ReportResult, Side, Signal } from './schemas.ts';

/** Every event the desk emits; front-ends render these and nothing else. */
export type DeskEvent =
  | { type: 'signal.created'; at: number; signal: Signal }
  | { type: 'signal.expired'; at: number; signalId: string }
  | {
      type: 'order.placed';
      at: number;
      orderId: string;
      orderLinkId: string;
      signalId: string | null;
      actorKind: string;
      actorId: string;
      symbol: string;
      side: Side;
      qty: number;
      reduceOnly: boolean;
    }
  | {
      type: 'order.filled';
      at: number;
      orderId: string;
      actorKind: string;
      actorId: string;
      symbol: string;
      side: Side;
      qty: number;
      price: number;
      reduceOnly: boolean;
    }
  | { type: 'order.rejected'; at: number; orderLinkId: string; actorKind: string; actorId: string; symbol: string; code: string }
  | { type: 'position.opened'; at: number; position: Position }
  | { type: 'position.updated'; at: number; position: Position; change: 'target' | 'break_even' | 'trailing' | 'partial_close' }
  | { type: 'position.closed'; at: number; position: Position; reason: string }
  | { type: 'risk.tripped'; at: number; what: 'breaker' | 'kill_switch' | 'paused'; reason: string; actorId: string | null }
  | { type: 'risk.cleared'; at: number; what: 'breaker' | 'kill_switch' | 'paused'; actorId: string | null }
  | { type: 'feed.gap'; at: number; symbol: string; interval: string; missing: number; repaired: boolean }
  | { type: 'feed.stale'; at: number; lagMs: number }
  | { type: 'strategy.stage'; at: number; strategy: string; stage: 'live' | 'shadow'; reason: string }
  | { type: 'reconcile.mismatch'; at: number; symbol: string; action: 'adopted' | 'closed' | 'flagged'; reason: string }
  | { type: 'report.daily'; at: number; report: ReportResult };

/** The `type` tag of a DeskEvent. */
export type DeskEventType = DeskEvent['type'];

/** Every event type, for subscription topic validation. */
export const DESK_EVENT_TYPES: readonly DeskEventType[] = [
  'signal.created',
  'signal.expired',
  'order.placed',
  'order.filled',
  'order.rejected',
  'position.opened',
  'position.updated',
  'position.closed',
  'risk.tripped',
  'risk.cleared',
  'feed.gap',
  'feed.stale',
  'strategy.stage',
  'reconcile.mismatch',
  'report.daily',
];

/**
 * A listener; an exception it throws, or a rejection of the promise it returns, is reported to the
 * bus's error hook, never to the emitter (the bus does not wait for the promise).
 */
export type DeskListener = (event: DeskEvent) => unknown;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';

/**
 * A synchronous in-process event bus. Listeners run in subscription order; one that throws is
 * isolated (reported via `onListenerError`) so a broken front-end never blocks the engine.
 */
export class EventBus {
  private readonly listeners = new Set<DeskListener>();

  /** Creates a bus; `onListenerError` receives listener failures (default: ignore). */
  constructor(private readonly onListenerError: (err: unknown, event: DeskEvent) => void = () => {}) {}

  /** Adds a listener and returns the function that removes it. */
  subscribe(listener: DeskListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Delivers `event` to every listener; never throws, and an async listener's rejection is never left unhandled. */
  emit(event: DeskEvent): void {
    for (const l of [...this.listeners]) {
      try {
        const r = l(event);
        if (isThenable(r)) r.then(undefined, (err: unknown) => this.report(err, event));
      } catch (err) {
        this.report(err, event);
      }
    }
  }

  private report(err: unknown, event: DeskEvent): void {
    try {
      this.onListenerError(err, event);
    } catch {
      // The error hook itself failed (a logger that throws): there is nowhere left to report it.
    }
  }

  /** Number of listeners (for metrics and tests). */
  get size(): number {
    return this.listeners.size;
  }
}
