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
