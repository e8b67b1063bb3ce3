import { decimalsOf } from './decimal.ts';

/** Trading rules the fake applies to one linear symbol (strings as Bybit sends them). */
export interface InstrumentSpec {
  symbol: string;
  baseCoin: string;
  tickSize: string;
  qtyStep: string;
  minOrderQty: string;
  maxOrderQty: string;
  maxMktOrderQty: string;
  minNotionalValue: string;
  maxLeverage: string;
  priceScale: string;
  launchTime: string;
}

/** BTCUSDT filters exactly as in rest-market-instruments-info-linear.json (the only verbatim linear sample). */
const BTCUSDT: InstrumentSpec = {
  symbol: 'BTCUSDT',
  baseCoin: 'BTC',
  tickSize: '0.10',
  qtyStep: '0.001',
  minOrderQty: '0.001',
  maxOrderQty: '1190.000',
  maxMktOrderQty: '500.000',
  minNotionalValue: '5',
  maxLeverage: '100.00',
  priceScale: '2',
  launchTime: '1585526400000',
};

function pow10Text(e: number): string {
  return e >= 0 ? String(10 ** e) : `0.${'0'.repeat(-e - 1)}1`;
}

/**
 * Derives filters for a symbol: tick = 10^-d where d is the most decimals seen in its recorded prices
 * (so every recorded price is on the grid), qty step = min(1, 10^floor(log10(100 / p))) for reference
 * price p. These are the fake's rules, not Bybit's values; BTCUSDT uses the verbatim docs sample.
 * Throws RangeError on a non-positive price.
 */
export function deriveInstrument(symbol: string, refPrice: number, priceDecimals: number): InstrumentSpec {
  if (symbol === 'BTCUSDT') return { ...BTCUSDT };
  if (!(refPrice > 0)) throw new RangeError(`bad reference price for ${symbol}`);
  const tickExp = -Math.max(0, Math.min(8, priceDecimals));
  const stepExp = Math.min(0, Math.floor(Math.log10(100 / refPrice)));
  const tickSize = pow10Text(tickExp);
  const qtyStep = pow10Text(stepExp);
  const qd = decimalsOf(qtyStep);
  const maxQty = Math.max(1, Math.round((5_000_000 / refPrice) / 10 ** stepExp) * 10 ** stepExp);
  return {
    symbol,
    baseCoin: symbol.replace(/USDT$/, ''),
    tickSize,
    qtyStep,
    minOrderQty: qtyStep,
    maxOrderQty: maxQty.toFixed(qd),
    maxMktOrderQty: (maxQty / 2).toFixed(qd),
    minNotionalValue: '5',
    maxLeverage: '50.00',
    priceScale: String(decimalsOf(tickSize)),
    launchTime: '1585526400000',
  };
}

/** Builds the instruments-info list item for a spec, key-for-key like the linear docs sample; never throws. */
export function instrumentItem(s: InstrumentSpec, symbolId: number): Record<string, unknown> {
  return {
    symbol: s.symbol,
    symbolId,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: s.baseCoin,
    quoteCoin: 'USDT',
    launchTime: s.launchTime,
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: s.priceScale,
    leverageFilter: { minLeverage: '1', maxLeverage: s.maxLeverage, leverageStep: '0.01' },
    priceFilter: { minPrice: s.tickSize, maxPrice: s.symbol === 'BTCUSDT' ? '1999999.80' : maxPriceOf(s.tickSize), tickSize: s.tickSize },
    lotSizeFilter: {
      maxOrderQty: s.maxOrderQty,
      minOrderQty: s.minOrderQty,
      qtyStep: s.qtyStep,
      postOnlyMaxOrderQty: s.maxOrderQty,
      maxMktOrderQty: s.maxMktOrderQty,
      minNotionalValue: s.minNotionalValue,
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: 'USDT',
    copyTrading: 'both',
    upperFundingRate: '0.00375',
    lowerFundingRate: '-0.00375',
    isPreListing: false,
    preListingInfo: null,
    riskParameters: { priceLimitRatioX: '0.01', priceLimitRatioY: '0.02' },
    symbolType: '',
  };
}

/** One entry of the repo's data/instruments.json (numbers; `source` says docs or derived). */
export interface InstrumentRule {
  symbol: string;
  tickSize: number;
  qtyStep: number;
  minQty: number;
  minNotional: number;
  maxLeverage: number;
}

/** Writes a positive step such as 1e-5 as plain decimal text ("0.00001"); never throws. */
export function stepText(v: number): string {
  const d = Math.max(0, Math.min(10, Math.ceil(-Math.log10(v) - 1e-9)));
  const t = v.toFixed(d);
  return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') || '0' : t;
}

/**
 * Builds a spec from the repo's shared instrument rules (so the fake and the replay feed agree);
 * BTCUSDT keeps the verbatim docs values. Throws RangeError on a non-positive reference price.
 */
export function instrumentFromRule(r: InstrumentRule, refPrice: number): InstrumentSpec {
  if (r.symbol === 'BTCUSDT') return { ...BTCUSDT };
  const d = deriveInstrument(r.symbol, refPrice, 0);
  const tickSize = stepText(r.tickSize);
  const qtyStep = stepText(r.qtyStep);
  const qd = decimalsOf(qtyStep);
  return {
    ...d,
    tickSize,
    qtyStep,
    minOrderQty: stepText(r.minQty),
    minNotionalValue: String(r.minNotional),
    maxLeverage: r.maxLeverage.toFixed(2),
    priceScale: String(decimalsOf(tickSize)),
    maxOrderQty: Number(d.maxOrderQty).toFixed(qd),
    maxMktOrderQty: Number(d.maxMktOrderQty).toFixed(qd),
  };
}

function maxPriceOf(tick: string): string {
  const d = decimalsOf(tick);
  return (Number(tick) * 19_999_998).toFixed(d);
}
