import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReplayFeed, type ReplayFeedOptions, type ReplayScheduler } from '../../engine/market/replay-feed.ts';
import { loadFundingFile } from '../../engine/market/csv.ts';
import type { Bar } from '../../engine/market/types.ts';
import { ManualClock } from '../../engine/clock.ts';
import { DeskError, isDeskError } from '../../engine/errors.ts';
import { FUNDING, KLINES, ROOT, captureLogger, sliceKlines, tempFiles } from './helpers.ts';

const H = 3_600_000;
const FROM = Date.UTC(2025, 4, 1);
const TO = Date.UTC(2025, 4, 5);
const WALL0 = Date.UTC(2030, 0, 1);

// Real rows 2025-05-01 .. 2025-05-04 of BTC and ETH, 1h and 4h (96 + 24 bars per symbol).
const files: Record<string, string> = {};
for (const s of ['BTCUSDT', 'ETHUSDT']) for (const i of ['60', '240']) files[`${s}-${i}.csv`] = sliceKlines(`${s}-${i}.csv`, FROM, TO);
files['instruments.json'] = readFileSync(join(ROOT, 'data/instruments.json'), 'utf8');
const dataDir = tempFiles(files);

const ivMs = (b: Bar) => (b.interval === '60' ? H : 4 * H);
const closeOf = (b: Bar) => b.start + ivMs(b);

class FakeScheduler implements ReplayScheduler {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private seq = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  /** The single pending timer's delay. */
  delay(): number | undefined {
    return [...this.pending.values()][0]?.ms;
  }
  fire(): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [, t] of all) t.fn();
  }
}

const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
};

function feedWith(over: Partial<ReplayFeedOptions> = {}) {
  const clock = new ManualClock(WALL0);
  const scheduler = new FakeScheduler();
  const feed = createReplayFeed({
    dataDir,
    fundingDir: FUNDING,
    universe: ['BTCUSDT', 'ETHUSDT'],
    intervals: ['60', '240'],
    warmupBars: 6,
    speed: 3600,
    clock,
    scheduler,
    autoplay: false,
    ...over,
  });
  return { feed, clock, scheduler };
}

describe('replay feed: warm-up and history', () => {
  it('warms every series up to one common market time and hands out the last warmupBars before it', async () => {
    const { feed } = feedWith();
    expect(feed.replayStart).toBe(FROM + 24 * H); // the 6th 4h bar closes 2025-05-02 00:00
    for (const s of feed.series()) {
      const h = await feed.history(s.symbol, s.interval, 1000);
      expect(h.length).toBe(6);
      expect(s.historyBars).toBe(6);
      expect(closeOf(h[5] as Bar)).toBe(feed.replayStart);
      expect(s.replayBars).toBe(s.interval === '60' ? 72 : 18);
    }
    expect((await feed.history('BTCUSDT', '60', 2)).map((b) => b.start)).toEqual([FROM + 22 * H, FROM + 23 * H]);
    expect(await feed.history('SOLUSDT', '60', 10)).toEqual([]);
    expect(feed.remaining()).toBe(180);
  });
});

describe('replay feed: ordering', () => {
  it('delivers every later bar exactly once, merged by close time, ties by interval then symbol', async () => {
    const { feed } = feedWith();
    const got: Bar[] = [];
    await feed.start((b) => {
      got.push(b);
    });
    expect(await feed.drain()).toBe(180);
    expect(got.length).toBe(180);
    expect(new Set(got.map((b) => `${b.symbol}|${b.interval}|${b.start}`)).size).toBe(180);
    for (let i = 1; i < got.length; i++) {
      const a = got[i - 1] as Bar;
      const b = got[i] as Bar;
      const key = (x: Bar) => [closeOf(x), ivMs(x), x.symbol] as const;
      const [ca, ia, sa] = key(a);
      const [cb, ib, sb] = key(b);
      expect(ca < cb || (ca === cb && (ia < ib || (ia === ib && sa < sb)))).toBe(true);
    }
    // At a 4h boundary: BTC 1h, ETH 1h, BTC 4h, ETH 4h.
    const at = got.filter((b) => closeOf(b) === FROM + 28 * H).map((b) => `${b.symbol}-${b.interval}`);
    expect(at).toEqual(['BTCUSDT-60', 'ETHUSDT-60', 'BTCUSDT-240', 'ETHUSDT-240']);
    // Each series' replayed bars are the file's rows after the warm-up, unchanged and in order.
    const btc60 = got.filter((b) => b.symbol === 'BTCUSDT' && b.interval === '60');
    const rows = files['BTCUSDT-60.csv']!.trimEnd().split('\n').slice(1 + 24);
    expect(btc60.map((b) => [b.start, b.open, b.high, b.low, b.close, b.volume].join(','))).toEqual(rows);
    expect(feed.remaining()).toBe(0);
    expect(await feed.drain()).toBe(0);
  });
});

describe('replay feed: pacing on the replay clock', () => {
  it('delivers a bar only once the replay clock passes its close', async () => {
    const { feed, clock, scheduler } = feedWith({ autoplay: true });
    const got: Bar[] = [];
    await feed.start((b) => {
      got.push(b);
    });
    await settle();
    // The clock starts at the first replayed close: both 1h bars closing then are due at once.
    expect(got.map((b) => `${b.symbol}-${b.interval}@${closeOf(b)}`)).toEqual([
      `BTCUSDT-60@${FROM + 25 * H}`,
      `ETHUSDT-60@${FROM + 25 * H}`,
    ]);
    expect(scheduler.delay()).toBe(1000); // 1 market hour at 3600 market-s per wall-s
    clock.advance(999);
    scheduler.fire();
    await settle();
    expect(got.length).toBe(2);
    expect(scheduler.delay()).toBe(1);
    clock.advance(1);
    scheduler.fire();
    await settle();
    expect(got.length).toBe(4);
    expect(feed.marketTime()).toBe(FROM + 26 * H);
    // Two market hours later (04:00): 2 × two 1h bars plus the two 4h bars closing then.
    clock.advance(2000);
    scheduler.fire();
    await settle();
    expect(got.length).toBe(10);
    expect(got.slice(-2).map((b) => b.interval)).toEqual(['240', '240']);
    await feed.stop();
  });

  it('awaits an async handler before the next bar (never interleaves, even with step() racing autoplay)', async () => {
    const { feed, clock } = feedWith({ autoplay: true, speed: 1e9, scheduler: undefined });
    let inFlight = 0;
    let maxInFlight = 0;
    const got: string[] = [];
    await feed.start(async (b) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => setTimeout(r, 0));
      got.push(`${b.symbol}|${b.interval}|${b.start}`);
      clock.advance(1);
      inFlight--;
    });
    const stepped = feed.step(5);
    await feed.whenDone();
    await stepped;
    expect(maxInFlight).toBe(1);
    expect(got.length).toBe(180);
    expect(new Set(got).size).toBe(180);
  });
});

describe('replay feed: quotes, funding and lag', () => {
  it('quotes the last delivered close with a half-tick synthetic spread and the delivery wall time', async () => {
    const { feed, clock } = feedWith();
    expect(feed.quote('BTCUSDT')).toBeNull();
    expect(feed.lagMs()).toBeNull();
    const got: Bar[] = [];
    await feed.start((b) => {
      got.push(b);
    });
    await feed.step(1);
    const b = got[0] as Bar;
    expect(b.symbol).toBe('BTCUSDT');
    const q = feed.quote('BTCUSDT')!;
    expect(q).toEqual({ symbol: 'BTCUSDT', last: b.close, mark: b.close, bid: b.close - 0.05, ask: b.close + 0.05, ts: WALL0, source: 'replay' });
    expect(q.bid).toBeLessThan(q.ask);
    expect(feed.quote('ETHUSDT')).toBeNull();
    clock.advance(500);
    expect(feed.lagMs()).toBe(500);
    // Deliver through the first 4h boundary: the quote stays on the finest interval's bar of that close.
    await feed.step(9);
    const last = got[got.length - 1] as Bar;
    expect(last.interval).toBe('240');
    const btc1h = got.filter((x) => x.symbol === 'BTCUSDT' && x.interval === '60').pop() as Bar;
    expect(closeOf(btc1h)).toBe(closeOf(last));
    expect(feed.quote('BTCUSDT')!.last).toBe(btc1h.close);
    expect(feed.quote('BTCUSDT')!.ts).toBe(WALL0 + 500);
  });

  it('answers funding at the market time the replay has reached, never later', async () => {
    const { feed } = feedWith();
    const f = loadFundingFile(join(FUNDING, 'BTCUSDT.csv'));
    const rateAt = (t: number) => {
      let r: number | null = null;
      for (let i = 0; i < f.length && (f.time[i] as number) <= t; i++) r = f.rate[i] as number;
      return r;
    };
    // Before any bar: the warm-up point.
    expect(feed.funding('BTCUSDT', WALL0)).toBe(rateAt(feed.replayStart));
    await feed.start(() => undefined);
    for (let k = 0; k < 20; k++) {
      await feed.step(9);
      const m = feed.marketTime();
      expect(feed.funding('BTCUSDT', WALL0)).toBe(rateAt(m));
      expect(feed.funding('BTCUSDT', m - 9 * H)).toBe(rateAt(m - 9 * H));
    }
    expect(feed.funding('XRPUSDT', WALL0)).toBeNull();
  });
});

describe('replay feed: lifecycle', () => {
  it('stop() is idempotent, cancels the timer and nothing is delivered after it', async () => {
    const { feed, clock, scheduler } = feedWith({ autoplay: true });
    let n = 0;
    await feed.start(() => {
      n++;
    });
    await settle();
    expect(n).toBe(2);
    expect(scheduler.pending.size).toBe(1);
    await feed.stop();
    await feed.stop();
    expect(scheduler.pending.size).toBe(0);
    clock.advance(10 * 3600_000);
    expect(await feed.step(5)).toBe(0);
    await feed.whenDone();
    expect(n).toBe(2);
    await expect(feed.start(() => undefined)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('logs the end of the data once and resolves whenDone', async () => {
    const cap = captureLogger();
    const { feed } = feedWith({ logger: cap.logger });
    await feed.start(() => undefined);
    await feed.drain();
    await feed.whenDone();
    await feed.drain();
    await feed.stop();
    expect(cap.lines.filter((l) => String(l.msg).includes('data exhausted')).length).toBe(1);
  });

  it('keeps going when the handler throws, and logs only the error code', async () => {
    const cap = captureLogger();
    const { feed } = feedWith({ logger: cap.logger });
    let n = 0;
    await feed.start(() => {
      n++;
      if (n === 3) throw new Error('secret=abc');
    });
    expect(await feed.drain()).toBe(180);
    const warn = cap.lines.find((l) => String(l.msg).includes('handler failed'));
    expect(warn?.code).toBe('INTERNAL');
    expect(JSON.stringify(cap.lines)).not.toContain('secret=abc');
  });

  it('rejects step() before start()', async () => {
    const { feed } = feedWith();
    await expect(feed.step(1)).rejects.toBeInstanceOf(DeskError);
  });
});

describe('replay feed: files', () => {
  it('skips a missing series with a warning', () => {
    const cap = captureLogger();
    const { feed } = feedWith({ universe: ['BTCUSDT', 'XRPUSDT'], logger: cap.logger });
    expect(feed.series().map((s) => s.symbol)).toEqual(['BTCUSDT', 'BTCUSDT']);
    const warns = cap.lines.filter((l) => String(l.msg).includes('missing'));
    expect(warns.map((l) => l.file)).toEqual([join(dataDir, 'XRPUSDT-60.csv'), join(dataDir, 'XRPUSDT-240.csv')]);
  });

  it('refuses to start with CONFIG naming the dir when no file exists', () => {
    try {
      feedWith({ universe: ['XRPUSDT'] });
      expect.unreachable();
    } catch (e) {
      expect(isDeskError(e, 'CONFIG')).toBe(true);
      expect((e as DeskError).detail.dir).toBe(dataDir);
      expect((e as DeskError).message).toContain(dataDir);
    }
  });

  it('refuses a corrupt file with VALIDATION naming file and line', () => {
    const lines = files['BTCUSDT-60.csv']!.split('\n');
    lines[10] = lines[10]!.replace(/,[^,]+$/, ',-1');
    const bad = tempFiles({ 'BTCUSDT-60.csv': lines.join('\n') });
    try {
      createReplayFeed({ dataDir: bad, universe: ['BTCUSDT'], intervals: ['60'], warmupBars: 5, speed: 1, clock: new ManualClock(0) });
      expect.unreachable();
    } catch (e) {
      expect(isDeskError(e, 'VALIDATION')).toBe(true);
      expect((e as DeskError).detail).toMatchObject({ file: join(bad, 'BTCUSDT-60.csv'), line: 11 });
    }
  });

  it('serves instruments from instruments.json; unknown symbols are absent', async () => {
    const { feed } = feedWith();
    const got = await feed.instruments(['BTCUSDT', 'XRPUSDT']);
    expect(got).toEqual([{ symbol: 'BTCUSDT', tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, minNotional: 5, maxLeverage: 100, status: 'Trading' }]);
  });

  it('replays the bundled default universe (5 symbols × 60, 240) from one warm-up point', async () => {
    const feed = createReplayFeed({
      dataDir: KLINES,
      fundingDir: FUNDING,
      universe: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'WIFUSDT'],
      intervals: ['60', '240'],
      warmupBars: 500,
      speed: 3600,
      clock: new ManualClock(WALL0),
      autoplay: false,
    });
    expect(feed.series().length).toBe(10);
    expect(feed.replayStart).toBe(Date.UTC(2025, 4, 21, 8));
    for (const s of feed.series()) expect(s.historyBars).toBe(500);
    expect(feed.remaining()).toBe(5 * 5500 + 5 * 1375);
    expect((await feed.instruments(['WIFUSDT']))[0]?.tickSize).toBe(0.0001);
    await feed.stop();
  });
});
