import { join } from 'node:path';
import { testConfig, type DeskConfig } from '../../engine/index.ts';
import type { BybitV5Fake } from '../fakes/bybit-v5/index.ts';
import { tempDir } from './temp-dir.ts';

/** The config of a live desk on the Bybit feed against `fake` (with the keys it accepts), its database in a fresh temp folder named after `prefix`, plus `extra` settings. */
export function liveFakeConfig(fake: BybitV5Fake, symbols: readonly string[], prefix: string, extra: Record<string, string> = {}): DeskConfig {
  return testConfig({
    DESK_DB: join(tempDir(prefix), 'desk.db'),
    DESK_MODE: 'live',
    DESK_FEED: 'bybit',
    DESK_UNIVERSE: symbols.join(','),
    BYBIT_API_KEY: fake.apiKey,
    BYBIT_API_SECRET: fake.apiSecret,
    BYBIT_REST_URL: fake.restUrl,
    BYBIT_WS_PUBLIC_URL: fake.wsPublicUrl,
    BYBIT_WS_PRIVATE_URL: fake.wsPrivateUrl,
    ...extra,
  });
}

/** Polls `f` every 40 ms (running `step` between polls) until it returns something truthy; rejects with "timed out" after `ms`. */
export async function until<T>(f: () => T | undefined | null | false, ms: number, step?: () => void): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    step?.();
    await new Promise((r) => setTimeout(r, 40));
  }
}
