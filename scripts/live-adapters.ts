import { createBybitBroker, createBybitFeed } from '../engine/bybit/index.ts';
import type { Broker, Clock, DeskConfig, DeskEvent, DeskLogger, MarketFeed } from '../engine/index.ts';

/** The Bybit adapters the config asks for (feed when DESK_FEED=bybit, broker when DESK_MODE=live). */
export interface LiveAdapters {
  feed: MarketFeed | null;
  broker: Broker | null;
}

/**
 * Builds the Bybit market feed and/or the live broker (as `want` says) from config and checks the key before anything
 * trades (a key that can withdraw is refused unless BYBIT_ALLOW_WITHDRAW_KEY). Feed gaps and stale
 * streams are reported through `emit` as desk events. Rejects with DeskError CONFIG on missing or
 * unacceptable keys and with the venue's DeskError when Bybit cannot be reached.
 */
export async function createLiveAdapters(
  config: DeskConfig,
  clock: Clock,
  logger: DeskLogger,
  emit: (e: DeskEvent) => void,
  want: { feed: boolean; broker: boolean },
): Promise<LiveAdapters> {
  const feed = want.feed
      ? createBybitFeed({
          config,
          clock,
          logger,
          onGap: (g) => emit({ type: 'feed.gap', at: clock.now(), symbol: g.symbol, interval: g.interval, missing: g.missing, repaired: g.repaired }),
          onStale: (s) => emit({ type: 'feed.stale', at: s.at, lagMs: s.lagMs }),
        })
      : null;
  let broker: Broker | null = null;
  if (want.broker) {
    // The desk's first reconcile hands over the fills the venue made while it was down; fills the
    // stream brings before that wait for it, so no later fill reaches the ledger before an earlier one.
    const live = createBybitBroker({ config, clock, logger, holdFillsUntilCatchUp: true });
    await live.start();
    broker = live;
  }
  return { feed, broker };
}
