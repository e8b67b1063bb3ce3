import { describe, expect, it } from 'vitest';
import { KlineSequencer, type GapInfo } from '../../engine/bybit/kline-sequencer.ts';
import type { Bar } from '../../engine/market/types.ts';
import { silentLogger } from '../../engine/log.ts';

const IV = 300_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % IV);
const bar = (i: number): Bar => ({ symbol: 'BTCUSDT', interval: '5', start: T0 + i * IV, open: i, high: i + 1, low: i - 1, close: i, volume: 1 });

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function harness(opts: { failFetches?: number } = {}) {
  const delivered: number[] = [];
  const gaps: GapInfo[] = [];
  let fetches = 0;
  let failures = opts.failFetches ?? 0;
  let venueNewest = 0;
  const seq = new KlineSequencer({
    symbol: 'BTCUSDT',
    interval: '5',
    intervalMs: IV,
    fetchRange: async (from, to) => {
      fetches++;
      if (failures > 0) {
        failures--;
        throw new Error('rest down');
      }
      const out: Bar[] = [];
      for (let i = 0; i <= venueNewest; i++) {
        const b = bar(i);
        if (b.start >= from && (to === null || b.start <= to)) out.push(b);
      }
      return out;
    },
    deliver: async (bars) => {
      for (const b of bars) delivered.push((b.start - T0) / IV);
      await new Promise((r) => setImmediate(r));
    },
    onGap: (g) => gaps.push(g),
    logger: silentLogger,
    sleep: async () => undefined,
  });
  return { seq, delivered, gaps, setVenueNewest: (n: number) => (venueNewest = n), fetches: () => fetches };
}

describe('KlineSequencer: ordered, deduped, gap-repaired closed bars', () => {
  it('a bar that follows a gap still being repaired waits for the repair, even though it is in sequence then', async () => {
    const h = harness();
    h.seq.setBaseline(bar(9).start);
    h.setVenueNewest(13);
    // 10 goes straight through; 12 opens a gap (11 is fetched over REST); 13 arrives while that
    // repair is in flight and must not overtake it.
    for (const i of [10, 12, 13]) void h.seq.push(bar(i));
    await h.seq.idle();
    expect(h.delivered).toEqual([10, 11, 12, 13]);
    expect(h.fetches()).toBe(1);
    // Once the repair is done, the next bar in sequence is handed over again.
    void h.seq.push(bar(14));
    await h.seq.idle();
    expect(h.delivered).toEqual([10, 11, 12, 13, 14]);
    expect(h.seq.stats()).toMatchObject({ delivered: 5, refilled: 1, duplicates: 0 });
  });

  it('delivers consecutive bars once and drops duplicates and older bars', async () => {
    const h = harness();
    h.seq.setBaseline(bar(9).start);
    for (const i of [10, 11, 11, 10, 12]) void h.seq.push(bar(i));
    await h.seq.idle();
    expect(h.delivered).toEqual([10, 11, 12]);
    expect(h.seq.stats().duplicates).toBe(2);
    expect(h.fetches()).toBe(0);
  });

  it('refills a missing bar over REST before the bar after it', async () => {
    const h = harness();
    h.setVenueNewest(20);
    h.seq.setBaseline(bar(9).start);
    await h.seq.push(bar(10));
    await h.seq.push(bar(14));
    expect(h.delivered).toEqual([10, 11, 12, 13, 14]);
    expect(h.gaps).toEqual([expect.objectContaining({ missing: 3, refilled: 3, repaired: true, reason: 'missing-bar' })]);
  });

  it('catches up after a reconnect and then ignores the replayed stream bars', async () => {
    const h = harness();
    h.seq.setBaseline(bar(4).start);
    h.setVenueNewest(8);
    await h.seq.catchUp();
    for (const i of [7, 8, 9]) void h.seq.push(bar(i));
    await h.seq.idle();
    expect(h.delivered).toEqual([5, 6, 7, 8, 9]);
    expect(h.gaps[0]).toMatchObject({ reason: 'reconnect', missing: 4, refilled: 4, repaired: true });
  });

  it('reports an unrepaired gap after bounded REST failures and still moves on in order', async () => {
    const h = harness({ failFetches: 3 });
    h.setVenueNewest(20);
    h.seq.setBaseline(bar(0).start);
    await h.seq.push(bar(3));
    expect(h.delivered).toEqual([3]);
    expect(h.gaps[0]).toMatchObject({ missing: 2, refilled: 0, repaired: false });
    expect(h.fetches()).toBe(3);
  });

  it('across 1000 seeded random drops, duplicates and reconnects: every bar exactly once, ascending', async () => {
    const r = rng(42);
    const h = harness();
    h.seq.setBaseline(bar(0).start);
    const N = 1000;
    for (let i = 1; i <= N; i++) {
      h.setVenueNewest(i);
      const x = r();
      if (x < 0.15) continue; // the stream lost this bar
      if (x < 0.2) void h.seq.catchUp(); // a reconnect
      void h.seq.push(bar(i));
      if (x > 0.9) void h.seq.push(bar(i)); // a replay
    }
    void h.seq.catchUp();
    await h.seq.idle();
    expect(h.delivered).toEqual(Array.from({ length: N }, (_, k) => k + 1));
  });
});
