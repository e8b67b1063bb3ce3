import type { WebsocketClient } from 'bybit-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { loadKlines, resolveKlinesDir } from './kline-data.ts';
import { until, Updates, wsClient } from './ws-helpers.ts';

const S = 'BTCUSDT';
const SOL = 'SOLUSDT';
const ETH = 'ETHUSDT';
const SYMBOLS = [S, SOL, ETH];
let fake: BybitV5Fake;
let pub: WebsocketClient;
let updates: Updates;

type Kline = { start: number; confirm: boolean };
const klineOf = (m: Record<string, unknown>) => (m.data as Kline[])[0]!;
const confirmed = (symbol: string) => (m: Record<string, unknown>) => m.topic === `kline.60.${symbol}` && klineOf(m).confirm === true;
const aboutSymbol = (symbol: string) => (m: Record<string, unknown>) => typeof m.topic === 'string' && m.topic.endsWith(`.${symbol}`);

beforeEach(async () => {
  fake = await startBybitV5Fake({ symbols: SYMBOLS });
  pub = wsClient(fake.wsPublicUrl);
  updates = new Updates(pub);
  pub.subscribeV5(
    SYMBOLS.flatMap((s) => [`kline.60.${s}`, `tickers.${s}`]),
    'linear',
  );
  await until(() => SYMBOLS.every((s) => updates.all.some((m) => m.topic === `tickers.${s}`)));
  // Every kline subscription is live: one plain step of each symbol shows up on the client.
  const from = updates.all.length;
  fake.advance(1, SYMBOLS);
  for (const s of SYMBOLS) await updates.next(confirmed(s), 5000, from);
});
afterEach(async () => {
  pub.closeAll(true);
  await fake.close();
});

describe('bybit-v5 fake: prepareAdvance holds a step\'s public messages until its sender is called', () => {
  it('steps now, pushes nothing to the real WebsocketClient until the sender runs, then pushes that symbol\'s bar and ticker', async () => {
    const h1 = loadKlines(resolveKlinesDir(), S, '60');
    const atS = fake.market(S).index;
    const atSol = fake.market(SOL).index;
    const from = updates.all.length;
    const senders = fake.prepareAdvance([S, SOL]);
    expect(senders).toHaveLength(2);
    // The market moved at once (REST and the cursor see the step) ...
    expect(fake.market(S).index).toBe(atS + 1);
    expect(fake.market(SOL).index).toBe(atSol + 1);
    // ... but the stream did not: a later plain step of another symbol on the same socket arrives
    // with nothing of the held ones ahead of it (frames of one socket arrive in order).
    fake.advance(1, [ETH]);
    await updates.next(confirmed(ETH), 5000, from);
    expect(updates.all.slice(from).filter((m) => aboutSymbol(S)(m) || aboutSymbol(SOL)(m))).toEqual([]);

    // Senders push their own symbol only, in the order they are called.
    const afterEth = updates.all.length;
    for (const i of [1, 0]) {
      senders[i]!.opening();
      senders[i]!.closing();
    }
    await updates.next(confirmed(S), 5000, afterEth);
    await updates.next((m) => m.topic === `tickers.${S}`, 5000, afterEth);
    const pushed = updates.all.slice(afterEth);
    const lastSol = pushed.map((m, i) => (aboutSymbol(SOL)(m) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    const firstS = pushed.findIndex(aboutSymbol(S));
    expect(lastSol).toBeGreaterThanOrEqual(0);
    expect(firstS).toBeGreaterThan(lastSol);
    expect(pushed.every((m) => aboutSymbol(S)(m) || aboutSymbol(SOL)(m))).toBe(true);
    // The held bar is the one the step closed, pushed once.
    const sBars = pushed.filter(confirmed(S)).map((m) => klineOf(m).start);
    expect(sBars).toEqual([h1.start[atS + 1]]);
    expect(pushed.filter(confirmed(SOL))).toHaveLength(1);
  });

  it('opening pushes only the opening tick of the new bar; closing pushes its close and the ticker', async () => {
    const h1 = loadKlines(resolveKlinesDir(), S, '60');
    const at = fake.market(S).index;
    const from = updates.all.length;
    const [step] = fake.prepareAdvance([S]);
    step!.opening();
    await updates.next((m) => m.topic === `kline.60.${S}`, 5000, from);
    await new Promise((r) => setTimeout(r, 50));
    const opened = updates.all.slice(from);
    expect(opened.map((m) => [m.topic, klineOf(m).start, klineOf(m).confirm])).toEqual([[`kline.60.${S}`, h1.start[at + 1], false]]);
    const afterOpen = updates.all.length;
    step!.closing();
    await updates.next((m) => m.topic === `tickers.${S}`, 5000, afterOpen);
    const closed = updates.all.slice(afterOpen);
    expect(closed.filter(confirmed(S)).map((m) => klineOf(m).start)).toEqual([h1.start[at + 1]]);
    expect(closed.filter((m) => m.topic === `kline.60.${S}` && !klineOf(m).confirm)).toEqual([]);
  });

  it('an unused sender never pushes: the next plain step delivers only the bars after it, nothing twice', async () => {
    const h1 = loadKlines(resolveKlinesDir(), S, '60');
    const at = fake.market(S).index;
    const from = updates.all.length;
    const [held] = fake.prepareAdvance([S]);
    expect(typeof held!.opening).toBe('function');
    expect(typeof held!.closing).toBe('function');
    fake.advance(1, [S]);
    await updates.next(confirmed(S), 5000, from);
    const bars = updates.all.slice(from).filter(confirmed(S)).map((m) => klineOf(m).start);
    expect(bars).toEqual([h1.start[at + 2]]);
  });
});
