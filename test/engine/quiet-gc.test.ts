// QuietGc: one young-generation collection in the quiet after a burst of closed bars. With an
// injected collection: a burst of burstOver() calls gives one collection, only once the quiet time
// has passed, and stop() ends it. With V8's own (a node started with --expose-gc, as npm start
// does): a real minor GC, seen by a PerformanceObserver. Through composeDesk: the desk's bursts of
// replayed bars trigger it, and nothing else does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exposedMinorGc, ManualClock, QuietGc, silentLogger, testConfig, type ReplayFeed } from '../../engine/index.ts';
import { composeDesk, type DeskRuntime } from '../../scripts/compose.ts';
import { TEST_START } from '../helpers/test-desk.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let runtime: DeskRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

describe('QuietGc', () => {
  it('collects once, quietMs after the last burstOver() of a run of them; stop() ends it', async () => {
    let runs = 0;
    const q = new QuietGc({ gc: () => void runs++, quietMs: 20 });
    expect(q.enabled).toBe(true);
    for (let i = 0; i < 5; i++) {
      q.burstOver();
      await sleep(5);
    }
    // Each burstOver pushed the collection back: none yet, 5 ms after the last one.
    expect(runs).toBe(0);
    await sleep(40);
    expect(runs).toBe(1);
    expect(q.collections).toBe(1);
    q.burstOver();
    await sleep(40);
    expect(runs).toBe(2);
    q.burstOver();
    q.stop();
    await sleep(40);
    expect(runs).toBe(2);
  });

  it('a collection that throws is reported, not thrown, and the next burst collects again', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const q = new QuietGc({
      gc: () => {
        calls++;
        if (calls === 1) throw new Error('refused');
      },
      quietMs: 5,
      onError: (e) => errors.push(e),
    });
    q.burstOver();
    await sleep(25);
    expect(errors).toHaveLength(1);
    q.burstOver();
    await sleep(25);
    expect(calls).toBe(2);
    expect(q.collections).toBe(1);
    q.stop();
  });

  it('without --expose-gc (this test process) there is no collection to run and burstOver() does nothing', async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(exposedMinorGc()).toBeNull();
    const q = new QuietGc({ quietMs: 1 });
    expect(q.enabled).toBe(false);
    q.burstOver();
    await sleep(10);
    expect(q.collections).toBe(0);
  });

  it('under node --expose-gc, as npm start runs the desk, the quiet collection is a real minor GC', () => {
    const script = `
      import { PerformanceObserver, constants } from 'node:perf_hooks';
      import { QuietGc } from './engine/quiet-gc.ts';
      const kinds = [];
      const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) kinds.push(e.detail.kind); });
      obs.observe({ entryTypes: ['gc'] });
      const q = new QuietGc({ quietMs: 5 });
      q.burstOver();
      setTimeout(() => {
        obs.disconnect();
        const minor = kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MINOR).length;
        process.stdout.write(JSON.stringify({ enabled: q.enabled, collections: q.collections, minor }));
      }, 100);
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const r = JSON.parse(out) as { enabled: boolean; collections: number; minor: number };
    expect(r.enabled).toBe(true);
    expect(r.collections).toBe(1);
    expect(r.minor).toBeGreaterThanOrEqual(1);
  });

  it('npm start runs node with --expose-gc, so the desk it starts has the collection', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start!.split(/\s+/)).toContain('--expose-gc');
  });

  it('composeDesk: a burst of replayed bars is followed by one collection in the quiet after it', async () => {
    let runs = 0;
    const config = testConfig({ DESK_WARMUP_BARS: '300', DESK_UNIVERSE: 'BTCUSDT,ETHUSDT', DESK_INTERVALS: '60' });
    runtime = await composeDesk(config, { clock: new ManualClock(TEST_START), logger: silentLogger, autoplay: false, minorGc: () => void runs++ });
    await runtime.desk.start();
    const feed = runtime.feed as ReplayFeed;
    await sleep(30);
    const before = runs;
    // Three bar closes of both symbols in a row: bursts closer together than the quiet time.
    await feed.step(1);
    await feed.step(1);
    await feed.step(1);
    await sleep(40);
    expect(runs).toBe(before + 1);
    // Quiet with no bars: no further collection.
    await sleep(40);
    expect(runs).toBe(before + 1);
  });
});
