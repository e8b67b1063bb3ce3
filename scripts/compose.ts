import {
  createLogger,
  createMetrics,
  createPaperLedger,
  createReplayFeed,
  replayOptionsOf,
  createStore,
  Desk,
  openDb,
  QuietCheckpoints,
  QuietGc,
  type MinorGc,
  PaperBroker,
  Scanner,
  scannerOptionsFromConfig,
  systemClock,
  type Broker,
  type Clock,
  type Db,
  type DeskConfig,
  type DeskEvent,
  type DeskLogger,
  type DeskMetrics,
  type MarketFeed,
  type Store,
} from '../engine/index.ts';

/** Everything one running desk is made of, and how to tear it down. */
export interface DeskRuntime {
  config: DeskConfig;
  clock: Clock;
  logger: DeskLogger;
  metrics: DeskMetrics;
  db: Db;
  store: Store;
  feed: MarketFeed;
  broker: Broker;
  scanner: Scanner;
  desk: Desk;
  /** Stops the desk (feed, broker) and closes the database; idempotent. */
  close(): Promise<void>;
}

/** Options a caller (start script, CLI, test) may inject instead of the config-chosen adapters. */
export interface ComposeOptions {
  clock?: Clock;
  logger?: DeskLogger;
  metrics?: DeskMetrics;
  feed?: MarketFeed;
  broker?: Broker;
  /** Replay only: false = bars move only when the caller steps the feed. */
  autoplay?: boolean;
  /** The young-generation collection run after each burst of bars; default V8's (with --expose-gc), null: none. */
  minorGc?: MinorGc | null;
}

/**
 * The composition root's wiring: opens and migrates the store, picks the feed (replay | bybit) and
 * the broker (paper | live) from config, builds the scanner and the Desk. Does not start anything.
 * Rejects with DeskError CONFIG on unusable settings (missing data, live without keys, ...).
 */
export async function composeDesk(config: DeskConfig, opts: ComposeOptions = {}): Promise<DeskRuntime> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.DESK_LOG_LEVEL });
  const metrics = opts.metrics ?? createMetrics();
  const { db } = await openDb(config.DESK_DB, () => clock.now());
  // WAL checkpoints (an fsync each) run in the quiet after a burst of bars, not inside a commit on the bar path.
  const checkpoints = new QuietCheckpoints(db, config.DESK_DB, { onError: (code) => logger.warn({ code }, 'wal checkpoint failed') });
  // V8's young generation is emptied in the quiet after a burst (npm start runs node with
  // --expose-gc), so a burst of bars does not stop for a scavenge of the previous burst's garbage.
  const quietGc = new QuietGc({ ...(opts.minorGc !== undefined ? { gc: opts.minorGc } : {}), onError: () => logger.warn('quiet gc failed') });
  const store = createStore(db);
  let feed = opts.feed;
  let broker = opts.broker;
  // Adapters built before the desk report feed events through this late-bound emitter.
  let emit: (e: DeskEvent) => void = () => {};
  try {
    if (!feed || !broker) {
      const want = { feed: !feed && config.DESK_FEED === 'bybit', broker: !broker && config.DESK_MODE === 'live' };
      // bybit-api (~13 MB) loads only when a Bybit adapter is wanted: the replay/paper desk never pays for it.
      const live =
        want.feed || want.broker
          ? await (await import('./live-adapters.ts')).createLiveAdapters(config, clock, logger, (e) => emit(e), want)
          : { feed: null, broker: null };
      feed ??=
        live.feed ??
          createReplayFeed({
              ...replayOptionsOf(config),
              clock,
              logger: logger.child({ module: 'replay' }),
              autoplay: opts.autoplay ?? true,
            });
      broker ??= live.broker ?? undefined;
    }
    const instruments = await feed.instruments(config.DESK_UNIVERSE);
    const qtyStep = new Map(instruments.map((i) => [i.symbol, i.qtyStep]));
    broker ??= new PaperBroker(createPaperLedger(store, config.PAPER_START_EQUITY, () => clock.now()), clock, {
      feeRate: config.PAPER_FEE_RATE,
      maxQuoteAgeMs: config.RISK_QUOTE_MAX_AGE_MS,
      qtyStepOf: (s) => qtyStep.get(s) ?? 0.001,
    });
    const scanner = new Scanner(scannerOptionsFromConfig(config));
    const desk = new Desk({
      config,
      clock,
      logger: logger.child({ module: 'desk' }),
      store,
      feed,
      broker,
      scanner,
      metrics,
      instruments,
      strategyNames: scanner.strategies.map((s) => s.name),
      onBurstOver: () => {
        checkpoints.burstOver();
        quietGc.burstOver();
      },
    });
    emit = (e) => desk.emit(e);
    let closed = false;
    return {
      config,
      clock,
      logger,
      metrics,
      db,
      store,
      feed,
      broker,
      scanner,
      desk,
      close: async () => {
        if (closed) return;
        closed = true;
        await desk.stop();
        quietGc.stop();
        checkpoints.stop();
        db.close();
      },
    };
  } catch (e) {
    quietGc.stop();
    checkpoints.stop();
    db.close();
    throw e;
  }
}
