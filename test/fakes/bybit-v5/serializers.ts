import { decimalsOf, fixed, money } from './decimal.ts';
import type { Exchange } from './exchange.ts';
import type { InstrumentSpec } from './instruments.ts';
import type { ExecutionRecord, OrderRecord, PositionRecord } from './records.ts';

/** Copies `keys` of `full` in that order (the key list is the sample's key set); never throws. */
function pick(full: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = full[k];
  return out;
}

/** Price/qty formatters of one instrument. */
export interface Fmt {
  px: (v: number) => string;
  qty: (v: number) => string;
}

/** Formatters for a symbol's tick size and qty step; never throws. */
export function fmtOf(spec: InstrumentSpec): Fmt {
  const pd = decimalsOf(spec.tickSize);
  const qd = decimalsOf(spec.qtyStep);
  return { px: (v) => fixed(v, pd), qty: (v) => fixed(v, qd) };
}

const ORDER_REALTIME_KEYS = ['orderId', 'orderLinkId', 'blockTradeId', 'symbol', 'price', 'qty', 'side', 'isLeverage', 'positionIdx', 'orderStatus', 'cancelType', 'rejectReason', 'avgPrice', 'leavesQty', 'leavesValue', 'cumExecQty', 'cumExecValue', 'cumExecFee', 'timeInForce', 'orderType', 'stopOrderType', 'orderIv', 'triggerPrice', 'takeProfit', 'stopLoss', 'tpTriggerBy', 'slTriggerBy', 'triggerDirection', 'triggerBy', 'lastPriceOnCreated', 'reduceOnly', 'closeOnTrigger', 'smpType', 'smpGroup', 'smpOrderId', 'tpslMode', 'tpLimitPrice', 'slLimitPrice', 'placeType', 'createdTime', 'updatedTime', 'cumFeeDetail'] as const;
const ORDER_HISTORY_KEYS = ['orderId', 'orderLinkId', 'blockTradeId', 'symbol', 'price', 'qty', 'side', 'isLeverage', 'positionIdx', 'orderStatus', 'cancelType', 'rejectReason', 'avgPrice', 'leavesQty', 'leavesValue', 'cumExecQty', 'cumExecValue', 'cumExecFee', 'timeInForce', 'orderType', 'stopOrderType', 'orderIv', 'triggerPrice', 'takeProfit', 'stopLoss', 'tpTriggerBy', 'slTriggerBy', 'triggerDirection', 'triggerBy', 'lastPriceOnCreated', 'reduceOnly', 'closeOnTrigger', 'smpType', 'smpGroup', 'smpOrderId', 'tpslMode', 'tpLimitPrice', 'slLimitPrice', 'placeType', 'slippageToleranceType', 'slippageTolerance', 'createdTime', 'updatedTime', 'extraFees', 'cumFeeDetail', 'rpiTakerAccess', 'rpiMatchedQty'] as const;
const ORDER_WS_KEYS = ['symbol', 'orderId', 'side', 'orderType', 'cancelType', 'price', 'qty', 'orderIv', 'timeInForce', 'orderStatus', 'orderLinkId', 'lastPriceOnCreated', 'reduceOnly', 'leavesQty', 'leavesValue', 'cumExecQty', 'cumExecValue', 'avgPrice', 'blockTradeId', 'positionIdx', 'cumExecFee', 'closedPnl', 'createdTime', 'updatedTime', 'rejectReason', 'stopOrderType', 'tpslMode', 'triggerPrice', 'takeProfit', 'stopLoss', 'tpTriggerBy', 'slTriggerBy', 'tpLimitPrice', 'slLimitPrice', 'triggerDirection', 'triggerBy', 'closeOnTrigger', 'category', 'placeType', 'smpType', 'smpGroup', 'smpOrderId', 'feeCurrency', 'cumFeeDetail', 'rpiTakerAccess', 'rpiMatchedQty'] as const;

function orderFull(o: OrderRecord, f: Fmt): Record<string, unknown> {
  const leaves = OPEN_STATUSES.has(o.orderStatus) ? Math.max(0, o.qty - o.cumExecQty) : 0;
  const isStop = o.stopOrderType !== '';
  const longStop = o.side === 'Sell';
  const rising = isStop ? ((o.stopOrderType.endsWith('TakeProfit') ? longStop : !longStop) ? 1 : 2) : 0;
  return {
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    blockTradeId: '',
    symbol: o.symbol,
    price: o.price ? f.px(o.price) : '0',
    qty: f.qty(o.qty),
    side: o.side,
    isLeverage: '',
    positionIdx: 0,
    orderStatus: o.orderStatus,
    cancelType: o.cancelType,
    rejectReason: o.rejectReason,
    avgPrice: o.cumExecQty > 0 ? money(o.cumExecValue / o.cumExecQty) : '0',
    leavesQty: f.qty(leaves),
    leavesValue: money(leaves * o.price),
    cumExecQty: f.qty(o.cumExecQty),
    cumExecValue: money(o.cumExecValue),
    cumExecFee: money(o.cumExecFee),
    timeInForce: o.timeInForce,
    orderType: o.orderType,
    stopOrderType: isStop ? o.stopOrderType : 'UNKNOWN',
    orderIv: '',
    triggerPrice: isStop ? f.px(o.triggerPrice) : '0',
    takeProfit: o.takeProfit ? f.px(o.takeProfit) : '0',
    stopLoss: o.stopLoss ? f.px(o.stopLoss) : '0',
    tpTriggerBy: o.takeProfit ? 'LastPrice' : 'UNKNOWN',
    slTriggerBy: o.stopLoss ? 'LastPrice' : 'UNKNOWN',
    triggerDirection: rising,
    triggerBy: isStop ? 'LastPrice' : 'UNKNOWN',
    lastPriceOnCreated: f.px(o.lastPriceOnCreated),
    reduceOnly: o.reduceOnly,
    closeOnTrigger: o.closeOnTrigger,
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode: o.tpslMode,
    tpLimitPrice: '',
    slLimitPrice: '',
    placeType: '',
    slippageToleranceType: 'UNKNOWN',
    slippageTolerance: '',
    createdTime: String(o.createdTime),
    updatedTime: String(o.updatedTime),
    extraFees: '',
    cumFeeDetail: o.cumExecFee ? { USDT: money(o.cumExecFee) } : {},
    rpiTakerAccess: false,
    rpiMatchedQty: '0',
    closedPnl: money(o.closedPnl),
    category: 'linear',
    feeCurrency: '',
  };
}

const OPEN_STATUSES: ReadonlySet<string> = new Set(['New', 'PartiallyFilled', 'Untriggered']);

/** An order as /v5/order/realtime lists it (key set of rest-order-realtime.json); never throws. */
export function restOrderRealtime(o: OrderRecord, f: Fmt): Record<string, unknown> {
  return pick(orderFull(o, f), ORDER_REALTIME_KEYS);
}

/** An order as /v5/order/history lists it (key set of rest-order-history.json); never throws. */
export function restOrderHistory(o: OrderRecord, f: Fmt): Record<string, unknown> {
  return pick(orderFull(o, f), ORDER_HISTORY_KEYS);
}

/** An order as the private `order` topic pushes it (key set of ws-order.json); never throws. */
export function wsOrder(o: OrderRecord, f: Fmt): Record<string, unknown> {
  return pick(orderFull(o, f), ORDER_WS_KEYS);
}

const EXEC_REST_KEYS = ['symbol', 'orderType', 'underlyingPrice', 'orderLinkId', 'side', 'indexPrice', 'orderId', 'stopOrderType', 'leavesQty', 'execTime', 'feeCurrency', 'isMaker', 'execFee', 'feeRate', 'execId', 'tradeIv', 'blockTradeId', 'markPrice', 'execPrice', 'markIv', 'orderQty', 'orderPrice', 'execValue', 'execType', 'execQty', 'closedSize', 'extraFees', 'seq'] as const;
const EXEC_WS_KEYS = ['category', 'symbol', 'closedSize', 'execFee', 'execId', 'execPrice', 'execQty', 'execType', 'execValue', 'feeRate', 'tradeIv', 'markIv', 'blockTradeId', 'markPrice', 'indexPrice', 'underlyingPrice', 'leavesQty', 'orderId', 'orderLinkId', 'orderPrice', 'orderQty', 'orderType', 'stopOrderType', 'side', 'execTime', 'isLeverage', 'isMaker', 'seq', 'marketUnit', 'execPnl', 'createType', 'extraFees', 'feeCurrency'] as const;

function execFull(e: ExecutionRecord, f: Fmt): Record<string, unknown> {
  return {
    category: 'linear',
    symbol: e.symbol,
    closedSize: f.qty(e.closedSize),
    execFee: money(e.execFee),
    execId: e.execId,
    execPrice: f.px(e.execPrice),
    execQty: f.qty(e.execQty),
    execType: 'Trade',
    execValue: money(e.execValue),
    feeRate: String(e.feeRate),
    tradeIv: '',
    markIv: '',
    blockTradeId: '',
    markPrice: f.px(e.markPrice),
    indexPrice: '',
    underlyingPrice: '',
    leavesQty: f.qty(e.leavesQty),
    orderId: e.orderId,
    orderLinkId: e.orderLinkId,
    orderPrice: e.orderPrice ? f.px(e.orderPrice) : '0',
    orderQty: f.qty(e.orderQty),
    orderType: e.orderType,
    stopOrderType: e.stopOrderType || 'UNKNOWN',
    side: e.side,
    execTime: String(e.execTime),
    isLeverage: '0',
    isMaker: e.isMaker,
    seq: e.seq,
    marketUnit: '',
    execPnl: money(e.execPnl),
    createType: e.createType,
    feeCurrency: 'USDT',
  };
}

/** An execution as /v5/execution/list lists it (key set of rest-execution-list.json); never throws. */
export function restExecution(e: ExecutionRecord, f: Fmt): Record<string, unknown> {
  return pick({ ...execFull(e, f), extraFees: '' }, EXEC_REST_KEYS);
}

/** An execution as the private `execution` topic pushes it (key set of ws-execution.json); never throws. */
export function wsExecution(e: ExecutionRecord, f: Fmt): Record<string, unknown> {
  return pick({ ...execFull(e, f), extraFees: [] }, EXEC_WS_KEYS);
}

const POSITION_REST_KEYS = ['positionIdx', 'riskId', 'riskLimitValue', 'symbol', 'side', 'size', 'avgPrice', 'positionValue', 'tradeMode', 'positionStatus', 'autoAddMargin', 'adlRankIndicator', 'leverage', 'breakEvenPrice', 'positionBalance', 'markPrice', 'liqPrice', 'bustPrice', 'positionMM', 'positionMMByMp', 'positionIM', 'positionIMByMp', 'tpslMode', 'takeProfit', 'stopLoss', 'trailingStop', 'unrealisedPnl', 'curRealisedPnl', 'cumRealisedPnl', 'seq', 'isReduceOnly', 'mmrSysUpdateTime', 'leverageSysUpdatedTime', 'sessionAvgPrice', 'createdTime', 'updatedTime'] as const;
const POSITION_WS_KEYS = ['positionIdx', 'tradeMode', 'riskId', 'riskLimitValue', 'symbol', 'side', 'size', 'entryPrice', 'leverage', 'breakEvenPrice', 'positionValue', 'positionBalance', 'markPrice', 'positionIM', 'positionIMByMp', 'positionMM', 'positionMMByMp', 'takeProfit', 'stopLoss', 'trailingStop', 'unrealisedPnl', 'curRealisedPnl', 'cumRealisedPnl', 'sessionAvgPrice', 'createdTime', 'updatedTime', 'tpslMode', 'liqPrice', 'bustPrice', 'category', 'positionStatus', 'adlRankIndicator', 'autoAddMargin', 'leverageSysUpdatedTime', 'mmrSysUpdatedTime', 'seq', 'isReduceOnly'] as const;

function positionFull(p: PositionRecord, ex: Exchange, f: Fmt, mark: number, mmRate: number, takerFee: number): Record<string, unknown> {
  const tpsl = ex.positionTpsl(p.symbol);
  const value = p.size * p.avgPrice;
  const im = value / p.leverage;
  const be = p.size > 0 ? p.avgPrice * (p.side === 'Buy' ? 1 + 2 * takerFee : 1 - 2 * takerFee) : 0;
  const avg = p.size > 0 ? money(p.avgPrice) : '0';
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: p.symbol,
    side: p.side,
    size: f.qty(p.size),
    avgPrice: avg,
    entryPrice: avg,
    positionValue: money(value),
    tradeMode: 0,
    positionStatus: 'Normal',
    autoAddMargin: 0,
    adlRankIndicator: p.size > 0 ? 2 : 0,
    leverage: String(p.leverage),
    breakEvenPrice: p.size > 0 ? money(be) : '0',
    positionBalance: money(im),
    markPrice: f.px(mark),
    liqPrice: '',
    bustPrice: '',
    positionMM: money(p.size * mark * mmRate),
    positionMMByMp: money(p.size * mark * mmRate),
    positionIM: money(im),
    positionIMByMp: money(im),
    tpslMode: tpsl.tpslMode,
    takeProfit: tpsl.takeProfit ? f.px(tpsl.takeProfit) : '0',
    stopLoss: tpsl.stopLoss ? f.px(tpsl.stopLoss) : '0',
    trailingStop: '0',
    unrealisedPnl: money(ex.unrealised(p)),
    curRealisedPnl: money(p.curRealisedPnl),
    cumRealisedPnl: money(p.cumRealisedPnl),
    seq: p.seq,
    isReduceOnly: false,
    mmrSysUpdateTime: '',
    mmrSysUpdatedTime: '',
    leverageSysUpdatedTime: '',
    sessionAvgPrice: '',
    createdTime: String(p.createdTime),
    updatedTime: String(p.updatedTime),
    category: 'linear',
  };
}

/** Context the position/wallet serializers need from the exchange. */
export interface AccountView {
  ex: Exchange;
  fmt: (symbol: string) => Fmt;
  mark: (symbol: string) => number;
  mmRate: number;
  takerFee: number;
}

/** A position as /v5/position/list lists it (key set of rest-position-list.json); never throws. */
export function restPosition(p: PositionRecord, v: AccountView): Record<string, unknown> {
  return pick(positionFull(p, v.ex, v.fmt(p.symbol), v.mark(p.symbol), v.mmRate, v.takerFee), POSITION_REST_KEYS);
}

/** A position as the private `position` topic pushes it (key set of ws-position.json); never throws. */
export function wsPosition(p: PositionRecord, v: AccountView): Record<string, unknown> {
  return pick(positionFull(p, v.ex, v.fmt(p.symbol), v.mark(p.symbol), v.mmRate, v.takerFee), POSITION_WS_KEYS);
}

const WALLET_REST_KEYS = ['totalEquity', 'accountIMRate', 'accountIMRateByMp', 'totalMarginBalance', 'totalInitialMargin', 'totalInitialMarginByMp', 'accountType', 'totalAvailableBalance', 'accountMMRate', 'accountMMRateByMp', 'totalPerpUPL', 'totalWalletBalance', 'accountLTV', 'totalMaintenanceMargin', 'totalMaintenanceMarginByMp', 'coin'] as const;
const WALLET_WS_KEYS = ['accountIMRate', 'accountIMRateByMp', 'accountMMRate', 'accountMMRateByMp', 'totalEquity', 'totalWalletBalance', 'totalMarginBalance', 'totalAvailableBalance', 'totalPerpUPL', 'totalInitialMargin', 'totalInitialMarginByMp', 'totalMaintenanceMargin', 'totalMaintenanceMarginByMp', 'coin', 'accountLTV', 'accountType'] as const;
const COIN_REST_KEYS = ['availableToBorrow', 'bonus', 'accruedInterest', 'availableToWithdraw', 'totalOrderIM', 'equity', 'totalPositionMM', 'usdValue', 'spotHedgingQty', 'unrealisedPnl', 'collateralSwitch', 'borrowAmount', 'totalPositionIM', 'walletBalance', 'cumRealisedPnl', 'locked', 'marginCollateral', 'coin', 'spotBorrow'] as const;
const COIN_WS_KEYS = ['coin', 'equity', 'usdValue', 'walletBalance', 'availableToWithdraw', 'availableToBorrow', 'borrowAmount', 'accruedInterest', 'totalOrderIM', 'totalPositionIM', 'totalPositionMM', 'unrealisedPnl', 'cumRealisedPnl', 'bonus', 'collateralSwitch', 'marginCollateral', 'locked', 'spotHedgingQty', 'spotBorrow'] as const;

function walletFull(ex: Exchange): { account: Record<string, unknown>; coin: Record<string, unknown> } {
  const a = ex.account();
  const im = a.positionIM + a.orderIM;
  const rate = (x: number) => (a.equity > 0 ? (x / a.equity).toFixed(4) : '0');
  const coin = {
    coin: 'USDT',
    equity: money(a.equity),
    usdValue: money(a.equity),
    walletBalance: money(a.walletBalance),
    availableToWithdraw: money(Math.max(0, Math.min(a.walletBalance, a.available))),
    availableToBorrow: '',
    borrowAmount: '0',
    accruedInterest: '0',
    totalOrderIM: money(a.orderIM),
    totalPositionIM: money(a.positionIM),
    totalPositionMM: money(a.mm),
    unrealisedPnl: money(a.upl),
    cumRealisedPnl: money(ex.state.wallet.cumRealisedPnl),
    bonus: '0',
    collateralSwitch: true,
    marginCollateral: true,
    locked: '0',
    spotHedgingQty: '0',
    spotBorrow: '0',
  };
  const account = {
    totalEquity: money(a.equity),
    accountIMRate: rate(im),
    accountIMRateByMp: rate(im),
    totalMarginBalance: money(a.equity),
    totalInitialMargin: money(im),
    totalInitialMarginByMp: money(im),
    accountType: 'UNIFIED',
    totalAvailableBalance: money(Math.max(0, a.available)),
    accountMMRate: rate(a.mm),
    accountMMRateByMp: rate(a.mm),
    totalPerpUPL: money(a.upl),
    totalWalletBalance: money(a.walletBalance),
    accountLTV: '0',
    totalMaintenanceMargin: money(a.mm),
    totalMaintenanceMarginByMp: money(a.mm),
  };
  return { account, coin };
}

/** The UNIFIED account with its USDT coin as /v5/account/wallet-balance lists it; never throws. */
export function restWallet(ex: Exchange): Record<string, unknown> {
  const w = walletFull(ex);
  return pick({ ...w.account, coin: [pick(w.coin, COIN_REST_KEYS)] }, WALLET_REST_KEYS);
}

/** The UNIFIED account as the private `wallet` topic pushes it (key set of ws-wallet.json); never throws. */
export function wsWallet(ex: Exchange): Record<string, unknown> {
  const w = walletFull(ex);
  return pick({ ...w.account, coin: [pick(w.coin, COIN_WS_KEYS)] }, WALLET_WS_KEYS);
}
