// PositionsRepo.closedTradesOfStrategy (the window the desk's auto-demotion judges a live strategy on): only
// closed positions of the mode opened from a signal of the strategy, the last N by close time, oldest
// first, ties in close time kept in the order the positions were written.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore, openDb, type Db, type Store } from '../../engine/index.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { tempDir } from '../helpers/temp-dir.ts';
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
    store.positions.save({ ...p, qty: 0, status: 'closed', closedAt, closeReason: 'target', realizedPnl: closedAt / 100, fees: 1 });
  }
  return id;
}

describe('PositionsRepo.closedTradesOfStrategy', () => {
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
    expect(ids(store.positions.closedTradesOfStrategy('paper', 'grid', 3))).toEqual(['g3', 'g4', 'g5']);
    expect(ids(store.positions.closedTradesOfStrategy('paper', 'grid', 100))).toEqual(['g1', 'g2', 'g3', 'g4', 'g5']);
    expect(ids(store.positions.closedTradesOfStrategy('paper', 'grid', 1))).toEqual(['g5']);
    expect(ids(store.positions.closedTradesOfStrategy('paper', 'other', 5))).toEqual(['o1', 'o2']);
    expect(ids(store.positions.closedTradesOfStrategy('live', 'grid', 5))).toEqual(['glive']);
    expect(store.positions.closedTradesOfStrategy('paper', 'nobody', 5)).toEqual([]);
    // Net of fees and the entry notional, as the rows closedSince gives them.
    const last = store.positions.closedTradesOfStrategy('paper', 'grid', 1)[0]!;
    const row = store.positions.closedSince('paper', 500).find((p) => p.id === 'g5')!;
    expect(last).toEqual({ id: 'g5', net: row.realizedPnl - row.fees, notional: row.entryPrice * row.initialQty });
    expect(last).toEqual({ id: 'g5', net: 4, notional: 100 });
  });

  it('positions closed at the same time keep the order they were written in, also at the window edge', async () => {
    const store = await memStore();
    position(store, 'a', addSignal(store, 'grid'), 100);
    position(store, 'b', addSignal(store, 'grid'), 200);
    position(store, 'c', addSignal(store, 'grid'), 200);
    position(store, 'd', addSignal(store, 'grid'), 200);
    const ids = (k: number) => store.positions.closedTradesOfStrategy('paper', 'grid', k).map((r) => r.id);
    expect(ids(4)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(2)).toEqual(['c', 'd']);
    // The same window the desk used to cut from closedSince (filter by strategy, keep the last N).
    const before = store.positions.closedSince('paper', 0).map((p) => p.id).slice(-2);
    expect(ids(2)).toEqual(before);
  });

  it('a database from before positions carried their strategy is migrated: its closes count, read off the index', async () => {
    const dir = tempDir('desk-v3-');
    const path = join(dir, 'desk.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.slice(0, 3)) raw.exec(m);
    raw.pragma('user_version = 3');
    raw.close();
    // Rows as a v3 build wrote them (no strategy column yet), with plain SQL.
    const v3 = new Database(path);
    const sig = v3.prepare(
      `INSERT INTO signals (id, symbol, interval, side, strategy, score, score_parts, entry, stop, targets, bar_time, created_at, expires_at, status, stage, regime)
       VALUES (?, 'AUSDT', '60', 'long', ?, 6, '[]', 100, 90, '[110]', 1, 1, 2, 'executed', 'live', 'trend')`,
    );
    const pos = v3.prepare(
      `INSERT INTO positions (id, mode, symbol, side, qty, initial_qty, entry_price, initial_stop, stop, targets, targets_hit, leverage,
        break_even_locked, signal_id, actor_kind, actor_id, opened_at, closed_at, close_reason, realized_pnl, fees, last_price, status)
       VALUES (?, 'paper', ?, 'long', 0, 1, 100, 90, 90, '[110]', 0, 1, 0, ?, 'rpc', 'x', 0, ?, 'target', 1, 0, 100, 'closed')`,
    );
    sig.run('s-old-1', 'grid');
    sig.run('s-old-2', 'other');
    pos.run('p-old-1', 'AUSDT', 's-old-1', 100);
    pos.run('p-old-2', 'BUSDT', 's-old-2', 200);
    v3.close();
    const { db, fromVersion } = await openDb(path);
    open.push(db);
    expect(fromVersion).toBe(3);
    const store = createStore(db);
    position(store, 'g-new', addSignal(store, 'grid'), 300);
    expect(store.positions.closedTradesOfStrategy('paper', 'grid', 10).map((r) => r.id)).toEqual(['p-old-1', 'g-new']);
    expect(store.positions.closedTradesOfStrategy('paper', 'other', 10).map((r) => r.id)).toEqual(['p-old-2']);
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM positions WHERE mode = 'paper' AND status = 'closed' AND strategy = 'grid' ORDER BY closed_at DESC, rowid DESC LIMIT 5`)
      .all() as { detail: string }[];
    expect(plan.map((r) => r.detail).join(' | ')).toMatch(/USING INDEX positions_strategy_closed/);
    expect(plan.map((r) => r.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
  });
});
