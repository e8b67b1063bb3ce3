import { afterEach } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake, type BybitV5FakeOptions } from '../fakes/bybit-v5/index.ts';
import { testConfig, type DeskConfig } from '../../engine/config.ts';

/** Starts the loopback V5 fake and returns it with a DeskConfig pointing every Bybit URL at it. */
export async function fakeEnv(
  fakeOpts: BybitV5FakeOptions = {},
  overrides: Record<string, string> = {},
): Promise<{ fake: BybitV5Fake; config: DeskConfig }> {
  const fake = await startBybitV5Fake(fakeOpts);
  const config = testConfig({
    BYBIT_ENV: 'testnet',
    BYBIT_REST_URL: fake.restUrl,
    BYBIT_WS_PUBLIC_URL: fake.wsPublicUrl,
    BYBIT_WS_PRIVATE_URL: fake.wsPrivateUrl,
    BYBIT_API_KEY: fake.apiKey,
    BYBIT_API_SECRET: fake.apiSecret,
    ...overrides,
  });
  return { fake, config };
}

/** Polls `cond` every 10 ms until true; rejects with `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A seeded PRNG in [0, 1) (LCG), so "random" fault schedules replay exactly. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Registers an afterEach that stops the feed and closes the fake the finished test left behind
 * (`current` reads the test file's own variables; either may be null; both calls are idempotent).
 */
export function stopAfterEach(current: () => { fake: BybitV5Fake | null; feed: { stop(): Promise<void> } | null }): void {
  afterEach(async () => {
    const { fake, feed } = current();
    await feed?.stop();
    await fake?.close();
  });
}
