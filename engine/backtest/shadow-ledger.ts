import type { Interval, Signal } from '../schemas.ts';
import type { Bar, Instrument } from '../market/types.ts';
import type { Execution } from '../exec/broker.ts';
import type { PaperBookEntry, PaperLedger } from '../exec/paper-broker.ts';
import type { SizingLimits } from '../risk/sizing.ts';
import type { TradeRecord } from './trade.ts';
import { PaperBroker } from '../exec/paper-broker.ts';
import { sizePosition } from '../risk/sizing.ts';
import { roundToStep } from '../risk/rounding.ts';
import { tradeRecord } from './trade.ts';

/** Options of a shadow ledger: the paper fee, the virtual account the sizing uses, instrument rules. */
export interface ShadowLedgerOptions {
  feeRate: number;
  /** Virtual equity every shadow entry is sized on (sizing is the desk's sizePosition). */
  equity: number;
  limits: SizingLimits;
  instruments: readonly Instrument[];
  /** Closed shadow trades kept per strategy (oldest dropped first). */
  keep?: number;
}

interface Open {
  signal: Signal;
  entry: number;
  openedAt: number;
  initialQty: number;
  gross: number;
  fees: number;
  book: PaperBookEntry;
}

interface Venue {
  broker: PaperBroker;
  /** Open shadow trades by symbol (a bar looks up its own symbol's only). */
  bySymbol: Map<string, PaperBookEntry[]>;
}

/** Whether `bar` is the bar a pending shadow signal enters on: a later bar of its own series. */
function isDue(s: Signal, bar: Bar): boolean {
  return s.symbol === bar.symbol && s.interval === bar.interval && bar.start > s.barTime;
}

/**
 * Paper-tracks signals that are never alerted (shadow stage): each one enters at the open of the next
 * bar of its own symbol and interval (fill at that price ± half a tick, like a market order) with the
 * desk's sizing on a virtual account, and exits through the real PaperBroker's bar-triggered stop and
 * take-profit rules on the following bars of that series (one PaperBroker per interval over an
 * in-memory book, so nothing touches SQLite). No funding, break-even or trailing. In memory: a
 * restart forgets open shadow trades and the record. Never throws on bars or signals.
 */
export class ShadowLedger {
  private readonly venues = new Map<Interval, Venue>();
  private readonly pending: Signal[] = [];
  private readonly open = new Map<string, Open>();
  private readonly closed = new Map<string, TradeRecord[]>();
  private readonly rules: Map<string, Instrument>;
  private now = 0;
  private quoteId = 0;
  private skipped = 0;

  /** Creates an empty ledger. */
  constructor(private readonly o: ShadowLedgerOptions) {
    this.rules = new Map(o.instruments.map((i) => [i.symbol, i]));
  }

  /** Queues `signal` for an entry at the next bar of its series (ignored when already tracked). */
  track(signal: Signal): void {
    if (this.open.has(signal.id) || this.pending.some((p) => p.id === signal.id)) return;
    this.pending.push(signal);
  }

  /**
   * One closed bar: first fills the pending signals of this series at the bar's open, then lets the
   * paper broker trigger stops and targets of this series' shadow trades on the bar's range. Returns
   * a promise only when there is an entry or an exit to wait for.
   */
  onBar(bar: Bar): Promise<void> | void {
    // Most bars have no shadow entry to fill and no shadow exit: those are answered without a promise.
    const v = this.venue(bar.interval);
    if (!this.hasDue(bar)) {
      this.now = bar.start + 1;
      return v.bySymbol.has(bar.symbol) ? v.broker.onBar(bar) : undefined;
    }
    return this.fillAndExit(bar, v);
  }

  private hasDue(bar: Bar): boolean {
    for (const s of this.pending) if (isDue(s, bar)) return true;
    return false;
  }

  private async fillAndExit(bar: Bar, v: Venue): Promise<void> {
    this.now = bar.start;
    for (let i = 0; i < this.pending.length; ) {
      const s = this.pending[i]!;
      if (!isDue(s, bar)) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      await this.enter(v, s, bar);
    }
    this.now = bar.start + 1;
    if (v.bySymbol.has(bar.symbol)) await v.broker.onBar(bar);
  }

  /** Closed shadow trades of `strategy`, oldest first (a copy). */
  trades(strategy: string): TradeRecord[] {
    return [...(this.closed.get(strategy) ?? [])];
  }

  /** Counts: open shadow trades, pending entries, and signals that could not be sized. */
  counts(): { open: number; pending: number; skipped: number } {
    return { open: this.open.size, pending: this.pending.length, skipped: this.skipped };
  }

  private venue(interval: Interval): Venue {
    let v = this.venues.get(interval);
    if (v) return v;
    const bySymbol = new Map<string, PaperBookEntry[]>();
    const ledger: PaperLedger = {
      // Copies: an exit's execution removes its trade from the list while the broker walks it.
      book: (symbol) => (symbol === undefined ? [...bySymbol.values()].flat() : (bySymbol.get(symbol)?.slice() ?? [])),
      balance: () => ({ equity: this.o.equity, available: this.o.equity }),
      recordQuote: () => ++this.quoteId,
    };
    const broker = new PaperBroker(ledger, { now: () => this.now }, { feeRate: this.o.feeRate, maxQuoteAgeMs: Number.MAX_SAFE_INTEGER, qtyStepOf: (s) => this.rules.get(s)?.qtyStep ?? 0.001 });
    broker.onExecution((e) => this.onExecution(bySymbol, e));
    v = { broker, bySymbol };
    this.venues.set(interval, v);
    return v;
  }

  private async enter(v: Venue, s: Signal, bar: Bar): Promise<void> {
    const inst = this.rules.get(s.symbol);
    if (!inst) {
      this.skipped++;
      return;
    }
    const half = inst.tickSize / 2;
    const bid = roundToStep(bar.open - half, half);
    const ask = roundToStep(bar.open + half, half);
    const price = s.side === 'long' ? ask : bid;
    const sized = sizePosition({ side: s.side, price, stop: s.stop, equity: this.o.equity, available: this.o.equity, instrument: inst, limits: this.o.limits });
    if (!sized.ok) {
      this.skipped++;
      return;
    }
    const book: PaperBookEntry = { positionId: `v${s.id}`, symbol: s.symbol, side: s.side, qty: sized.qty, initialQty: sized.qty, stop: s.stop, targets: [...s.targets], targetsHit: 0 };
    this.open.set(s.id, { signal: s, entry: price, openedAt: bar.start, initialQty: sized.qty, gross: 0, fees: 0, book });
    await v.broker.place({
      orderLinkId: `v${s.id}`,
      symbol: s.symbol,
      side: s.side,
      qty: sized.qty,
      type: 'Market',
      reduceOnly: false,
      quote: { symbol: s.symbol, bid, ask, last: bar.open, mark: bar.open, ts: this.now, source: 'bar', id: ++this.quoteId },
      instrument: inst,
    });
    const list = v.bySymbol.get(s.symbol);
    if (list) list.push(book);
    else v.bySymbol.set(s.symbol, [book]);
  }

  private onExecution(bySymbol: Map<string, PaperBookEntry[]>, e: Execution): void {
    const id = e.orderLinkId.replace(/-(stop|target)$/, '').slice(1);
    const o = this.open.get(id);
    if (!o) return;
    o.fees += e.fee;
    if (e.kind === 'entry') return;
    const dir = o.signal.side === 'long' ? 1 : -1;
    o.gross += (e.price - o.entry) * e.qty * dir;
    o.book.qty = Number((o.book.qty - e.qty).toFixed(12));
    if (e.kind === 'target') o.book.targetsHit++;
    if (o.book.qty > 1e-12 && e.kind !== 'stop') return;
    this.open.delete(id);
    const entries = bySymbol.get(o.book.symbol);
    if (entries) {
      const k = entries.indexOf(o.book);
      if (k >= 0) entries.splice(k, 1);
      if (entries.length === 0) bySymbol.delete(o.book.symbol);
    }
    const list = this.closed.get(o.signal.strategy) ?? [];
    list.push(
      tradeRecord({
        symbol: o.signal.symbol,
        interval: o.signal.interval,
        strategy: o.signal.strategy,
        side: o.signal.side,
        openedAt: o.openedAt,
        closedAt: e.at,
        entryPrice: o.entry,
        qty: o.initialQty,
        grossPnl: o.gross,
        fees: o.fees,
        funding: 0,
        closeReason: e.kind,
      }),
    );
    const keep = this.o.keep ?? 1000;
    if (list.length > keep) list.splice(0, list.length - keep);
    this.closed.set(o.signal.strategy, list);
  }
}
