import { describe, expect, it } from 'vitest';
import { createBybitFeed, type BybitFeed } from '../../engine/bybit/market-feed.ts';
import type { GapInfo } from '../../engine/bybit/kline-sequencer.ts';
import type { Bar } from '../../engine/market/types.ts';
import { ManualClock, systemClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';
import type { BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { fakeEnv, seeded, stopAfterEach, waitFor } from './fake-env.ts';

const H = 3_600_000;
let fake: BybitV5Fake | null = null;
let feed: BybitFeed | null = null;

stopAfterEach(() => ({ fake, feed }));

function bySeries(bars: Bar[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const b of bars) {
    const k = `${b.symbol}|${b.interval}`;
    m.set(k, [...(m.get(k) ?? []), b.start]);
  }
  return m;
}

describe('Bybit feed against the V5 fake (real RestClientV5 + WebsocketClient)', () => {
  it('backfills over paged REST, then streams each closed bar once, in order, with quotes over REST and instruments', async () => {
    const env = await fakeEnv({ symbols: ['BTCUSDT', 'ETHUSDT'], baseInterval: '60' }, { DESK_UNIVERSE: 'BTCUSDT,ETHUSDT', DESK_INTERVALS: '60' });
    fake = env.fake;
    feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, client: { reconnectDelayMs: 50 }, tickerPollMs: 0 });

    const hist = await feed.history('BTCUSDT', '60', 1500);
    expect(hist).toHaveLength(1500);
    for (let i = 1; i < hist.length; i++) expect(hist[i]!.start - hist[i - 1]!.start).toBe(H);
    expect(hist.at(-1)!.start).toBe(fake.market('BTCUSDT').now - H);
    expect(fake.requests.filter((r) => r.path === '/v5/market/kline').length).toBe(2); // 1000 + 500(+1) newest first
    const ethHist = await feed.history('ETHUSDT', '60', 10);

    const got: Bar[] = [];
    await feed.start((b) => void got.push(b));
    expect(feed.quote('BTCUSDT')).toMatchObject({ symbol: 'BTCUSDT', source: 'bybit', last: fake.market('BTCUSDT').last });

    expect(fake.advance(5)).toBe(5);
    await waitFor(() => got.length >= 10, '10 closed bars');
    await new Promise((r) => setTimeout(r, 100));
    const series = bySeries(got);
    const expectAfter = (last: number) => Array.from({ length: 5 }, (_, k) => last + (k + 1) * H);
    expect(series.get('BTCUSDT|60')).toEqual(expectAfter(hist.at(-1)!.start));
    expect(series.get('ETHUSDT|60')).toEqual(expectAfter(ethHist.at(-1)!.start));
    expect(feed.lagMs()).not.toBeNull();
    // No ticker stream: the snapshot taken at start stays until the next poll (off here) or until an
    // order asks for a quote taken now.
    const startQuote = feed.quote('BTCUSDT')!;
    expect(startQuote.last).not.toBe(fake.market('BTCUSDT').last);
    const asks = fake.requests.filter((r) => r.path === '/v5/market/tickers').length;
    const before = Date.now();
    const fresh = await feed.freshQuote('BTCUSDT');
    expect(fresh).toMatchObject({ symbol: 'BTCUSDT', source: 'bybit', last: fake.market('BTCUSDT').last });
    expect(fresh!.ts).toBeGreaterThanOrEqual(before);
    expect(feed.quote('BTCUSDT')).toEqual(fresh);
    expect(fake.requests.filter((r) => r.path === '/v5/market/tickers').length).toBe(asks + 1);
    expect(await feed.freshQuote('NOPEUSDT')).toBeNull(); // outside the universe: not asked for

    const inst = await feed.instruments(['BTCUSDT', 'NOPEUSDT']);
    const spec = fake.instrument('BTCUSDT');
    expect(inst).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', status: 'Trading', tickSize: Number(spec.tickSize), qtyStep: Number(spec.qtyStep), minQty: Number(spec.minOrderQty) }),
    ]);
    const t = feed.ticker('BTCUSDT')!;
    expect(t.turnover24h).toBeGreaterThan(0);
    if (t.fundingRate !== null) expect(feed.funding('BTCUSDT', fake.market('BTCUSDT').now)).toBe(t.fundingRate);
    // Subscribe requests carry at most 10 topics: 2 symbols × 1 kline = 2 topics → 1 request.
    expect(feed.stats().subscribeRequests).toBe(1);
  });

  it('refreshes the ticker snapshot over REST each poll period, and keeps the last one through a failed poll', async () => {
    const env = await fakeEnv({ symbols: ['BTCUSDT'], baseInterval: '60' }, { DESK_UNIVERSE: 'BTCUSDT', DESK_INTERVALS: '60' });
    fake = env.fake;
    feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, tickerPollMs: 150 });
    await feed.history('BTCUSDT', '60', 10);
    await feed.start(() => undefined);
    const polls = () => feed!.stats().tickerPolls;
    fake.advance(3);
    await waitFor(() => feed!.quote('BTCUSDT')?.last === fake!.market('BTCUSDT').last, 'the next snapshot');
    const kept = feed.quote('BTCUSDT')!;
    // Bybit refuses the next polls: the desk keeps quoting the last snapshot and tries again next period.
    fake.injectRetCode('/v5/market/tickers', 10016, { times: 2, retMsg: 'server error' });
    fake.advance(2);
    await waitFor(() => feed!.stats().tickerPollFailures === 2, 'two failed polls');
    expect(feed.quote('BTCUSDT')!.last).toBe(kept.last);
    const after = polls();
    await waitFor(() => polls() > after && feed!.quote('BTCUSDT')?.last === fake!.market('BTCUSDT').last, 'a poll after the failures');
    expect(feed.quote('BTCUSDT')!.ts).toBeGreaterThan(kept.ts);
    expect(feed.stats().tickerPollFailures).toBe(2);
  });

  it('asks for one symbol once per half second however many ask at once; a failed ask is not reused; none after stop', async () => {
    const env = await fakeEnv({ symbols: ['BTCUSDT', 'ETHUSDT'], baseInterval: '60' }, { DESK_UNIVERSE: 'BTCUSDT,ETHUSDT', DESK_INTERVALS: '60' });
    fake = env.fake;
    feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, tickerPollMs: 0 });
    await feed.history('BTCUSDT', '60', 10);
    await feed.start(() => undefined);
    const asks = () => fake!.requests.filter((r) => r.path === '/v5/market/tickers' && (r.params as { symbol?: string }).symbol).length;
    const burst = await Promise.all(Array.from({ length: 20 }, () => feed!.freshQuote('BTCUSDT')));
    expect(asks()).toBe(1);
    expect(new Set(burst.map((q) => q!.ts)).size).toBe(1);
    await feed.freshQuote('ETHUSDT'); // another symbol asks on its own
    expect(asks()).toBe(2);
    await new Promise((r) => setTimeout(r, 550));
    fake.advance(1);
    fake.injectRetCode('/v5/market/tickers', 10016, { times: 1, retMsg: 'server error' });
    await expect(feed.freshQuote('BTCUSDT')).rejects.toMatchObject({ code: 'EXCHANGE_UNAVAILABLE' });
    const again = await feed.freshQuote('BTCUSDT'); // at once: the failure is not handed out again
    expect(again!.last).toBe(fake.market('BTCUSDT').last);
    expect(asks()).toBe(4);
    await feed.stop();
    await expect(feed.freshQuote('BTCUSDT')).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(asks()).toBe(4);
  });

  it('refills bars the stream dropped before delivering the next one, and reports the gap', async () => {
    const env = await fakeEnv({ symbols: ['BTCUSDT'], baseInterval: '60' }, { DESK_UNIVERSE: 'BTCUSDT', DESK_INTERVALS: '60' });
    fake = env.fake;
    const gaps: GapInfo[] = [];
    feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, onGap: (g) => gaps.push(g) });
    const hist = await feed.history('BTCUSDT', '60', 50);
    const got: Bar[] = [];
    await feed.start((b) => void got.push(b));
    fake.dropKlines('BTCUSDT', 2);
    fake.advance(4);
    await waitFor(() => got.length >= 4, '4 bars');
    expect(got.map((b) => b.start)).toEqual([1, 2, 3, 4].map((k) => hist.at(-1)!.start + k * H));
    expect(gaps).toEqual([expect.objectContaining({ symbol: 'BTCUSDT', interval: '60', missing: 2, refilled: 2, repaired: true, reason: 'missing-bar' })]);
  });

  it('across 100 forced disconnects at seeded random times: 0 bars missing, 0 duplicated, all in order', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
    const env = await fakeEnv({ symbols, baseInterval: '60' }, { DESK_UNIVERSE: symbols.join(','), DESK_INTERVALS: '60' });
    fake = env.fake;
    const gaps: GapInfo[] = [];
    feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, onGap: (g) => gaps.push(g), client: { reconnectDelayMs: 20 } });
    const first = new Map<string, number>();
    for (const s of symbols) first.set(s, (await feed.history(s, '60', 20)).at(-1)!.start);
    const got: Bar[] = [];
    await feed.start((b) => void got.push(b));
    const rnd = seeded(20240611);
    const f = fake;
    for (let i = 0; i < 100; i++) {
      const reconnectsBefore = feed.stats().reconnects;
      // Drop the sockets at a random moment inside a burst of bars.
      const dropAfter = Math.floor(rnd() * 6);
      for (let k = 0; k < 6; k++) {
        if (k === dropAfter) f.disconnectPublic();
        f.advance(1, symbols);
        if (rnd() < 0.3) await new Promise((r) => setTimeout(r, 1));
      }
      await waitFor(() => feed!.stats().reconnects > reconnectsBefore && f.connections().public > 0, `reconnect #${i + 1}`);
    }
    f.advance(3, symbols);
    await waitFor(() => symbols.every((s) => (bySeries(got).get(`${s}|60`)?.at(-1) ?? 0) >= f.market(s).now - H), 'every series to reach the fake cursor', 20_000);
    await feed.drain();
    await new Promise((r) => setTimeout(r, 200));
    const series = bySeries(got);
    for (const s of symbols) {
      const starts = series.get(`${s}|60`)!;
      const last = f.market(s).now - H;
      const expected = Array.from({ length: (last - first.get(s)!) / H }, (_, k) => first.get(s)! + (k + 1) * H);
      expect(starts).toEqual(expected); // none missing, none duplicated, ascending
    }
    expect(feed.stats().reconnects).toBeGreaterThanOrEqual(100);
    expect(gaps.every((g) => g.repaired)).toBe(true);
    const refilled = gaps.reduce((n, g) => n + g.refilled, 0);
    expect(refilled).toBeGreaterThan(50); // the disconnects really lost bars, and REST brought them back
  }, 120_000);

  it('a silent stream is reported stale and the socket is recycled', async () => {
    const env = await fakeEnv({ symbols: ['BTCUSDT'], baseInterval: '60' }, { DESK_UNIVERSE: 'BTCUSDT', DESK_INTERVALS: '60' });
    fake = env.fake;
    const clock = new ManualClock(1_700_000_000_000);
    const stale: number[] = [];
    feed = createBybitFeed({ config: env.config, clock, logger: silentLogger, staleMs: 30_000, staleCheckMs: 20, onStale: (s) => stale.push(s.lagMs), client: { reconnectDelayMs: 20 } });
    await feed.start(() => undefined);
    await new Promise((r) => setTimeout(r, 60));
    expect(stale).toEqual([]);
    clock.advance(30_001);
    await waitFor(() => stale.length === 1 && feed!.stats().reconnects === 1, 'stale report and reconnect');
    expect(stale[0]).toBeGreaterThan(30_000);
  });
});
