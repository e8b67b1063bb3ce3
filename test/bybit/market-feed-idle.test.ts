// The Bybit feed's onIdle (where the desk commits the bar writes of a burst): called once every bar
// handed over so far has been handled and no delivery is queued — after a burst, not between its bars
// — also when a handler throws, and a throwing onIdle does not stop the stream.
import { describe, expect, it } from 'vitest';
import { createBybitFeed, type BybitFeed } from '../../engine/bybit/market-feed.ts';
import type { Bar } from '../../engine/market/types.ts';
import { systemClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';
import type { BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { fakeEnv, stopAfterEach, waitFor } from './fake-env.ts';

const H = 3_600_000;
let fake: BybitV5Fake | null = null;
let feed: BybitFeed | null = null;

stopAfterEach(() => ({ fake, feed }));

/** A feed on the fake for `symbols` on 60m bars, history loaded (so the first streamed bar follows it); returns the last history start per symbol. */
async function feedFor(symbols: string[]): Promise<Map<string, number>> {
  const env = await fakeEnv({ symbols, baseInterval: '60' }, { DESK_UNIVERSE: symbols.join(','), DESK_INTERVALS: '60' });
  fake = env.fake;
  feed = createBybitFeed({ config: env.config, clock: systemClock, logger: silentLogger, client: { reconnectDelayMs: 50 } });
  const last = new Map<string, number>();
  for (const s of symbols) last.set(s, (await feed.history(s, '60', 10)).at(-1)!.start);
  return last;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('Bybit feed onIdle', () => {
  it('is called after a burst has been handled, never before a bar or twice in a row', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'];
    await feedFor(symbols);
    const log: string[] = [];
    let bars = 0;
    let barsAtIdle = -1;
    await feed!.start(
      (b) => {
        bars++;
        log.push(`bar ${b.symbol}`);
      },
      () => {
        barsAtIdle = bars;
        log.push('idle');
      },
    );
    expect(fake!.advance(1, symbols)).toBe(1);
    await waitFor(() => bars === 4 && log.at(-1) === 'idle', 'four bars and then idle');
    await feed!.drain();
    await sleep(50);
    expect(log.at(-1)).toBe('idle');
    expect(barsAtIdle).toBe(4);
    expect(log[0]).not.toBe('idle');
    for (let i = 1; i < log.length; i++) expect(log[i] === 'idle' && log[i - 1] === 'idle').toBe(false);
    expect(log.filter((e) => e === 'idle').length).toBeLessThanOrEqual(4);
  });

  it('bars that queue up behind a slow handler are one burst: one idle call after the last of them', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
    await feedFor(symbols);
    const log: string[] = [];
    let first = true;
    await feed!.start(
      async (b) => {
        log.push(`bar ${b.symbol}`);
        if (first) {
          first = false;
          // The other symbols' bars of this step arrive meanwhile and wait their turn.
          await sleep(300);
        }
      },
      () => void log.push('idle'),
    );
    fake!.advance(1, symbols);
    await waitFor(() => log.length === 4, 'three bars and one idle');
    await feed!.drain();
    await sleep(50);
    expect(log.slice(0, 3).sort()).toEqual(symbols.map((s) => `bar ${s}`).sort());
    expect(log).toHaveLength(4);
    expect(log[3]).toBe('idle');
  });

  it('a gap refilled over REST is handed over with the bar after it, then idle once', async () => {
    const last = await feedFor(['BTCUSDT']);
    const log: string[] = [];
    await feed!.start(
      (b) => void log.push(`bar ${(b.start - last.get('BTCUSDT')!) / H}`),
      () => void log.push('idle'),
    );
    fake!.dropKlines('BTCUSDT', 2);
    fake!.advance(3);
    await waitFor(() => log.length === 4, 'three bars and one idle');
    await feed!.drain();
    await sleep(50);
    expect(log).toEqual(['bar 1', 'bar 2', 'bar 3', 'idle']);
  });

  it('is still called when the bar handler throws, and a throwing onIdle does not stop later bars or later idle calls', async () => {
    await feedFor(['BTCUSDT']);
    const got: Bar[] = [];
    let idles = 0;
    await feed!.start(
      (b) => {
        got.push(b);
        if (got.length === 1) throw new Error('handler broke');
      },
      () => {
        idles++;
        if (idles === 1) throw new Error('idle broke');
      },
    );
    fake!.advance(1);
    await waitFor(() => got.length === 1 && idles === 1, 'first bar and idle');
    fake!.advance(1);
    await waitFor(() => got.length === 2 && idles === 2, 'second bar and idle');
    expect(got[1]!.start - got[0]!.start).toBe(H);
  });
});
