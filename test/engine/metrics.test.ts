import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, testConfig, type Actor, type ReplayFeed } from '../../engine/index.ts';
import { composeDesk } from '../../scripts/compose.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createTestDesk, TEST_START, type TestDesk } from '../helpers/test-desk.ts';

const trader: Actor = { kind: 'rpc', id: 'alice', role: 'trader' };

let t: TestDesk | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The value of an unlabelled gauge in the Prometheus text, as a scraper would read it. */
async function gauge(text: Promise<string>, name: string): Promise<number> {
  const line = (await text).split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in /metrics`);
  return Number(line.slice(name.length + 1));
}

describe('/metrics: desk_open_positions', () => {
  it('follows opens and closes, read when scraped', async () => {
    t = await createTestDesk();
    expect(await gauge(t.metrics.registry.metrics(), 'desk_open_positions')).toBe(0);
    const s = await t.nextSignal();
    await t.desk.execute(trader, { signalId: s.id });
    expect(await gauge(t.metrics.registry.metrics(), 'desk_open_positions')).toBe(1);
    await t.desk.closePosition(trader, { symbol: s.symbol });
    expect(await gauge(t.metrics.registry.metrics(), 'desk_open_positions')).toBe(0);
  });

  it('shows positions left open by an earlier run before any trade of this one', async () => {
    const dir = tempDir('desk-metrics-');
    const config = testConfig({ DESK_DB: join(dir, 'desk.db'), DESK_WARMUP_BARS: '300' });
    const clock = new ManualClock(TEST_START);
    const first = await composeDesk(config, { clock, logger: silentLogger, autoplay: false });
    await first.desk.start();
    const feed = first.feed as ReplayFeed;
    let opened = false;
    for (let i = 0; i < 200_000 && !opened; i++) {
      const live = first.store.signals.listLive(clock.now(), null, 200).find((x) => x.stage === 'live' && feed.quote(x.symbol) !== null);
      if (live) {
        await first.desk.execute(trader, { signalId: live.id });
        opened = true;
      } else if ((await feed.step(1)) === 0) break;
    }
    expect(opened).toBe(true);
    await first.close();
    const second = await composeDesk(config, { clock: new ManualClock(TEST_START), logger: silentLogger, autoplay: false });
    try {
      await second.desk.start();
      expect(await gauge(second.metrics.registry.metrics(), 'desk_open_positions')).toBe(1);
    } finally {
      await second.close();
    }
  });
});
