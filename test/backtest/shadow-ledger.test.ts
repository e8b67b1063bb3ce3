import { describe, expect, it } from 'vitest';
import { ShadowLedger } from '../../engine/backtest/shadow-ledger.ts';
import type { Bar, Instrument } from '../../engine/market/types.ts';
import { signalRow } from '../helpers/signal-row.ts';

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % H);
const rules = (symbol: string): Instrument => ({ symbol, tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, minNotional: 5, maxLeverage: 50, status: 'Trading' });
const bar = (symbol: string, i: number, o: number, h: number, l: number, c: number): Bar => ({ symbol, interval: '60', start: T0 + i * H, open: o, high: h, low: l, close: c, volume: 1 });

function ledger(): ShadowLedger {
  return new ShadowLedger({
    feeRate: 0.00055,
    equity: 10_000,
    limits: { riskPct: 1, maxMarginPct: 50, maxLeverage: 10 },
    instruments: [rules('BTCUSDT'), rules('ETHUSDT')],
  });
}

describe('ShadowLedger: a shadow trade exits on the bars of its own symbol only', () => {
  it("another symbol's bar that trades through the stop and the target leaves the trade open; its own bar closes it", async () => {
    const sl = ledger();
    // A long BTCUSDT shadow trade: entry ~100 at the next bar's open, stop 90, target 110.
    sl.track(signalRow('s-btc', { symbol: 'BTCUSDT', barTime: T0, entry: 100, stop: 90, targets: [110], stage: 'shadow' }));
    await sl.onBar(bar('BTCUSDT', 1, 100, 101, 99, 100));
    expect(sl.counts()).toMatchObject({ open: 1, pending: 0 });
    // ETHUSDT's bar spans 50..200: it would hit both levels of the BTC trade if it were applied to it.
    await sl.onBar(bar('ETHUSDT', 1, 100, 200, 50, 120));
    expect(sl.counts().open).toBe(1);
    expect(sl.trades('bb-grid-long')).toEqual([]);
    // BTCUSDT's own next bar reaches the target.
    await sl.onBar(bar('BTCUSDT', 2, 100, 111, 99, 110));
    expect(sl.counts().open).toBe(0);
    const [t] = sl.trades('bb-grid-long');
    expect(t).toMatchObject({ symbol: 'BTCUSDT', closeReason: 'target' });
  });
});
