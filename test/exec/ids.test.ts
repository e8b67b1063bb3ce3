import { describe, expect, it } from 'vitest';
import { entryOrderLinkId, randomId, signalId } from '../../engine/exec/ids.ts';

describe('ids', () => {
  it('randomId: prefix plus 12 hex characters, no repeats across many pool draws', () => {
    const ids = Array.from({ length: 10_000 }, () => randomId('p'));
    for (const id of ids.slice(0, 600)) expect(id).toMatch(/^p[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('signalId and entryOrderLinkId are stable for the same input and fit Bybit orderLinkId rules', () => {
    const s = signalId('BTCUSDT', '60', 'trend', 'long', 1_700_000_000_000);
    expect(s).toBe(signalId('BTCUSDT', '60', 'trend', 'long', 1_700_000_000_000));
    expect(s).not.toBe(signalId('BTCUSDT', '60', 'trend', 'short', 1_700_000_000_000));
    // The id of a stored signal never changes between versions (a restart re-scans the same bar).
    expect(s).toBe('sd87d5af33'); // sha256 of 'BTCUSDT|60|trend|long|1700000000000', first 9 hex digits
    const link = entryOrderLinkId(s, { kind: 'rpc', id: 'alice' });
    expect(link).toBe(entryOrderLinkId(s, { kind: 'rpc', id: 'alice' }));
    expect(link).not.toBe(entryOrderLinkId(s, { kind: 'telegram', id: 'alice' }));
    expect(link).toMatch(/^[a-z0-9-]{1,36}$/);
  });
});
