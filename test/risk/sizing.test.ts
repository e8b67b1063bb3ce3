import { describe, expect, it } from 'vitest';
import { sizePosition } from '../../engine/risk/sizing.ts';
import type { Instrument } from '../../engine/market/types.ts';

const BTC: Instrument = { symbol: 'BTCUSDT', tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, minNotional: 5, maxLeverage: 100, status: 'Trading' };
const limits = { riskPct: 1, maxMarginPct: 15, maxLeverage: 3 };
const base = { side: 'long' as const, price: 60_000, stop: 58_000, equity: 10_000, available: 10_000, instrument: BTC, limits };

describe('sizePosition', () => {
  it('loses at most riskPct of equity at the stop, quantity on the lot step', () => {
    const s = sizePosition(base);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.qty).toBe(0.05);
    expect(s.riskUsdt).toBeCloseTo(100, 6);
    expect(s.riskUsdt).toBeLessThanOrEqual(100);
    expect(s.leverage).toBe(3);
    expect(s.cappedBy).toBe('risk');
  });

  it('caps the margin at maxMarginPct of equity when the stop is tight (never more risk than asked)', () => {
    const s = sizePosition({ ...base, stop: 59_900 });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.cappedBy).toBe('margin');
    expect(s.margin).toBeLessThanOrEqual(1500 + 1e-9);
    expect(s.riskUsdt).toBeLessThanOrEqual(100);
    expect(s.qty).toBe(0.075);
  });

  it('refuses instead of throwing: price through the stop, no equity, too small, not enough available', () => {
    expect(sizePosition({ ...base, stop: 60_000 })).toMatchObject({ ok: false, code: 'SIGNAL_EXPIRED' });
    expect(sizePosition({ ...base, side: 'short', stop: 58_000 })).toMatchObject({ ok: false, code: 'SIGNAL_EXPIRED' });
    expect(sizePosition({ ...base, stop: Number.NaN })).toMatchObject({ ok: false, code: 'SIGNAL_EXPIRED' });
    expect(sizePosition({ ...base, equity: 0 })).toMatchObject({ ok: false, code: 'INSUFFICIENT_BALANCE' });
    expect(sizePosition({ ...base, equity: Number.NaN })).toMatchObject({ ok: false, code: 'INSUFFICIENT_BALANCE' });
    expect(sizePosition({ ...base, equity: 10 })).toMatchObject({ ok: false, code: 'SIZE_TOO_SMALL' });
    expect(sizePosition({ ...base, available: 100 })).toMatchObject({ ok: false, code: 'INSUFFICIENT_BALANCE' });
  });

  it('never uses more leverage than the instrument allows', () => {
    const s = sizePosition({ ...base, stop: 59_990, instrument: { ...BTC, maxLeverage: 2 }, limits: { ...limits, maxLeverage: 50 } });
    expect(s).toMatchObject({ ok: true, leverage: 2 });
  });
});
