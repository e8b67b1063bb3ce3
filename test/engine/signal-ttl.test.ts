// Market-time TTL and the one-live-signal rule together: a bar that expires a slot's old signal and
// scores a new one for the same slot (symbol, side, strategy) stores the new one. The old signal must
// be expired before the new one is inserted, or the unique live index turns the new one away.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKlineFile, type Bar } from '../../engine/index.ts';
import { barAt } from '../../engine/market/bar-at.ts';
import { intervalMs } from '../../engine/scan/interval.ts';
import type { SignalDraft } from '../../engine/scan/scanner.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

let t: TestDesk | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const slot = (s: { symbol: string; side: string; strategy: string }): string => `${s.symbol}|${s.side}|${s.strategy}`;

describe('signal TTL in bars', () => {
  it('with a TTL of one bar, a strategy that fires on consecutive bars has a live signal of each bar: the expiry frees the slot first', async () => {
    t = await createTestDesk({ DESK_UNIVERSE: 'BTCUSDT', DESK_INTERVALS: '60', DESK_SIGNAL_TTL_BARS: '1' });
    const desk = t.desk;
    const scanner = t.runtime.scanner;
    // Records what the real scanner scored on each bar (the desk's own scanner object, not a stand-in).
    let drafts: SignalDraft[] = [];
    const score = scanner.onBar.bind(scanner);
    scanner.onBar = (...args: Parameters<typeof scanner.onBar>) => {
      const out = score(...args);
      drafts = out;
      return out;
    };
    const file = loadKlineFile(join(t.config.DESK_DATA_DIR, 'BTCUSDT-60.csv'));
    const ms = intervalMs('60');
    let i = file.start.findIndex((s) => s + ms > t!.feed.replayStart);
    expect(i).toBeGreaterThan(0);
    let previous = new Set<string>();
    let repeats = 0;
    let checked = 0;
    for (; i < file.start.length && repeats < 3; i++) {
      const bar: Bar = barAt(file, i, 'BTCUSDT', '60');
      drafts = [];
      await desk.onBar(bar);
      // Rows whose status is live (the replayed bars are older than the desk's clock, so wall-time expiry is not in play here).
      const live = t.store.signals.listAll('BTCUSDT', 200).filter((s) => s.status === 'live');
      // Each live signal is of this bar: the TTL of one bar expired every older one.
      for (const s of live) expect(s.barTime).toBe(bar.start);
      const now = new Set<string>();
      for (const d of drafts) {
        const k = slot(d);
        now.add(k);
        if (previous.has(k)) repeats++;
        // The draft of this bar is stored and live, even when the slot held last bar's signal.
        expect(live.map(slot)).toContain(k);
        checked++;
      }
      previous = now;
    }
    // The replay did reach the case under test: the same slot scored on two consecutive bars.
    expect(repeats).toBeGreaterThanOrEqual(3);
    expect(checked).toBeGreaterThan(repeats);
  });
});
