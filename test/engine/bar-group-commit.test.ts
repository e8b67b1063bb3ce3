// The desk's closed-bar group commit, end to end on real bars: every signal.created / signal.expired
// event is emitted only once its row is committed (a second connection on the same WAL file already
// sees it), a burst handed over by the replay feed is fully committed when the feed goes idle,
// desk.onBar resolves with its bar's signals stored, and execute() applies a queued market-time
// expiry before it decides (SIGNAL_EXPIRED, not a fill).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createReplayFeed,
  replayOptionsOf,
  isDeskError,
  loadKlineFile,
  ManualClock,
  silentLogger,
  testConfig,
  type Actor,
  type Bar,
  type Db,
  type DeskEvent,
  type MarketFeed,
  type ReplayFeed,
  type Signal,
} from '../../engine/index.ts';
import { barAt } from '../../engine/market/bar-at.ts';
import { intervalMs } from '../../engine/scan/interval.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createTestDesk, TEST_START, type TestDesk } from '../helpers/test-desk.ts';

const trader: Actor = { kind: 'rpc', id: 'alice', role: 'trader' };

let t: TestDesk | undefined;
let runtime: DeskRuntime | undefined;
const readers: Db[] = [];
afterEach(async () => {
  await t?.close();
  await runtime?.close();
  t = undefined;
  runtime = undefined;
  for (const db of readers.splice(0)) db.close();
});

function tmpDbPath(): string {
  return join(tempDir('desk-bar-gc-'), 'desk.db');
}

/** A read-only second connection on the desk's file: it sees committed rows only. */
function reader(path: string): { status(id: string): string | null; count(): number } {
  const db = new Database(path, { readonly: true });
  readers.push(db);
  const statusStmt = db.prepare('SELECT status FROM signals WHERE id = ?').pluck();
  const countStmt = db.prepare('SELECT COUNT(*) FROM signals').pluck();
  return {
    status: (id) => (statusStmt.get(id) as string | undefined) ?? null,
    count: () => countStmt.get() as number,
  };
}

interface Seen {
  type: 'signal.created' | 'signal.expired';
  id: string;
  inTransaction: boolean;
  committedStatus: string | null;
}

/** Records, for every signal event, whether the desk's connection was inside a transaction and what a second connection saw. */
function watch(subscribe: (l: (e: DeskEvent) => void) => unknown, db: Db, other: ReturnType<typeof reader>): Seen[] {
  const seen: Seen[] = [];
  subscribe((e) => {
    if (e.type === 'signal.created') seen.push({ type: e.type, id: e.signal.id, inTransaction: db.inTransaction, committedStatus: other.status(e.signal.id) });
    if (e.type === 'signal.expired') seen.push({ type: e.type, id: e.signalId, inTransaction: db.inTransaction, committedStatus: other.status(e.signalId) });
  });
  return seen;
}

describe('desk closed-bar group commit', () => {
  it('a burst from the replay feed: each signal event comes after its row is committed, and the burst is all committed when the feed goes idle', async () => {
    const path = tmpDbPath();
    t = await createTestDesk({ DESK_DB: path });
    const other = reader(path);
    const seen = watch((l) => t!.desk.subscribe(l), t.store.db, other);
    let bursts = 0;
    while (bursts < 12 && seen.filter((s) => s.type === 'signal.expired').length < 3) {
      await t.feed.step(250);
      bursts++;
      // The step resolves after the feed's idle call: nothing of the burst is left uncommitted.
      expect(other.count()).toBe(t.store.signals.countSince(0));
    }
    const created = seen.filter((s) => s.type === 'signal.created');
    const expired = seen.filter((s) => s.type === 'signal.expired');
    expect(created.length).toBeGreaterThan(0);
    expect(expired.length).toBeGreaterThan(0);
    for (const s of created) expect(s).toMatchObject({ inTransaction: false, committedStatus: expect.stringMatching(/^(live|expired|executed|superseded)$/) });
    for (const s of expired) expect(s).toMatchObject({ inTransaction: false, committedStatus: 'expired' });
    // A signal is announced once, and created before it expires.
    const createdIds = created.map((s) => s.id);
    expect(new Set(createdIds).size).toBe(createdIds.length);
    for (const s of expired) {
      const c = seen.findIndex((x) => x.type === 'signal.created' && x.id === s.id);
      if (c >= 0) expect(c).toBeLessThan(seen.indexOf(s));
    }
  });

  it('desk.onBar(bar) resolves with the bar\'s signals committed and announced, nothing left queued', async () => {
    const path = tmpDbPath();
    t = await createTestDesk({ DESK_DB: path, DESK_UNIVERSE: 'BTCUSDT', DESK_INTERVALS: '60' });
    const other = reader(path);
    const seen = watch((l) => t!.desk.subscribe(l), t.store.db, other);
    // The bars right after the warm-up, fed straight to the public onBar (the feed is never stepped).
    const file = loadKlineFile(join(t.config.DESK_DATA_DIR, 'BTCUSDT-60.csv'));
    const ms = intervalMs('60');
    let i = file.start.findIndex((s) => s + ms > t!.feed.replayStart);
    expect(i).toBeGreaterThan(0);
    let stored = 0;
    let announcedLive = 0;
    for (let k = 0; k < 3000 && i < file.start.length && (stored < 3 || announcedLive < 1); k++, i++) {
      const bar: Bar = barAt(file, i, 'BTCUSDT', '60');
      const before = seen.length;
      await t.desk.onBar(bar);
      // Committed by the time onBar resolves: the other connection sees exactly what the desk does.
      expect(other.count()).toBe(t.store.signals.countSince(0));
      const mine = t.store.signals.listAll('BTCUSDT', 50).filter((s) => s.barTime === bar.start);
      for (const s of mine) {
        expect(other.status(s.id)).toBe('live');
        stored++;
        // A live-stage signal was announced during this call, after its commit.
        if (s.stage === 'live') {
          expect(seen.slice(before)).toContainEqual({ type: 'signal.created', id: s.id, inTransaction: false, committedStatus: 'live' });
          announcedLive++;
        }
      }
      // Nothing is announced later for this bar: a turn after it resolved, the events are the same.
      const after = seen.length;
      await new Promise<void>((r) => setImmediate(r));
      expect(seen.length).toBe(after);
    }
    expect(stored).toBeGreaterThanOrEqual(3);
    expect(announcedLive).toBeGreaterThanOrEqual(1);
  });
});

describe('execute() and bar writes still queued', () => {
  it('a market-time expiry queued by a bar the feed handed over is applied before preview, getSignal and execute decide: SIGNAL_EXPIRED, no order', async () => {
    const path = tmpDbPath();
    const config = testConfig({ DESK_WARMUP_BARS: '300', DESK_DB: path });
    const clock = new ManualClock(TEST_START);
    const inner: ReplayFeed = createReplayFeed({
      ...replayOptionsOf(config),
      clock,
      autoplay: false,
    });
    // The real replay feed, with a switch that keeps its "burst over" call from reaching the desk (so
    // the bar writes stay queued, as in the middle of a burst) and a note of the last bar handed over.
    let holdIdle = false;
    let lastBar: Bar | null = null;
    const feed: MarketFeed = {
      ...inner,
      start: (onBar, onIdle) =>
        inner.start(
          async (bar) => {
            lastBar = bar;
            await onBar(bar);
          },
          () => {
            if (!holdIdle) onIdle?.();
          },
        ),
    };
    runtime = await composeDesk(config, { clock, logger: silentLogger, feed });
    await runtime.desk.start();
    const { desk, store } = runtime;
    const other = reader(path);
    const seen = watch((l) => desk.subscribe(l), store.db, other);

    // A live signal the trader could execute right now (fresh quote, nothing open on its symbol).
    let s: Signal | undefined;
    for (let k = 0; k < 200_000 && !s; k++) {
      s = store.signals
        .listLive(clock.now(), null, 200)
        .find((x) => x.stage === 'live' && inner.quote(x.symbol) !== null && !store.positions.openOn(runtime!.broker.mode, x.symbol));
      if (!s && (await inner.step(1)) === 0) break;
    }
    expect(s).toBeDefined();
    const sig = s!;
    const ttlMs = config.DESK_SIGNAL_TTL_BARS * intervalMs(sig.interval);

    // Hand over bars until the one of the signal's own series that makes it stale (TTL bars later).
    holdIdle = true;
    const isExpiryBar = (b: Bar | null) => b !== null && b.symbol === sig.symbol && b.interval === sig.interval && b.start - ttlMs >= sig.barTime;
    for (let k = 0; k < 100_000 && !isExpiryBar(lastBar); k++) expect(await inner.step(1)).toBe(1);
    expect(isExpiryBar(lastBar)).toBe(true);
    // Its expiry is queued, not run: the signal is still live, and its wall-time expiry is far off.
    expect(store.signals.get(sig.id)?.status).toBe('live');
    expect(other.status(sig.id)).toBe('live');
    expect(sig.expiresAt).toBeGreaterThan(clock.now());
    expect(seen.some((e) => e.type === 'signal.expired' && e.id === sig.id)).toBe(false);

    // A preview sees what execute will see: the queued expiry is applied first.
    const preview = await desk.previewExecution(trader, { signalId: sig.id });
    expect(preview.allowed).toBe(false);
    expect(preview.refusal?.code).toBe('SIGNAL_EXPIRED');
    expect((await desk.getSignal(trader, { id: sig.id })).signal.status).toBe('expired');
    expect(other.status(sig.id)).toBe('expired');

    const err = await desk.execute(trader, { signalId: sig.id }).catch((e: unknown) => e);
    expect(isDeskError(err, 'SIGNAL_EXPIRED')).toBe(true);
    expect(other.status(sig.id)).toBe('expired');
    expect(seen).toContainEqual({ type: 'signal.expired', id: sig.id, inTransaction: false, committedStatus: 'expired' });
    expect(store.db.prepare('SELECT COUNT(*) FROM orders WHERE signal_id = ?').pluck().get(sig.id)).toBe(0);
  });
});

describe('marks of held symbols on the closed-bar path', () => {
  it('a held bar marks the position for every read at once; the row has the mark once the burst is committed', async () => {
    const path = tmpDbPath();
    const config = testConfig({ DESK_WARMUP_BARS: '300', DESK_DB: path });
    const clock = new ManualClock(TEST_START);
    const inner: ReplayFeed = createReplayFeed({ ...replayOptionsOf(config), clock, autoplay: false });
    const finest = [...config.DESK_INTERVALS].sort((a, b) => intervalMs(a) - intervalMs(b))[0]!;
    // The real replay feed; the test reads the desk between a held bar and the end of its burst.
    let held: string | null = null;
    let duringBar: { close: number; seen: number | null; before: number | null; after: number | null } | null = null;
    const feed: MarketFeed = {
      ...inner,
      start: (onBar, onIdle) =>
        inner.start(async (bar) => {
          const mine = bar.symbol === held && bar.interval === finest && runtime ? runtime.store.positions.openOn(runtime.broker.mode, bar.symbol) : null;
          const before = mine ? lastPriceOnFile(mine.id) : null;
          await onBar(bar);
          const p = mine ? runtime!.store.positions.openOn(runtime!.broker.mode, bar.symbol) : null;
          if (p) duringBar = { close: bar.close, seen: p.lastPrice, before, after: lastPriceOnFile(p.id) };
        }, onIdle),
    };
    runtime = await composeDesk(config, { clock, logger: silentLogger, feed });
    await runtime.desk.start();
    const { desk, store } = runtime;
    const file = new Database(path, { readonly: true });
    readers.push(file);
    const lastPriceStmt = file.prepare('SELECT last_price FROM positions WHERE id = ?').pluck();
    const lastPriceOnFile = (id: string) => (lastPriceStmt.get(id) as number | null | undefined) ?? null;

    let s: Signal | undefined;
    for (let k = 0; k < 200_000 && !s; k++) {
      s = store.signals.listLive(clock.now(), null, 200).find((x) => x.stage === 'live' && inner.quote(x.symbol) !== null);
      if (!s && (await inner.step(1)) === 0) break;
    }
    expect(s).toBeDefined();
    await desk.execute(trader, { signalId: s!.id });
    const pos = store.positions.openOn(runtime.broker.mode, s!.symbol)!;
    held = s!.symbol;
    // Bars one by one until one of the held symbol's finest series marks the (still open) position.
    for (let k = 0; k < 10_000 && !duringBar; k++) expect(await inner.step(1)).toBe(1);
    const at = duringBar as unknown as { close: number; seen: number | null; before: number | null; after: number | null };
    expect(at.seen).toBe(at.close); // the desk's own reads (breaker, exits, /positions) see it at once
    expect(at.after).toBe(at.before); // the row is written with the burst's commit, not by the bar itself
    // The step resolved after the feed's idle call: the burst, and the mark with it, is committed.
    const now = store.positions.get(pos.id)!;
    if (now.status === 'open') expect(lastPriceOnFile(pos.id)).toBe(at.close);
    const listed = await desk.listPositions(trader, { status: 'open' });
    for (const p of listed.positions) if (p.id === pos.id) expect(p.lastPrice).toBe(at.close);
  });
});
