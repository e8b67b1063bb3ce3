/** Order side as Bybit spells it. */
export type Side = 'Buy' | 'Sell';

/** Order status values the fake produces (Bybit names). */
export type OrderStatus = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'Rejected' | 'Untriggered' | 'Deactivated';

/** Conditional order kinds the fake attaches to positions (Bybit stopOrderType names). */
export type StopOrderType = '' | 'TakeProfit' | 'StopLoss' | 'PartialTakeProfit' | 'PartialStopLoss';

/** One order (plain or a position's TP/SL conditional) as the fake stores it; numbers are floats. */
export interface OrderRecord {
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: Side;
  orderType: 'Market' | 'Limit';
  /** Limit price; for market orders the price they were accepted at; 0 for conditionals. */
  price: number;
  /** Ordered quantity (0 for a Full-mode TP/SL, which closes the whole position). */
  qty: number;
  cumExecQty: number;
  cumExecValue: number;
  cumExecFee: number;
  closedPnl: number;
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'PostOnly';
  orderStatus: OrderStatus;
  cancelType: string;
  rejectReason: string;
  reduceOnly: boolean;
  closeOnTrigger: boolean;
  stopOrderType: StopOrderType;
  triggerPrice: number;
  /** TP/SL requested with an entry order (applied to the position when it fills). */
  takeProfit: number;
  stopLoss: number;
  tpslMode: '' | 'Full' | 'Partial';
  lastPriceOnCreated: number;
  leverage: number;
  createdTime: number;
  updatedTime: number;
}

/** One fill. */
export interface ExecutionRecord {
  execId: string;
  orderId: string;
  orderLinkId: string;
  symbol: string;
  side: Side;
  orderType: 'Market' | 'Limit';
  stopOrderType: StopOrderType;
  orderPrice: number;
  orderQty: number;
  leavesQty: number;
  execPrice: number;
  execQty: number;
  execValue: number;
  execFee: number;
  feeRate: number;
  isMaker: boolean;
  closedSize: number;
  execPnl: number;
  markPrice: number;
  execTime: number;
  seq: number;
  createType: string;
}

/** One-way position of one symbol (side '' and size 0 when flat). */
export interface PositionRecord {
  symbol: string;
  side: Side | '';
  size: number;
  avgPrice: number;
  leverage: number;
  curRealisedPnl: number;
  cumRealisedPnl: number;
  createdTime: number;
  updatedTime: number;
  seq: number;
}

/** The USDT balance of the single UNIFIED account (realised PnL and fees move it). */
export interface WalletRecord {
  walletBalance: number;
  cumRealisedPnl: number;
}

/** Everything a test may assert on: orders (incl. TP/SL conditionals), positions, executions, wallet. */
export interface ExchangeState {
  orders: OrderRecord[];
  positions: Map<string, PositionRecord>;
  executions: ExecutionRecord[];
  wallet: WalletRecord;
}
