import { afterEach, describe, expect, it } from 'vitest';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

let t: TestDesk | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('desk smoke', () => {
  it('plays real bars into a signal and executes it on paper', async () => {
    t = await createTestDesk();
    const trader = { kind: 'rpc' as const, id: 'alice', role: 'trader' as const };
    const s = await t.nextSignal();
    expect(s.scoreParts).toHaveLength(8);
    const res = await t.desk.execute(trader, { signalId: s.id });
    expect(res.status).toBe('filled');
    const { positions } = await t.desk.listPositions(trader);
    expect(positions).toHaveLength(1);
    expect(positions[0]!.stop).toBe(res.stop);
  });
});

describe('candles', () => {
  it('serves the real bars the desk holds, oldest first, for charts', async () => {
    t = await createTestDesk();
    const viewer = { kind: 'telegram' as const, id: '7', role: 'viewer' as const };
    await t.feed.step(20);
    const c = await t.desk.candles(viewer, { symbol: 'BTCUSDT', interval: '60', limit: 50 });
    expect(c.bars).toHaveLength(50);
    for (let i = 1; i < c.bars.length; i++) expect(c.bars[i]!.start - c.bars[i - 1]!.start).toBe(3_600_000);
    expect(c.bars.at(-1)!.close).toBe(t.feed.quote('BTCUSDT')!.last);
    await expect(t.desk.candles(viewer, { symbol: 'DOGEUSDT', interval: '60' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('signal levels on the tick', () => {
  it('every stored signal has its stop beyond entry and targets strictly ordered, all on the tick', async () => {
    t = await createTestDesk();
    await t.feed.step(3000);
    const { signals } = await t.desk.listSignals({ kind: 'system', id: 't', role: 'admin' }, { status: 'all', limit: 200 });
    expect(signals.length).toBeGreaterThan(10);
    for (const s of signals) {
      const long = s.side === 'long';
      expect(long ? s.stop < s.entry : s.stop > s.entry).toBe(true);
      let prev = s.entry;
      for (const tg of s.targets) {
        expect(long ? tg > prev : tg < prev).toBe(true);
        prev = tg;
      }
    }
  });
});
