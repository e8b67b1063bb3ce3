import type { Broker, Execution, OrderAck, OrderRequest, VenueBalance, VenueOrder, VenuePosition } from './broker.ts';
import type { Bar, Quote } from '../market/types.ts';
import type { Side } from '../schemas.ts';
import type { Clock } from '../clock.ts';
import { DeskError } from '../errors.ts';
import { randomId } from './ids.ts';

/** One open paper position as the simulated venue needs it to trigger exits. */
export interface PaperBookEntry {
  positionId: string;
  symbol: string;
  side: Side;
  qty: number;
  initialQty: number;
  stop: number;
  targets: number[];
  targetsHit: number;
}

/** What the paper venue reads from the desk's ledger (the ledger IS the paper venue's truth). */
export interface PaperLedger {
  /** Open paper positions (only `symbol`'s, if given: the closed-bar path asks per bar). */
  book(symbol?: string): PaperBookEntry[];
  /** Paper wallet. */
  balance(): VenueBalance;
  /** Stores a quote snapshot (for bar-triggered exits) and returns its id. */
  recordQuote(q: Quote): number;
}

/** Fraction of the initial quantity each take-profit level closes, by number of levels (a fresh array; never throws). */
export function targetFractions(levels: number): number[] {
  if (levels <= 1) return [1];
  if (levels === 2) return [0.5, 0.5];
  const head = Array.from({ length: levels - 1 }, () => Math.floor((0.6 / (levels - 1)) * 100) / 100);
  return [...head, Math.round((1 - head.reduce((a, b) => a + b, 0)) * 100) / 100];
}

// targetFractions for 0..8 levels, computed once (the bar path must not allocate).
const FRACTIONS: readonly (readonly number[])[] = Array.from({ length: 9 }, (_, n) => Object.freeze(targetFractions(n)));

/** Slots per fill in a barExits buffer: kind (0 = stop, 1 = target), qty, price. */
export const EXIT_FILL_SLOTS = 3;

/**
 * The paper venue's exit rule for one open position on one closed bar, written into `out` as
 * (kind, qty, price) triples (kind 0 = stop, 1 = target); returns the number of fills. The stop comes
 * first (conservative when stop and target are both inside the bar) and closes everything at the stop
 * or at the open if the bar gapped through it; otherwise each take-profit level from `targetsHit` on
 * that the bar reached closes its fraction of the initial quantity (rounded down to `qtyStep`; the
 * last level takes the rest) at the level or at the open if the bar gapped past it. Pure and
 * allocation-free, never throws; `out` must hold 3 × max(1, targets) slots (fills past its end are lost).
 */
export function barExits(p: PaperBookEntry, open: number, high: number, low: number, qtyStep: number, out: Float64Array): number {
  if (p.qty <= 0) return 0;
  const long = p.side === 'long';
  if (long ? low <= p.stop : high >= p.stop) {
    out[0] = 0;
    out[1] = p.qty;
    out[2] = long ? Math.min(open, p.stop) : Math.max(open, p.stop);
    return 1;
  }
  const targets = p.targets;
  const n = targets.length;
  const fr = n < FRACTIONS.length ? FRACTIONS[n]! : targetFractions(n);
  let k = 0;
  let remaining = p.qty;
  for (let i = p.targetsHit; i < n && remaining > 0; i++) {
    const t = targets[i]!;
    if (!(long ? high >= t : low <= t)) break;
    const want = i === n - 1 ? remaining : Math.min(remaining, Math.floor((p.initialQty * fr[i]!) / qtyStep + 1e-9) * qtyStep);
    const qty = Number(want.toFixed(10));
    if (qty <= 0) continue;
    out[k * 3] = 1;
    out[k * 3 + 1] = qty;
    out[k * 3 + 2] = long ? Math.max(open, t) : Math.min(open, t);
    k++;
    remaining = Number((remaining - qty).toFixed(10));
  }
  return k;
}

/**
 * The paper broker: fills entries and closes only at the stored quote snapshot the desk validated
 * (ask for buys, bid for sells) and only if it is no older than `maxQuoteAgeMs`; triggers attached
 * stops and take-profits on closed bars. Rejects with DeskError NO_QUOTE / STALE_QUOTE.
 */
export class PaperBroker implements Broker {
  readonly mode = 'paper' as const;
  private sink: (e: Execution) => void | Promise<void> = () => {};
  private readonly orders = new Map<string, VenueOrder>();
  private fills = new Float64Array(EXIT_FILL_SLOTS * 4);

  /** Creates a paper venue over the desk's ledger. */
  constructor(
    private readonly ledger: PaperLedger,
    private readonly clock: Clock,
    private readonly opts: { feeRate: number; maxQuoteAgeMs: number; qtyStepOf: (symbol: string) => number },
  ) {}

  /** Fills the order at its quote snapshot; a repeated orderLinkId returns the first order as a duplicate. */
  async place(req: OrderRequest): Promise<OrderAck> {
    const seen = this.orders.get(req.orderLinkId);
    if (seen) return { orderId: seen.orderId, orderLinkId: req.orderLinkId, status: 'filled', duplicate: true };
    if (!req.quote || !(req.quote.id > 0)) throw new DeskError('NO_QUOTE', { symbol: req.symbol });
    const age = this.clock.now() - req.quote.ts;
    if (age > this.opts.maxQuoteAgeMs) throw new DeskError('STALE_QUOTE', { symbol: req.symbol, ageMs: age, maxMs: this.opts.maxQuoteAgeMs });
    const buy = (req.side === 'long') !== req.reduceOnly;
    const price = buy ? req.quote.ask : req.quote.bid;
    const orderId = randomId('po');
    this.orders.set(req.orderLinkId, { orderId, status: 'Filled', filledQty: req.qty, avgPrice: price, final: true });
    await this.sink({
      execId: randomId('pe'),
      orderId,
      orderLinkId: req.orderLinkId,
      symbol: req.symbol,
      side: req.side,
      qty: req.qty,
      price,
      fee: req.qty * price * this.opts.feeRate,
      reduceOnly: req.reduceOnly,
      kind: req.reduceOnly ? 'close' : 'entry',
      quoteId: req.quote.id,
      at: this.clock.now(),
    });
    return { orderId, orderLinkId: req.orderLinkId, status: 'filled', duplicate: false };
  }

  /** The paper stop lives in the ledger; the venue just confirms. */
  async setStop(): Promise<boolean> {
    return true;
  }

  /** Paper has no resting orders. */
  async cancelAll(): Promise<number> {
    return 0;
  }

  /** Open paper positions as venue positions. */
  async positions(): Promise<VenuePosition[]> {
    return this.ledger.book().map((p) => ({ symbol: p.symbol, side: p.side, qty: p.qty, entryPrice: 0, stopLoss: p.stop, leverage: 1 }));
  }

  /** Orders this process placed (a restart forgets them: the ledger is the truth). */
  async findOrder(orderLinkId: string) {
    return this.orders.get(orderLinkId) ?? null;
  }

  /** The paper wallet from the ledger. */
  async balance(): Promise<VenueBalance> {
    return this.ledger.balance();
  }

  /** Registers the desk's execution sink. */
  onExecution(sink: (e: Execution) => void | Promise<void>): void {
    this.sink = sink;
  }

  /** Nothing to catch up: the simulated venue hands every fill to the sink as it makes it. */
  async catchUp(_since: number): Promise<number> {
    return 0;
  }

  /**
   * Triggers exits on a closed bar: the stop first (conservative when both are inside one bar), else
   * each take-profit level the bar reached, filling at the level or at the open if the bar gapped past it.
   */
  onBar(bar: Bar): Promise<void> | void {
    // Most bars trigger nothing: those are answered without a promise (see Broker.onBar).
    for (const p of this.ledger.book(bar.symbol)) if (this.exitsOn(p, bar) > 0) return this.exitOn(bar);
  }

  /**
   * Writes `p`'s exits on `bar` into this.fills (grown as needed) and returns how many there are:
   * none for a bar of another symbol, whatever the ledger handed over.
   */
  private exitsOn(p: PaperBookEntry, bar: Bar): number {
    if (p.symbol !== bar.symbol) return 0;
    if (p.targets.length * EXIT_FILL_SLOTS > this.fills.length) this.fills = new Float64Array(p.targets.length * EXIT_FILL_SLOTS);
    return barExits(p, bar.open, bar.high, bar.low, this.opts.qtyStepOf(p.symbol), this.fills);
  }

  private async exitOn(bar: Bar): Promise<void> {
    for (const p of this.ledger.book(bar.symbol)) {
      const n = this.exitsOn(p, bar);
      if (n === 0) continue;
      // Copy before awaiting: the sink may run another bar through this broker meanwhile.
      const fills = this.fills.slice(0, n * EXIT_FILL_SLOTS);
      for (let k = 0; k < n; k++) await this.exit(p, fills[k * 3 + 1]!, fills[k * 3 + 2]!, fills[k * 3] === 0 ? 'stop' : 'target');
    }
  }

  /** Nothing to release. */
  async close(): Promise<void> {}

  private async exit(p: PaperBookEntry, qty: number, price: number, kind: 'stop' | 'target'): Promise<void> {
    const now = this.clock.now();
    const quoteId = this.ledger.recordQuote({ symbol: p.symbol, bid: price, ask: price, last: price, mark: price, ts: now, source: 'bar' });
    await this.sink({
      execId: randomId('pe'),
      orderId: randomId('po'),
      orderLinkId: `${p.positionId}-${kind}`,
      symbol: p.symbol,
      side: p.side,
      qty,
      price,
      fee: qty * price * this.opts.feeRate,
      reduceOnly: true,
      kind,
      quoteId,
      at: now,
    });
  }
}
