import { DeskError, type Broker, type Clock, type DeskConfig, type DeskLogger, type MarketFeed } from '../engine/index.ts';

/**
 * Builds the Bybit feed and live broker from config. Rejects with DeskError CONFIG while the Bybit
 * adapters are not wired in this build.
 */
export async function createLiveAdapters(_config: DeskConfig, _clock: Clock, _logger: DeskLogger): Promise<{ feed: MarketFeed; broker: Broker }> {
  throw new DeskError('CONFIG', { key: 'DESK_FEED' }, 'config: DESK_FEED/DESK_MODE: the Bybit adapters are not wired yet; use replay/paper');
}
