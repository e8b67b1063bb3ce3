import type { Execution } from '../exec/broker.ts';
import type { Side } from '../schemas.ts';
import type { DeskLogger } from '../log.ts';
import { num, positive } from './decimal.ts';
import { systemClock } from '../clock.ts';

/** The fields of a Bybit V5 execution (WS `execution` or REST /v5/execution/list row) the desk reads. */
export interface VendorExecution {
  category?: string;
  symbol: string;
  execId: string;
  orderId: string;
  orderLinkId?: string;
  side: string;
  execQty: string;
  execPrice: string;
  execFee?: string;
  execType?: string;
  execTime: string;
  closedSize?: string;
  stopOrderType?: string;
  createType?: string;
  seq?: number | string;
}

/** The fields of a Bybit V5 order update the broker reads. */
export interface VendorOrder {
  symbol: string;
  orderId: string;
  orderLinkId?: string;
  orderStatus: string;
  cumExecQty?: string;
  avgPrice?: string;
  qty?: string;
  side?: string;
  updatedTime?: string;
}

/** An order update as the broker hands it on, after the fills it reports were delivered. */
export interface OrderUpdate {
  orderId: string;
  orderLinkId: string;
  symbol: string;
  status: string;
  filledQty: number;
  avgPrice: number | null;
}

const TRADE_TYPES = new Set(['Trade', 'BustTrade', 'AdlTrade', 'Delivery', 'Settle']);
const STOP_TYPES = new Set(['StopLoss', 'PartialStopLoss', 'TrailingStop']);
const TARGET_TYPES = new Set(['TakeProfit', 'PartialTakeProfit']);

/**
 * Maps a vendor execution to the desk's Execution, or null for non-trade rows (funding fees...).
 * `side` is the side of the POSITION the fill opens or reduces (one-way mode): a Sell that closes
 * (closedSize > 0) belongs to a long. A row without a readable execTime is stamped `receivedAt`
 * (the ledger judges a fill by its time: 0 would read as older than every position). Never throws.
 */
export function toExecution(e: VendorExecution, receivedAt = 0): Execution | null {
  if (e.execType && !TRADE_TYPES.has(e.execType)) return null;
  const qty = num(e.execQty);
  const price = num(e.execPrice);
  if (!(qty > 0) || !(price > 0) || !e.execId) return null;
  const closing = num(e.closedSize) > 0;
  const buy = e.side === 'Buy';
  const side: Side = closing ? (buy ? 'short' : 'long') : buy ? 'long' : 'short';
  const sot = e.stopOrderType ?? '';
  let kind: Execution['kind'] = closing ? 'close' : 'entry';
  if (e.execType === 'BustTrade' || /Liq|Adl/i.test(e.createType ?? '')) kind = 'liquidation';
  else if (STOP_TYPES.has(sot)) kind = 'stop';
  else if (TARGET_TYPES.has(sot)) kind = 'target';
  return {
    execId: e.execId,
    orderId: e.orderId,
    orderLinkId: e.orderLinkId ?? '',
    symbol: e.symbol,
    side,
    qty,
    price,
    fee: num(e.execFee),
    reduceOnly: closing,
    kind,
    quoteId: null,
    at: num(e.execTime, receivedAt),
  };
}

/** Bybit V5 order statuses after which an order neither fills nor changes any more. */
export const FINAL_ORDER_STATUSES: ReadonlySet<string> = new Set(['Filled', 'Cancelled', 'Rejected', 'PartiallyFilledCanceled', 'Deactivated']);

/** Maps an order row to an OrderUpdate; never throws. */
export function toOrderUpdate(o: VendorOrder): OrderUpdate {
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId ?? '',
    symbol: o.symbol,
    status: o.orderStatus,
    filledQty: num(o.cumExecQty),
    avgPrice: positive(o.avgPrice),
  };
}

const PRIORITY: Record<string, number> = { execution: 0, order: 1, position: 2, wallet: 3 };

function topicBase(topic: string): string {
  return topic.split('.')[0] ?? topic;
}

/** What the router needs: sinks, a REST fallback for fills it has not seen, and a logger. */
export interface RouterDeps {
  logger: DeskLogger;
  /** Fetches the executions of one order over REST; rejects on failure. */
  fetchExecutions(q: { orderId: string }): Promise<VendorExecution[]>;
  onExecution(e: Execution): void | Promise<void>;
  /** Called when the sink refused an execution: the router now holds fills until a catch-up delivers them (see deliverExecutions). */
  onRefused?(): void;
  /** Start holding fills until a catch-up that ends the first hold: see BybitBrokerOptions.holdFillsUntilCatchUp. */
  holding?: boolean;
  /** The desk's clock (epoch ms): the time of a row whose execTime is unreadable; default the system clock. */
  now?: () => number;
  onOrder(o: OrderUpdate): void | Promise<void>;
  onPosition?(rows: unknown[]): void;
  onWallet?(rows: unknown[]): void;
}

/**
 * Orders the private stream: messages received in one burst are handled executions first, then order,
 * position and wallet updates; executions go out in venue order (time, then sequence), each execId
 * once; an order update whose cumExecQty is ahead of the fills seen for it first pulls the missing
 * fills over REST. All sink
 * calls run on one promise chain (awaited), so the desk sees fills before the order update that reports
 * them. Never throws: a refused execution is logged, and the router holds later fills until a catch-up
 * delivers it (see deliverExecutions).
 */
export class PrivateStreamRouter {
  private buffer: { prio: number; seq: number; topic: string; data: unknown[] }[] = [];
  private arrival = 0;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private readonly filledByOrder = new Map<string, number>();
  private lastExecAt = 0;
  /** Set at start when asked (RouterDeps.holding); only a catch-up that ends it clears it. */
  private awaitingFirst = false;
  /** Fills held back (a refused one and every later one), by execId: every catch-up delivers them with what it lists. */
  private readonly kept = new Map<string, VendorExecution>();

  /** Builds a router that writes to `deps`' sinks. */
  constructor(private readonly d: RouterDeps) {
    this.awaitingFirst = d.holding ?? false;
  }

  /** True while fills are held: after a refused one, or before the first catch-up when asked to start so. */
  get holding(): boolean {
    return this.kept.size > 0 || this.awaitingFirst;
  }

  /** Orders whose delivered fill quantity is counted: those with fills and no final status seen yet. */
  get countedOrders(): number {
    return this.filledByOrder.size;
  }

  /** Time of the newest execution delivered (epoch ms), 0 before any. */
  get lastExecutionAt(): number {
    return this.lastExecAt;
  }

  /** Accepts one raw private-stream message ({topic, data}); unknown topics are ignored. */
  push(msg: { topic?: unknown; data?: unknown }): void {
    if (typeof msg?.topic !== 'string' || !Array.isArray(msg.data)) return;
    const base = topicBase(msg.topic);
    const prio = PRIORITY[base];
    if (prio === undefined) return;
    this.buffer.push({ prio, seq: this.arrival++, topic: base, data: msg.data as unknown[] });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Delivers a catch-up (executions listed over REST since a time), together with every fill held so
   * far, on the stream's own chain, in venue order; already-seen execIds are skipped. Resolves how many
   * were refused or held back (they stay unseen, kept for the next catch-up). While fills are held
   * (after a refusal; or, for a router made `holding`, until a catch-up with `endsFirstHold`), stream
   * fills and order-update pulls are kept, not delivered, so no later fill reaches the ledger before
   * an earlier one. A catch-up that delivers everything ends a refusal's hold; the first hold ends
   * only with `endsFirstHold` (other catch-ups meanwhile keep what they list too).
   */
  async deliverExecutions(rows: VendorExecution[], endsFirstHold = false): Promise<number> {
    let refused = 0;
    await this.enqueue(async () => {
      if (this.awaitingFirst && !endsFirstHold) {
        this.keep(rows, 0);
        refused = this.kept.size;
        return;
      }
      const all = new Map(this.kept);
      for (const r of rows) if (r?.execId) all.set(r.execId, r);
      // From the catch-up that ends the first hold on, only a refusal holds fills (and its retries deliver).
      if (endsFirstHold) this.awaitingFirst = false;
      this.kept.clear();
      try {
        refused = await this.handleExecutions([...all.values()], true);
      } catch {
        // Nothing may be taken as delivered that was not: keep every unseen row for the next catch-up.
        refused = this.keep([...all.values()], 0);
      }
    });
    return refused;
  }

  /** Keeps the unseen fills of `rows` from index `from` for the next catch-up; returns how many. */
  private keep(rows: VendorExecution[], from: number): number {
    let n = 0;
    for (const r of rows.slice(from)) {
      if (!r?.execId || this.seen.has(r.execId)) continue;
      if (!this.kept.has(r.execId)) this.kept.set(r.execId, r);
      n++;
    }
    return n;
  }

  /** Resolves when everything received so far has been handed to the sinks. */
  async idle(): Promise<void> {
    while (this.scheduled || this.buffer.length > 0) await new Promise((r) => setImmediate(r));
    await this.chain;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.buffer.sort((a, b) => a.prio - b.prio || a.seq - b.seq);
    this.buffer = [];
    for (const m of batch) {
      if (m.topic === 'execution') void this.enqueue(async () => void (await this.handleExecutions(m.data as VendorExecution[])));
      else if (m.topic === 'order') void this.enqueue(() => this.handleOrders(m.data as VendorOrder[]));
      else if (m.topic === 'position') void this.enqueue(async () => this.d.onPosition?.(m.data));
      else if (m.topic === 'wallet') void this.enqueue(async () => this.d.onWallet?.(m.data));
    }
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job).catch(() => {
      this.d.logger.error({ module: 'bybit-private' }, 'private stream handler failed');
    });
    this.chain = run;
    return run;
  }

  private markSeen(execId: string): void {
    this.seen.add(execId);
    this.seenOrder.push(execId);
    if (this.seenOrder.length > 20_000) this.seen.delete(this.seenOrder.shift()!);
  }

  /**
   * Hands `rows` to the sink in venue order (time, then Bybit's per-symbol sequence), each execId once:
   * a row counts as seen only once the sink took it. At the first refusal the rest of the batch is
   * held back too (a stop must not reach the ledger before the entry it closes), and so is every
   * later delivery but a catch-up (`catchUp`), which offers them again. Resolves how many were
   * refused or held back.
   */
  private async handleExecutions(rows: VendorExecution[], catchUp = false): Promise<number> {
    // A row whose execTime is unreadable goes last, stamped now: it arrived now, after the others.
    const receivedAt = this.d.now?.() ?? systemClock.now();
    const sorted = [...rows].sort((a, b) => num(a.execTime, receivedAt) - num(b.execTime, receivedAt) || num(a.seq) - num(b.seq));
    if (this.holding && !catchUp) return this.keep(sorted, 0);
    for (let i = 0; i < sorted.length; i++) {
      const row = sorted[i]!;
      if (!row?.execId || this.seen.has(row.execId)) continue;
      const ex = toExecution(row, receivedAt);
      if (!ex) {
        this.markSeen(row.execId);
        continue;
      }
      try {
        await this.d.onExecution(ex);
      } catch {
        const refused = this.keep(sorted, i);
        this.d.logger.error({ execId: ex.execId, orderLinkId: ex.orderLinkId, heldBack: refused - 1 }, 'execution sink failed');
        this.d.onRefused?.();
        return refused;
      }
      this.markSeen(row.execId);
      this.filledByOrder.set(ex.orderId, (this.filledByOrder.get(ex.orderId) ?? 0) + ex.qty);
      this.lastExecAt = Math.max(this.lastExecAt, ex.at);
    }
    return 0;
  }

  private async handleOrders(rows: VendorOrder[]): Promise<void> {
    for (const row of rows) {
      if (!row?.orderId) continue;
      const upd = toOrderUpdate(row);
      const seenQty = this.filledByOrder.get(upd.orderId) ?? 0;
      if (upd.filledQty > seenQty + 1e-12 && !this.holding) {
        // The order reports fills this stream has not delivered yet: fetch them first (fills before order updates).
        try {
          await this.handleExecutions(await this.d.fetchExecutions({ orderId: upd.orderId }));
        } catch {
          this.d.logger.warn({ orderId: upd.orderId }, 'could not fetch fills ahead of an order update');
        }
      }
      try {
        await this.d.onOrder(upd);
      } catch {
        this.d.logger.error({ orderId: upd.orderId }, 'order sink failed');
      }
      // A finished order fills no more: what was counted for it is no longer needed (the map holds
      // the orders still working, not every order of the process's life).
      if (FINAL_ORDER_STATUSES.has(upd.status)) this.filledByOrder.delete(upd.orderId);
    }
  }
}
