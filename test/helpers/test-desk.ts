import { ManualClock, silentLogger, testConfig, type Desk, type DeskConfig, type DeskMetrics, type ReplayFeed, type Signal, type Store } from '../../engine/index.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';

/** A real desk (in-memory SQLite, replay feed on the bundled real klines, paper broker, manual clock). */
export interface TestDesk {
  desk: Desk;
  config: DeskConfig;
  clock: ManualClock;
  metrics: DeskMetrics;
  feed: ReplayFeed;
  store: Store;
  runtime: DeskRuntime;
  /**
   * Plays the real replay bar by bar until a live-stage signal exists whose symbol has a fresh quote,
   * no open position and no order yet, and returns it. Rejects if the data runs out first.
   */
  nextSignal(): Promise<Signal>;
  /** Stops the desk and closes the database. */
  close(): Promise<void>;
}

/** Test start time: a fixed UTC instant so days and hours are deterministic. */
export const TEST_START = Date.UTC(2026, 10, 2, 9, 0, 0);

/**
 * Builds and starts a real desk for tests; `overrides` are env-style config values
 * (e.g. { LIMIT_SCANS_PER_DAY: '3' }). Rejects like composeDesk on bad config.
 */
export async function createTestDesk(overrides: Record<string, string> = {}): Promise<TestDesk> {
  const config = testConfig({ DESK_WARMUP_BARS: '300', ...overrides });
  const clock = new ManualClock(TEST_START);
  const runtime = await composeDesk(config, { clock, logger: silentLogger, autoplay: false });
  await runtime.desk.start();
  const feed = runtime.feed as ReplayFeed;
  const executedStmt = runtime.store.db.prepare('SELECT 1 FROM orders WHERE signal_id = ?');
  const executed = { get: (id: string) => executedStmt.get(id) !== undefined };
  const nextSignal = async (): Promise<Signal> => {
    for (let i = 0; i < 200_000; i++) {
      const live = runtime.store.signals
        .listLive(clock.now(), null, 200)
        .find(
          (s) =>
            s.stage === 'live' &&
            feed.quote(s.symbol) !== null &&
            !runtime.store.positions.openOn(runtime.broker.mode, s.symbol) &&
            !executed.get(s.id),
        );
      if (live) return live;
      if ((await feed.step(1)) === 0) break;
    }
    throw new Error('replay ran out before a live signal appeared');
  };
  return {
    desk: runtime.desk,
    config,
    clock,
    metrics: runtime.metrics,
    feed,
    store: runtime.store,
    runtime,
    nextSignal,
    close: () => runtime.close(),
  };
}
