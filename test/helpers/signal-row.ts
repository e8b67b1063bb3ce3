import type { Signal } from '../../engine/index.ts';

/** A live BTCUSDT signal row for repository tests, with `over` applied; never throws. */
export function signalRow(id: string, over: Partial<Signal> = {}): Signal {
  return {
    id,
    symbol: 'BTCUSDT',
    interval: '60',
    side: 'long',
    strategy: 'bb-grid-long',
    score: 6,
    scoreParts: [{ name: 'trend', score: 6, weight: 1, value: 0.5 }],
    entry: 100,
    stop: 90,
    targets: [110],
    barTime: 1_000,
    expiresAt: 10_000,
    regime: 'trend',
    stage: 'live',
    status: 'live',
    createdAt: 1,
    ...over,
  };
}
