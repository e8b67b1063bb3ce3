// PositionsRepo.closedOfStrategy (the window the desk's auto-demotion judges a live strategy on): only
// closed positions of the mode opened from a signal of the strategy, the last N by close time, oldest
// first, ties in close time kept in the order the positions were written.
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, openDb, type Db, type Store } from '../../engine/index.ts';
import { signalRow } from '../helpers/signal-row.ts';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

async function memStore(): Promise<Store> {
  const { db } = await openDb(':memory:');
  open.push(db);
  return createStore(db);
}

let n = 0;

function addSignal(store: Store, strategy: string): string {
  const id = `sig-${++n}`;
  const s = signalRow(id, { symbol: `S${n}USDT`, strategy, scoreParts: [], barTime: 1, expiresAt: 2, status: 'executed' });
  expect(store.signals.insert(s)).toBe(true);
  return id;
}

/** Opens a position from `signalId` (or none) and closes it at `closedAt` unless that is null; returns its id. */
function position(store: Store, id: string, signalId: string | null, closedAt: number | null, mode: 'paper' | 'live' = 'paper'): string {
  store.positions.open({
    id,
    mode,
    symbol: `${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}USDT`,
    side: 'long',
    qty: 1,
    entryPrice: 100,
    stop: 90,
    targets: [110],
    leverage: 1,
    signalId,
    actorKind: 'rpc',
    actorId: 'x',
    openedAt: 0,
  });
  if (closedAt !== null) {
    const p = store.positions.get(id)!;
    store.positions.save({ ...p, qty: 0, status: 'closed', closedAt, closeReason: 'target', realizedPnl: closedAt / 100 });
  }
  return id;
}

describe('PositionsRepo.closedOfStrategy', () => {
  it("returns only the strategy's closed positions in the mode, the last N, oldest first", async () => {
    const store = await memStore();
    // Written out of close-time order on purpose.
    position(store, 'g5', addSignal(store, 'grid'), 500);
    position(store, 'g1', addSignal(store, 'grid'), 100);
    position(store, 'o1', addSignal(store, 'other'), 150);
    position(store, 'g3', addSignal(store, 'grid'), 300);
    position(store, 'g2', addSignal(store, 'grid'), 200);
    position(store, 'manual', null, 250); // opened by hand: no strategy
    position(store, 'gopen', addSignal(store, 'grid'), null); // still open
    position(store, 'glive', addSignal(store, 'grid'), 400, 'live'); // the other ledger
    position(store, 'g4', addSignal(store, 'grid'), 400);
    position(store, 'o2', addSignal(store, 'other'), 600);

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(store.positions.closedOfStrategy('paper', 'grid', 3))).toEqual(['g3', 'g4', 'g5']);
    expect(ids(store.positions.closedOfStrategy('paper', 'grid', 100))).toEqual(['g1', 'g2', 'g3', 'g4', 'g5']);
    expect(ids(store.positions.closedOfStrategy('paper', 'grid', 1))).toEqual(['g5']);
    expect(ids(store.positions.closedOfStrategy('paper', 'other', 5))).toEqual(['o1', 'o2']);
    expect(ids(store.positions.closedOfStrategy('live', 'grid', 5))).toEqual(['glive']);
    expect(store.positions.closedOfStrategy('paper', 'nobody', 5)).toEqual([]);
    // Whole rows, as closedSince gives them.
    const last = store.positions.closedOfStrategy('paper', 'grid', 1)[0]!;
    expect(last).toEqual(store.positions.closedSince('paper', 500).find((p) => p.id === 'g5'));
    expect(last).toMatchObject({ status: 'closed', closedAt: 500, realizedPnl: 5, signalId: expect.stringMatching(/^sig-/) });
  });

  it('positions closed at the same time keep the order they were written in, also at the window edge', async () => {
    const store = await memStore();
    position(store, 'a', addSignal(store, 'grid'), 100);
    position(store, 'b', addSignal(store, 'grid'), 200);
    position(store, 'c', addSignal(store, 'grid'), 200);
    position(store, 'd', addSignal(store, 'grid'), 200);
    const ids = (k: number) => store.positions.closedOfStrategy('paper', 'grid', k).map((r) => r.id);
    expect(ids(4)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(2)).toEqual(['c', 'd']);
    // The same window the desk used to cut from closedSince (filter by strategy, keep the last N).
    const before = store.positions.closedSince('paper', 0).map((p) => p.id).slice(-2);
    expect(ids(2)).toEqual(before);
  });
});
