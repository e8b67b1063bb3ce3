// The Bybit V5 adapters' public surface for the composition root (scripts/start.ts). Only engine/bybit/
// imports bybit-api; everything else sees the MarketFeed and Broker ports.

/** createBybitFeed: the Bybit MarketFeed (see market-feed.ts; throws DeskError CONFIG on a bad interval). */
export { createBybitFeed } from './market-feed.ts';
/** Types of the Bybit feed, its options, counters and stale reports. */
export type { BybitFeed, BybitFeedOptions, BybitFeedStats, StaleInfo } from './market-feed.ts';
/** createBybitBroker: the live Broker (throws DeskError CONFIG without keys); venueOrderSide: desk side → Buy/Sell. */
export { createBybitBroker, venueOrderSide } from './live-broker.ts';
/** Types of the live broker and its options. */
export type { BybitBroker, BybitBrokerOptions } from './live-broker.ts';
/** What onGap receives. */
export type { GapInfo } from './kline-sequencer.ts';
/** What onOrderUpdate receives. */
export type { OrderUpdate } from './executions.ts';
/** What checkKeyPermissions / start resolve. */
export type { KeyPermissionReport } from './key-permissions.ts';
/** REST timeout and WS heartbeat / reconnect knobs. */
export type { BybitClientOptions } from './client.ts';
