import { randomUUID } from 'node:crypto';
import { floorToStep, onGrid, parseDecimal } from './decimal.ts';
import { BybitError } from './envelope.ts';
import type { InstrumentSpec } from './instruments.ts';
import type { ExchangeState, ExecutionRecord, OrderRecord, PositionRecord, Side, StopOrderType } from './records.ts';
import type { BarRange, SymbolMarket } from './symbol-market.ts';

/** A state change the private stream pushes (topic names as Bybit's private WS). */
export type ExchangeEvent =
  | { topic: 'order'; orders: OrderRecord[] }
  | { topic: 'execution'; executions: ExecutionRecord[] }
  | { topic: 'position'; positions: PositionRecord[] }
  | { topic: 'wallet' };

/** Fee and account settings of the fake exchange. */
export interface ExchangeOptions {
  walletUsdt: number;
  takerFee: number;
  makerFee: number;
  defaultLeverage: number;
  /** Maintenance margin rate used for positionMM (flat, no risk tiers). */
  mmRate: number;
  /**
   * The server's clock (epoch ms): orders, executions and positions are stamped with it, as Bybit
   * stamps them with its own time, while the bars that move prices replay market time.
   */
  serverNow: () => number;
}

type Params = Record<string, unknown>;

const OPEN: ReadonlySet<string> = new Set(['New', 'PartiallyFilled', 'Untriggered']);

function s(p: Params, k: string): string | undefined {
  const v = p[k];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function dir(side: Side | ''): number {
  return side === 'Buy' ? 1 : side === 'Sell' ? -1 : 0;
}

function opposite(side: Side): Side {
  return side === 'Buy' ? 'Sell' : 'Buy';
}

function round8(v: number): number {
  return Math.round(v * 1e8) / 1e8;
}

/**
 * The matching engine and account of the fake: one UNIFIED USDT account, one-way positions, market
 * orders filled at the symbol's last price, resting limits and position TP/SL checked on every new
 * bar. Business failures throw BybitError with Bybit's retCode.
 */
export class Exchange {
  readonly state: ExchangeState;
  private readonly leverage = new Map<string, number>();
  private readonly listeners = new Set<(e: ExchangeEvent) => void>();
  private seq = 1_000_000;
  private batch: { orders: Set<OrderRecord>; execs: ExecutionRecord[]; positions: Set<string>; wallet: boolean } | null = null;

  /** Creates an empty account holding `opts.walletUsdt` USDT. */
  constructor(
    private readonly markets: Map<string, SymbolMarket>,
    private readonly specs: Map<string, InstrumentSpec>,
    private readonly opts: ExchangeOptions,
  ) {
    this.state = { orders: [], positions: new Map(), executions: [], wallet: { walletBalance: opts.walletUsdt, cumRealisedPnl: 0 } };
  }

  /** Registers a listener for state changes; returns the unsubscribe function. */
  onEvent(fn: (e: ExchangeEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private market(symbol: string | undefined): { m: SymbolMarket; spec: InstrumentSpec } {
    const m = symbol ? this.markets.get(symbol) : undefined;
    const spec = symbol ? this.specs.get(symbol) : undefined;
    if (!m || !spec) throw new BybitError(10001, 'params error: symbol invalid');
    return { m, spec };
  }

  /** Leverage configured for `symbol` (default when never set). */
  leverageOf(symbol: string): number {
    return this.leverage.get(symbol) ?? this.opts.defaultLeverage;
  }

  /** The position record of `symbol`, created flat when absent; never throws. */
  position(symbol: string): PositionRecord {
    let p = this.state.positions.get(symbol);
    if (!p) {
      const t = this.opts.serverNow();
      p = { symbol, side: '', size: 0, avgPrice: 0, leverage: this.leverageOf(symbol), curRealisedPnl: 0, cumRealisedPnl: 0, createdTime: t, updatedTime: t, seq: 0 };
      this.state.positions.set(symbol, p);
    }
    return p;
  }

  /** Unrealised PnL of a position at its symbol's last price; never throws. */
  unrealised(p: PositionRecord): number {
    const last = this.markets.get(p.symbol)?.last() ?? p.avgPrice;
    return (last - p.avgPrice) * p.size * dir(p.side);
  }

  /** Account aggregates in USDT: balance, upl, equity, position/order IM, MM, available; never throws. */
  account(): { walletBalance: number; upl: number; equity: number; positionIM: number; orderIM: number; mm: number; available: number } {
    let upl = 0;
    let positionIM = 0;
    let mm = 0;
    for (const p of this.state.positions.values()) {
      if (p.size === 0) continue;
      upl += this.unrealised(p);
      positionIM += (p.size * p.avgPrice) / p.leverage;
      mm += p.size * (this.markets.get(p.symbol)?.last() ?? p.avgPrice) * this.opts.mmRate;
    }
    let orderIM = 0;
    for (const o of this.state.orders) {
      if ((o.orderStatus === 'New' || o.orderStatus === 'PartiallyFilled') && !o.reduceOnly && o.orderType === 'Limit') {
        orderIM += ((o.qty - o.cumExecQty) * o.price) / o.leverage;
      }
    }
    const walletBalance = this.state.wallet.walletBalance;
    const equity = walletBalance + upl;
    return { walletBalance, upl, equity, positionIM, orderIM, mm, available: equity - positionIM - orderIM };
  }

  // ---- batching of pushed events -------------------------------------------------------------

  private begin(): void {
    this.batch = { orders: new Set(), execs: [], positions: new Set(), wallet: false };
  }

  private flush(): void {
    const b = this.batch;
    this.batch = null;
    if (!b) return;
    const emit = (e: ExchangeEvent) => {
      for (const fn of this.listeners) fn(e);
    };
    if (b.orders.size) emit({ topic: 'order', orders: [...b.orders] });
    if (b.execs.length) emit({ topic: 'execution', executions: b.execs });
    if (b.positions.size) emit({ topic: 'position', positions: [...b.positions].map((sym) => this.position(sym)) });
    if (b.wallet) emit({ topic: 'wallet' });
  }

  private touch(o: OrderRecord): void {
    this.batch?.orders.add(o);
  }

  /** Runs `fn` as one atomic change and pushes its events afterwards (also when it throws part-way). */
  private tx<T>(fn: () => T): T {
    this.begin();
    try {
      return fn();
    } finally {
      this.flush();
    }
  }

  // ---- order entry ---------------------------------------------------------------------------

  /**
   * POST /v5/order/create for linear Market/Limit orders with optional TP/SL (Full, or Partial = legs
   * sized to the filled qty, as Bybit has no tpSize here) and reduceOnly. Throws BybitError: 10001 bad params, 110072 duplicate orderLinkId, 110017 reduce-only
   * without a position or qty truncated to zero, 110094 notional below minimum, 110007 insufficient balance.
   */
  createOrder(p: Params): { orderId: string; orderLinkId: string } {
    if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
    const { m, spec } = this.market(s(p, 'symbol'));
    const side = s(p, 'side');
    if (side !== 'Buy' && side !== 'Sell') throw new BybitError(10001, 'params error: side invalid');
    const orderType = s(p, 'orderType');
    if (orderType !== 'Market' && orderType !== 'Limit') throw new BybitError(10001, 'params error: orderType invalid');
    const posIdx = s(p, 'positionIdx');
    if (posIdx !== undefined && posIdx !== '0') throw new BybitError(10001, 'position idx not match position mode');
    if (s(p, 'triggerPrice') !== undefined) throw new BybitError(10001, 'params error: conditional orders are not supported by this fake');
    const link = s(p, 'orderLinkId') ?? '';
    if (link.length > 36) throw new BybitError(10001, 'params error: orderLinkId too long');
    if (link && this.state.orders.some((o) => o.orderLinkId === link)) throw new BybitError(110072);

    const qtyIn = parseDecimal(p.qty);
    if (qtyIn === null || qtyIn <= 0) throw new BybitError(10001, 'params error: qty invalid');
    const step = Number(spec.qtyStep);
    let qty = floorToStep(qtyIn, step);
    if (qty <= 0) throw new BybitError(110017);
    if (qty < Number(spec.minOrderQty)) throw new BybitError(10001, 'The number of contracts below min limit allowed');
    const maxQty = Number(orderType === 'Market' ? spec.maxMktOrderQty : spec.maxOrderQty);
    if (qty > maxQty) throw new BybitError(10001, 'The number of contracts exceeds maximum limit allowed');

    const tick = Number(spec.tickSize);
    let price = m.last();
    if (orderType === 'Limit') {
      const px = parseDecimal(p.price);
      if (px === null || px <= 0) throw new BybitError(10001, 'params error: price invalid');
      if (!onGrid(px, tick)) throw new BybitError(10001, 'params error: price must be a multiple of tickSize');
      price = px;
    }
    const tifIn = s(p, 'timeInForce');
    const tif = orderType === 'Market' ? 'IOC' : ((tifIn ?? 'GTC') as OrderRecord['timeInForce']);
    if (!['GTC', 'IOC', 'FOK', 'PostOnly'].includes(tif)) throw new BybitError(10001, 'params error: timeInForce invalid');

    const reduceOnly = p.reduceOnly === true || p.reduceOnly === 'true';
    const pos = this.position(m.symbol);
    if (reduceOnly) {
      if (pos.size === 0 || pos.side === side) throw new BybitError(110017, 'current position is zero, cannot fix reduce-only order qty');
      qty = Math.min(qty, pos.size);
    }
    const notional = qty * price;
    if (!reduceOnly && notional < Number(spec.minNotionalValue)) throw new BybitError(110094);

    const tp = parseDecimal(p.takeProfit) ?? 0;
    const sl = parseDecimal(p.stopLoss) ?? 0;
    const tpslModeIn = s(p, 'tpslMode');
    if (tpslModeIn !== undefined && tpslModeIn !== 'Full' && tpslModeIn !== 'Partial') throw new BybitError(10001, 'params error: tpslMode invalid');
    const tpslMode: OrderRecord['tpslMode'] = tp || sl ? (tpslModeIn ?? 'Full') : '';
    if ((tp || sl) && reduceOnly) throw new BybitError(110057);
    const ref = price;
    if (sl && (side === 'Buy' ? sl >= ref : sl <= ref)) {
      throw new BybitError(10001, `StopLoss:${sl} set for ${side} position should ${side === 'Buy' ? 'lower' : 'higher'} than base_price:${ref}??LastPrice`);
    }
    if (tp && (side === 'Buy' ? tp <= ref : tp >= ref)) {
      throw new BybitError(10001, `TakeProfit:${tp} set for ${side} position should ${side === 'Buy' ? 'higher' : 'lower'} than base_price:${ref}??LastPrice`);
    }
    for (const [v, name] of [[tp, 'takeProfit'], [sl, 'stopLoss']] as const) {
      if (v && !onGrid(v, tick)) throw new BybitError(10001, `params error: ${name} must be a multiple of tickSize`);
    }
    const lev = this.leverageOf(m.symbol);
    const opening = this.openingQty(pos, side, qty, reduceOnly);
    if (opening > 0) {
      const need = (opening * price) / lev + opening * price * this.opts.takerFee;
      if (need > this.account().available + 1e-9) throw new BybitError(110007);
    }

    const now = this.opts.serverNow();
    const order: OrderRecord = {
      orderId: randomUUID(),
      orderLinkId: link,
      symbol: m.symbol,
      side,
      orderType,
      price,
      qty,
      cumExecQty: 0,
      cumExecValue: 0,
      cumExecFee: 0,
      closedPnl: 0,
      timeInForce: tif,
      orderStatus: 'New',
      cancelType: 'UNKNOWN',
      rejectReason: 'EC_NoError',
      reduceOnly,
      closeOnTrigger: false,
      stopOrderType: '',
      triggerPrice: 0,
      takeProfit: tp,
      stopLoss: sl,
      tpslMode,
      lastPriceOnCreated: m.last(),
      leverage: lev,
      createdTime: now,
      updatedTime: now,
    };
    return this.tx(() => {
      this.state.orders.push(order);
      this.touch(order);
      const last = m.last();
      const crosses = orderType === 'Market' || (side === 'Buy' ? price >= last : price <= last);
      if (crosses && tif === 'PostOnly') {
        this.finish(order, 'Cancelled', 'EC_PostOnlyWillTakeLiquidity', now);
      } else if (crosses) {
        const px = orderType === 'Market' ? last : side === 'Buy' ? Math.min(price, last) : Math.max(price, last);
        this.fill(order, qty, px, false, now);
      } else if (tif === 'IOC' || tif === 'FOK') {
        this.finish(order, 'Cancelled', 'EC_NoImmediateQtyToFill', now);
      }
      return { orderId: order.orderId, orderLinkId: order.orderLinkId };
    });
  }

  /** Quantity of an order that would increase exposure (0 for a pure close); never throws. */
  private openingQty(pos: PositionRecord, side: Side, qty: number, reduceOnly: boolean): number {
    if (reduceOnly) return 0;
    if (pos.size === 0 || pos.side === side) return qty;
    return Math.max(0, qty - pos.size);
  }

  private finish(o: OrderRecord, status: OrderRecord['orderStatus'], reason: string, now: number, cancelType = 'UNKNOWN'): void {
    o.orderStatus = status;
    o.rejectReason = reason;
    o.cancelType = cancelType;
    o.updatedTime = now;
    this.touch(o);
  }

  /** Applies one fill of `qty` at `price` to order, position, wallet and the execution log. */
  private fill(o: OrderRecord, qtyIn: number, price: number, isMaker: boolean, now: number): void {
    const pos = this.position(o.symbol);
    const m = this.markets.get(o.symbol)!;
    let qty = qtyIn;
    if (o.reduceOnly || o.closeOnTrigger) {
      if (pos.size === 0 || pos.side === o.side) {
        this.finish(o, o.stopOrderType ? 'Deactivated' : 'Cancelled', 'EC_ReduceOnlySetButNotEnoughQty', now);
        return;
      }
      qty = Math.min(qty, pos.size);
    }
    const feeRate = isMaker ? this.opts.makerFee : this.opts.takerFee;
    const value = qty * price;
    const fee = round8(value * feeRate);
    let closed = 0;
    let pnl = 0;
    if (pos.size > 0 && pos.side !== o.side) {
      closed = Math.min(qty, pos.size);
      pnl = round8((price - pos.avgPrice) * closed * dir(pos.side));
      pos.size = round8(pos.size - closed);
      if (pos.size === 0) {
        pos.side = '';
        pos.avgPrice = 0;
      }
    }
    const opened = round8(qty - closed);
    if (opened > 0) {
      if (pos.size === 0) {
        pos.side = o.side;
        pos.avgPrice = price;
        pos.size = opened;
        pos.curRealisedPnl = 0;
        pos.createdTime = now;
        pos.leverage = this.leverageOf(o.symbol);
      } else {
        pos.avgPrice = (pos.avgPrice * pos.size + price * opened) / (pos.size + opened);
        pos.size = round8(pos.size + opened);
      }
    }
    pos.curRealisedPnl = round8(pos.curRealisedPnl + pnl - fee);
    pos.cumRealisedPnl = round8(pos.cumRealisedPnl + pnl - fee);
    pos.updatedTime = now;
    pos.seq = ++this.seq;
    this.state.wallet.walletBalance = round8(this.state.wallet.walletBalance + pnl - fee);
    this.state.wallet.cumRealisedPnl = round8(this.state.wallet.cumRealisedPnl + pnl - fee);

    o.cumExecQty = round8(o.cumExecQty + qty);
    o.cumExecValue = round8(o.cumExecValue + value);
    o.cumExecFee = round8(o.cumExecFee + fee);
    o.closedPnl = round8(o.closedPnl + (closed > 0 ? pnl - fee : 0));
    o.updatedTime = now;
    const fullQty = o.qty === 0 ? o.cumExecQty : o.qty;
    o.orderStatus = o.cumExecQty + 1e-12 >= fullQty || o.stopOrderType !== '' ? 'Filled' : 'PartiallyFilled';
    if (o.stopOrderType !== '' && o.qty === 0) o.qty = o.cumExecQty;
    this.touch(o);

    const ex: ExecutionRecord = {
      execId: randomUUID(),
      orderId: o.orderId,
      orderLinkId: o.orderLinkId,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      stopOrderType: o.stopOrderType,
      orderPrice: o.price,
      orderQty: o.qty,
      leavesQty: Math.max(0, round8(o.qty - o.cumExecQty)),
      execPrice: price,
      execQty: qty,
      execValue: round8(value),
      execFee: fee,
      feeRate,
      isMaker,
      closedSize: closed,
      execPnl: pnl,
      markPrice: m.last(),
      execTime: now,
      seq: ++this.seq,
      createType: o.stopOrderType === '' ? 'CreateByUser' : o.stopOrderType.includes('TakeProfit') ? 'CreateByTakeProfit' : 'CreateByStopLoss',
    };
    this.state.executions.push(ex);
    this.batch?.execs.push(ex);
    this.batch?.positions.add(o.symbol);
    if (this.batch) this.batch.wallet = true;

    if (opened > 0 && (o.takeProfit || o.stopLoss)) this.attachTpsl(o, opened, now);
    if (pos.size === 0) this.deactivateStops(o.symbol, now);
  }

  /** Creates the position TP/SL conditionals an entry order asked for (Full replaces, Partial adds). */
  private attachTpsl(o: OrderRecord, opened: number, now: number): void {
    const legs: [number, StopOrderType, number][] = [];
    if (o.tpslMode === 'Full') {
      if (o.takeProfit) legs.push([o.takeProfit, 'TakeProfit', 0]);
      if (o.stopLoss) legs.push([o.stopLoss, 'StopLoss', 0]);
    } else {
      if (o.takeProfit) legs.push([o.takeProfit, 'PartialTakeProfit', opened]);
      if (o.stopLoss) legs.push([o.stopLoss, 'PartialStopLoss', opened]);
    }
    for (const [trigger, kind, size] of legs) this.addStop(o.symbol, opposite(o.side), kind, trigger, size, now);
  }

  private addStop(symbol: string, side: Side, kind: StopOrderType, trigger: number, size: number, now: number): OrderRecord {
    if (kind === 'TakeProfit' || kind === 'StopLoss') {
      for (const old of this.openStops(symbol)) if (old.stopOrderType === kind) this.finish(old, 'Deactivated', 'EC_NoError', now, 'CancelByTpSlTsClear');
    }
    const m = this.markets.get(symbol)!;
    const full = kind === 'TakeProfit' || kind === 'StopLoss';
    const stop: OrderRecord = {
      orderId: randomUUID(),
      orderLinkId: '',
      symbol,
      side,
      orderType: 'Market',
      price: 0,
      qty: size,
      cumExecQty: 0,
      cumExecValue: 0,
      cumExecFee: 0,
      closedPnl: 0,
      timeInForce: 'IOC',
      orderStatus: 'Untriggered',
      cancelType: 'UNKNOWN',
      rejectReason: 'EC_NoError',
      reduceOnly: true,
      closeOnTrigger: true,
      stopOrderType: kind,
      triggerPrice: trigger,
      takeProfit: 0,
      stopLoss: 0,
      tpslMode: full ? 'Full' : 'Partial',
      lastPriceOnCreated: m.last(),
      leverage: this.leverageOf(symbol),
      createdTime: now,
      updatedTime: now,
    };
    this.state.orders.push(stop);
    this.touch(stop);
    this.batch?.positions.add(symbol);
    return stop;
  }

  /** Open (Untriggered) TP/SL conditionals of a symbol. */
  openStops(symbol: string): OrderRecord[] {
    return this.state.orders.filter((o) => o.symbol === symbol && o.stopOrderType !== '' && o.orderStatus === 'Untriggered');
  }

  private deactivateStops(symbol: string, now: number): void {
    for (const o of this.openStops(symbol)) this.finish(o, 'Deactivated', 'EC_NoError', now, 'CancelByTpSlTsClear');
  }

  /** Full-mode TP and SL prices of a position (0 when unset), as Bybit shows on the position. */
  positionTpsl(symbol: string): { takeProfit: number; stopLoss: number; tpslMode: 'Full' | 'Partial' } {
    const stops = this.openStops(symbol);
    const tp = stops.find((o) => o.stopOrderType === 'TakeProfit');
    const sl = stops.find((o) => o.stopOrderType === 'StopLoss');
    const partial = stops.some((o) => o.tpslMode === 'Partial');
    return { takeProfit: tp?.triggerPrice ?? 0, stopLoss: sl?.triggerPrice ?? 0, tpslMode: partial && !tp && !sl ? 'Partial' : 'Full' };
  }

  // ---- cancel / leverage / trading-stop --------------------------------------------------------

  private findOrder(p: Params): OrderRecord | undefined {
    const id = s(p, 'orderId');
    const link = s(p, 'orderLinkId');
    if (!id && !link) throw new BybitError(10001, 'params error: orderId or orderLinkId is required');
    return this.state.orders.find((o) => (id ? o.orderId === id : o.orderLinkId === link) && (!s(p, 'symbol') || o.symbol === s(p, 'symbol')));
  }

  /** POST /v5/order/cancel; throws BybitError 10001 on bad params, 110001 when no open order matches. */
  cancelOrder(p: Params): { orderId: string; orderLinkId: string } {
    if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
    const { m } = this.market(s(p, 'symbol'));
    const o = this.findOrder(p);
    if (!o || !OPEN.has(o.orderStatus)) throw new BybitError(110001, 'order not exists or too late to cancel');
    return this.tx(() => {
      this.finish(o, o.stopOrderType ? 'Deactivated' : 'Cancelled', 'EC_PerCancelRequest', this.opts.serverNow(), 'CancelByUser');
      if (o.stopOrderType) this.batch?.positions.add(o.symbol);
      return { orderId: o.orderId, orderLinkId: o.orderLinkId };
    });
  }

  /** POST /v5/order/cancel-all: cancels open plain orders (position TP/SL stay); throws BybitError 10001 on bad params. */
  cancelAll(p: Params): { list: { orderId: string; orderLinkId: string }[]; success: string } {
    if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
    const symbol = s(p, 'symbol');
    if (symbol) this.market(symbol);
    return this.tx(() => {
      const list: { orderId: string; orderLinkId: string }[] = [];
      for (const o of this.state.orders) {
        if (o.stopOrderType !== '' || !OPEN.has(o.orderStatus) || (symbol && o.symbol !== symbol)) continue;
        this.finish(o, 'Cancelled', 'EC_PerCancelRequest', this.opts.serverNow(), 'CancelByUser');
        list.push({ orderId: o.orderId, orderLinkId: o.orderLinkId });
      }
      return { list, success: '1' };
    });
  }

  /** POST /v5/position/set-leverage; throws BybitError 10001 on bad/unequal values, 110043 when unchanged. */
  setLeverage(p: Params): Record<string, never> {
    if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
    const { m, spec } = this.market(s(p, 'symbol'));
    const buy = parseDecimal(p.buyLeverage);
    const sell = parseDecimal(p.sellLeverage);
    if (buy === null || sell === null) throw new BybitError(10001, 'params error: buyLeverage and sellLeverage are required');
    if (buy !== sell) throw new BybitError(10001, 'buy leverage must equal sell leverage in one-way mode');
    if (buy < 1 || buy > Number(spec.maxLeverage) || !onGrid(buy, 0.01)) throw new BybitError(10001, 'leverage invalid');
    if (buy === this.leverageOf(m.symbol)) throw new BybitError(110043);
    return this.tx(() => {
      this.leverage.set(m.symbol, buy);
      const pos = this.position(m.symbol);
      pos.leverage = buy;
      pos.updatedTime = this.opts.serverNow();
      this.batch?.positions.add(m.symbol);
      return {};
    });
  }

  /**
   * POST /v5/position/trading-stop: Full mode sets/replaces (0 clears) the position TP/SL, Partial adds
   * legs with tpSize/slSize. Throws BybitError 10001 on a flat position, bad side or bad params.
   */
  tradingStop(p: Params): Record<string, never> {
    if (s(p, 'category') !== 'linear') throw new BybitError(10001, 'Illegal category');
    const { m, spec } = this.market(s(p, 'symbol'));
    const pos = this.position(m.symbol);
    if (pos.size === 0 || pos.side === '') throw new BybitError(10001, 'can not set tp/sl/ts for zero position');
    const mode = s(p, 'tpslMode') ?? 'Full';
    if (mode !== 'Full' && mode !== 'Partial') throw new BybitError(10001, 'params error: tpslMode invalid');
    if (parseDecimal(p.trailingStop)) throw new BybitError(10001, 'params error: trailingStop is not supported by this fake');
    const tp = s(p, 'takeProfit') === undefined ? null : parseDecimal(p.takeProfit);
    const sl = s(p, 'stopLoss') === undefined ? null : parseDecimal(p.stopLoss);
    if ((s(p, 'takeProfit') !== undefined && tp === null) || (s(p, 'stopLoss') !== undefined && sl === null)) throw new BybitError(10001, 'params error: price invalid');
    const last = m.last();
    const long = pos.side === 'Buy';
    const tick = Number(spec.tickSize);
    if (sl && (long ? sl >= last : sl <= last)) throw new BybitError(10001, `StopLoss:${sl} set for ${pos.side} position should ${long ? 'lower' : 'higher'} than base_price:${last}??LastPrice`);
    if (tp && (long ? tp <= last : tp >= last)) throw new BybitError(10001, `TakeProfit:${tp} set for ${pos.side} position should ${long ? 'higher' : 'lower'} than base_price:${last}??LastPrice`);
    if ((tp && !onGrid(tp, tick)) || (sl && !onGrid(sl, tick))) throw new BybitError(10001, 'params error: price must be a multiple of tickSize');
    let tpSize = 0;
    let slSize = 0;
    if (mode === 'Partial') {
      tpSize = tp ? parseDecimal(p.tpSize) ?? -1 : 0;
      slSize = sl ? parseDecimal(p.slSize) ?? -1 : 0;
      if (tpSize < 0 || slSize < 0 || tpSize > pos.size || slSize > pos.size) throw new BybitError(10001, 'params error: tpSize/slSize required in Partial mode and must not exceed the position');
      const step = Number(spec.qtyStep);
      if ((tp && (tpSize === 0 || !onGrid(tpSize, step))) || (sl && (slSize === 0 || !onGrid(slSize, step)))) throw new BybitError(10001, 'params error: tpSize/slSize must be a positive multiple of qtyStep');
    }
    const now = this.opts.serverNow();
    return this.tx(() => {
      const close = opposite(pos.side as Side);
      if (mode === 'Full') {
        for (const [v, kind] of [[tp, 'TakeProfit'], [sl, 'StopLoss']] as const) {
          if (v === null) continue;
          if (v === 0) {
            for (const o of this.openStops(m.symbol)) if (o.stopOrderType === kind) this.finish(o, 'Deactivated', 'EC_NoError', now, 'CancelByTpSlTsClear');
          } else this.addStop(m.symbol, close, kind, v, 0, now);
        }
      } else {
        if (tp) this.addStop(m.symbol, close, 'PartialTakeProfit', tp, tpSize, now);
        if (sl) this.addStop(m.symbol, close, 'PartialStopLoss', sl, slSize, now);
      }
      this.batch?.positions.add(m.symbol);
      return {};
    });
  }

  // ---- bars ----------------------------------------------------------------------------------

  /**
   * Processes one new base bar of `symbol`: resting limits that the bar's range crosses fill at their
   * price (maker), then TP/SL legs trigger (stop-losses first, at the trigger or the gap-open price,
   * taker); then positions and wallet are pushed. Never throws.
   */
  onBar(symbol: string, bar: BarRange): void {
    const now = this.opts.serverNow();
    this.tx(() => {
      for (const o of this.state.orders) {
        if (o.symbol !== symbol || o.stopOrderType !== '' || o.orderType !== 'Limit') continue;
        if (o.orderStatus !== 'New' && o.orderStatus !== 'PartiallyFilled') continue;
        const hit = o.side === 'Buy' ? bar.low <= o.price : bar.high >= o.price;
        if (hit) this.fill(o, round8(o.qty - o.cumExecQty), o.price, true, now);
      }
      const stops = this.openStops(symbol).sort((a, b) => rank(a) - rank(b));
      for (const o of stops) {
        if (o.orderStatus !== 'Untriggered') continue;
        const pos = this.position(symbol);
        if (pos.size === 0) break;
        const long = pos.side === 'Buy';
        const isStop = o.stopOrderType.endsWith('StopLoss');
        const downHit = bar.low <= o.triggerPrice;
        const upHit = bar.high >= o.triggerPrice;
        const triggered = long ? (isStop ? downHit : upHit) : isStop ? upHit : downHit;
        if (!triggered) continue;
        const gapPast = long === isStop ? bar.open < o.triggerPrice : bar.open > o.triggerPrice;
        const px = gapPast ? bar.open : o.triggerPrice;
        const size = o.qty === 0 ? pos.size : Math.min(o.qty, pos.size);
        o.price = px;
        this.fill(o, size, px, false, now);
      }
      if (this.position(symbol).size > 0) {
        this.batch?.positions.add(symbol);
        if (this.batch) this.batch.wallet = true;
      }
    });
  }
}

function rank(o: OrderRecord): number {
  return o.stopOrderType.endsWith('StopLoss') ? 0 : 1;
}
