import type { Instrument } from '../market/types.ts';
import { num } from './decimal.ts';

/** The fields of a Bybit V5 linear instruments-info row the desk reads. */
export interface VendorInstrument {
  symbol: string;
  status: string;
  priceFilter?: { tickSize?: string };
  lotSizeFilter?: { qtyStep?: string; minOrderQty?: string; minNotionalValue?: string };
  leverageFilter?: { maxLeverage?: string };
}

const STATUS: Record<string, Instrument['status']> = {
  Trading: 'Trading',
  PreLaunch: 'PreLaunch',
  Settling: 'Settling',
  Delivering: 'Settling',
  Closed: 'Closed',
};

/**
 * Maps one instruments-info row to an Instrument (tick, step, minimums, max leverage, status); returns
 * null when the row lacks a positive tickSize or qtyStep, so a malformed row is never traded.
 */
export function toInstrument(row: VendorInstrument): Instrument | null {
  const tickSize = num(row.priceFilter?.tickSize);
  const qtyStep = num(row.lotSizeFilter?.qtyStep);
  if (!(tickSize > 0) || !(qtyStep > 0) || !row.symbol) return null;
  return {
    symbol: row.symbol,
    tickSize,
    qtyStep,
    minQty: num(row.lotSizeFilter?.minOrderQty, qtyStep),
    minNotional: num(row.lotSizeFilter?.minNotionalValue, 0),
    maxLeverage: num(row.leverageFilter?.maxLeverage, 1),
    status: STATUS[row.status] ?? 'Closed',
  };
}
