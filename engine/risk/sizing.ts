import type { Instrument } from '../market/types.ts';
import type { Side } from '../schemas.ts';
import { floorToStep } from './rounding.ts';

/** The risk limits sizing applies. */
export interface SizingLimits {
  riskPct: number;
  maxMarginPct: number;
  maxLeverage: number;
}

/** A sized order, or the reason it cannot be sized. */
export type Sizing =
  | { ok: true; qty: number; notional: number; margin: number; leverage: number; riskUsdt: number; riskPct: number; cappedBy: 'risk' | 'margin' }
  | { ok: false; code: 'SIZE_TOO_SMALL' | 'INSUFFICIENT_BALANCE' | 'SIGNAL_EXPIRED'; detail: Record<string, number | string> };

/**
 * Risk-based sizing: quantity so that hitting `stop` from `price` loses `riskPct` % of `equity`,
 * rounded down to the instrument's qty step, then capped so margin ≤ maxMarginPct % of equity at
 * min(maxLeverage, instrument max). Pure; returns a refusal instead of throwing.
 */
export function sizePosition(args: {
  side: Side;
  price: number;
  stop: number;
  equity: number;
  available: number;
  instrument: Instrument;
  limits: SizingLimits;
}): Sizing {
  const { side, price, stop, equity, available, instrument, limits } = args;
  const perUnit = side === 'long' ? price - stop : stop - price;
  if (!(perUnit > 0)) return { ok: false, code: 'SIGNAL_EXPIRED', detail: { reason: 'price_through_stop', price, stop } };
  if (!(equity > 0)) return { ok: false, code: 'INSUFFICIENT_BALANCE', detail: { equity } };
  const leverage = Math.max(1, Math.min(limits.maxLeverage, instrument.maxLeverage));
  let qty = floorToStep((equity * limits.riskPct) / 100 / perUnit, instrument.qtyStep);
  let cappedBy: 'risk' | 'margin' = 'risk';
  const marginCap = (equity * limits.maxMarginPct) / 100;
  if ((qty * price) / leverage > marginCap) {
    qty = floorToStep((marginCap * leverage) / price, instrument.qtyStep);
    cappedBy = 'margin';
  }
  const notional = qty * price;
  if (qty < instrument.minQty || notional < instrument.minNotional || qty <= 0) {
    return { ok: false, code: 'SIZE_TOO_SMALL', detail: { qty, minQty: instrument.minQty, minNotional: instrument.minNotional } };
  }
  const margin = notional / leverage;
  if (margin > available) return { ok: false, code: 'INSUFFICIENT_BALANCE', detail: { margin: round2(margin), available: round2(available) } };
  const riskUsdt = qty * perUnit;
  return { ok: true, qty, notional, margin, leverage, riskUsdt, riskPct: (riskUsdt / equity) * 100, cappedBy };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
