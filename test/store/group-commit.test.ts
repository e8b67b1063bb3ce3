// GroupCommit on a real SQLite WAL file: queued writes commit together in one transaction (a second
// connection on the same file sees none of them before the flush and all of them after), their
// after-commit callbacks run only once the COMMIT is done and in queue order, and one bad write, a bad
// closing write or a COMMIT that fails loses only itself.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, openDb, type Db, type Signal, type Store } from '../../engine/index.ts';
import { GroupCommit, type GroupWrite } from '../../engine/store/group-commit.ts';
import { signalRow } from '../helpers/signal-row.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** The desk's store on a fresh WAL file, a read-only second connection on the same file, and a count of store.tx calls. */
async function setup(): Promise<{ store: Store; other: Db; txCalls: () => number; counted: Pick<Store, 'tx'> }> {
  const path = join(tempDir('desk-gc-'), 'desk.db');
  const { db } = await openDb(path, () => 1);
  const other = new Database(path, { readonly: true });
  open.push(db, other);
  const store = createStore(db);
  let calls = 0;
  const counted: Pick<Store, 'tx'> = {
    tx: <T>(fn: () => T): T => {
      calls++;
      return store.tx(fn);
    },
  };
  return { store, other, txCalls: () => calls, counted };
}

/** One symbol per id, so the one-live-signal rule never collides. */
const signal = (id: string, over: Partial<Signal> = {}): Signal => signalRow(id, { symbol: id.toUpperCase().replace(/[^A-Z0-9]/g, '') + 'USDT', ...over });

/** Signal ids the other connection sees committed, sorted. */
function committedIds(other: Db): string[] {
  return (other.prepare('SELECT id FROM signals ORDER BY id').all() as { id: string }[]).map((r) => r.id);
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

type Failure = { err: unknown; key: string | null };

describe('GroupCommit: one transaction per batch', () => {
  it('50 writes queued in one turn commit in ONE transaction: invisible to a second connection before the flush, all visible after', async () => {
    const { store, other, txCalls, counted } = await setup();
    const failures: Failure[] = [];
    const gc = new GroupCommit(counted, (err, key) => failures.push({ err, key }), undefined, 60_000);
    const ids = Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const seenDuring: number[] = [];
    const afterOrder: string[] = [];
    const seenAfter: number[] = [];
    for (const id of ids) {
      gc.add(id, () => {
        // Inside the batch: the earlier writes of the batch are not committed yet.
        expect(store.db.inTransaction).toBe(true);
        seenDuring.push(committedIds(other).length);
        store.signals.insert(signal(id));
        return () => {
          expect(store.db.inTransaction).toBe(false);
          afterOrder.push(id);
          seenAfter.push(committedIds(other).length);
        };
      });
    }
    expect(gc.pending).toBe(50);
    expect(committedIds(other)).toEqual([]);
    expect(txCalls()).toBe(0);
    gc.flush();
    expect(txCalls()).toBe(1);
    expect(gc.pending).toBe(0);
    expect(seenDuring).toEqual(ids.map(() => 0));
    expect(committedIds(other)).toEqual(ids);
    // Every after-commit callback ran once, in queue order, and saw every row of the batch committed.
    expect(afterOrder).toEqual(ids);
    expect(seenAfter).toEqual(ids.map(() => 50));
    expect(failures).toEqual([]);
    // A flush with nothing queued opens no transaction.
    gc.flush();
    expect(txCalls()).toBe(1);
  });

  it('an after-commit callback that throws is reported (key null) and the later callbacks still run', async () => {
    const { store, other, counted } = await setup();
    const failures: Failure[] = [];
    const gc = new GroupCommit(counted, (err, key) => failures.push({ err, key }));
    const ran: string[] = [];
    gc.add('A', () => {
      store.signals.insert(signal('a'));
      return () => void ran.push('a');
    });
    gc.add('B', () => {
      store.signals.insert(signal('b'));
      return () => {
        throw new Error('listener broke');
      };
    });
    gc.add('C', () => {
      store.signals.insert(signal('c'));
      return () => void ran.push('c');
    });
    gc.add('D', () => void store.signals.insert(signal('d'))); // no callback at all
    expect(() => gc.flush()).not.toThrow();
    expect(ran).toEqual(['a', 'c']);
    expect(committedIds(other)).toEqual(['a', 'b', 'c', 'd']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ key: null, err: expect.objectContaining({ message: 'listener broke' }) });
  });

  it('the closing write runs once per batch, inside its transaction, after the queued writes; its callback runs last', async () => {
    const { store, other, txCalls, counted } = await setup();
    const order: string[] = [];
    let closings = 0;
    const closing: GroupWrite = () => {
      closings++;
      expect(store.db.inTransaction).toBe(true);
      order.push(`closing saw ${store.signals.listAll(null, 100).length}`);
      return () => void order.push('closing announced');
    };
    const gc = new GroupCommit(counted, () => undefined, closing, 60_000);
    for (const id of ['a', 'b', 'c']) {
      gc.add(id, () => {
        store.signals.insert(signal(id));
        order.push(`write ${id}`);
        return () => void order.push(`announce ${id}`);
      });
    }
    gc.flush();
    expect(closings).toBe(1);
    expect(txCalls()).toBe(1);
    expect(order).toEqual(['write a', 'write b', 'write c', 'closing saw 3', 'announce a', 'announce b', 'announce c', 'closing announced']);
    expect(committedIds(other)).toEqual(['a', 'b', 'c']);
    // An empty flush runs no closing write.
    gc.flush();
    expect(closings).toBe(1);
  });
});

describe('GroupCommit: a failure loses only the bad write', () => {
  it('a write that throws: its rows are absent, the others are committed and announced once, onError gets its key', async () => {
    const { store, other, counted } = await setup();
    const failures: Failure[] = [];
    const gc = new GroupCommit(counted, (err, key) => failures.push({ err, key }));
    const announced: string[] = [];
    for (const id of ['a', 'b', 'c', 'd']) {
      gc.add(`K-${id}`, () => {
        store.signals.insert(signal(id));
        if (id === 'c') {
          store.signals.insert(signal('c2', { symbol: 'OTHERUSDT' }));
          throw new Error('bad write');
        }
        return () => void announced.push(id);
      });
    }
    gc.flush();
    expect(committedIds(other)).toEqual(['a', 'b', 'd']);
    expect(announced).toEqual(['a', 'b', 'd']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ key: 'K-c', err: expect.objectContaining({ message: 'bad write' }) });
    expect(store.signals.get('c')).toBeNull();
    expect(store.signals.get('c2')).toBeNull();
    expect(gc.pending).toBe(0);
  });

  it('a closing write that throws: the queued writes are committed and announced, the closing rows are absent, onError gets key null', async () => {
    const { store, other, counted } = await setup();
    const failures: Failure[] = [];
    const closing: GroupWrite = () => {
      store.signals.insert(signal('closing-row', { symbol: 'ZZZUSDT' }));
      throw new Error('closing broke');
    };
    const gc = new GroupCommit(counted, (err, key) => failures.push({ err, key }), closing);
    const announced: string[] = [];
    for (const id of ['a', 'b']) {
      gc.add(id, () => {
        store.signals.insert(signal(id));
        return () => void announced.push(id);
      });
    }
    gc.flush();
    expect(committedIds(other)).toEqual(['a', 'b']);
    expect(announced).toEqual(['a', 'b']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ key: null, err: expect.objectContaining({ message: 'closing broke' }) });
  });

  it('a write whose fault only shows at COMMIT (deferred foreign key): the batch is retried write by write and only that one is lost', async () => {
    const { store, other, counted } = await setup();
    const failures: Failure[] = [];
    const gc = new GroupCommit(counted, (err, key) => failures.push({ err, key }));
    const announced: string[] = [];
    gc.add('A', () => {
      store.signals.insert(signal('a'));
      return () => void announced.push('a');
    });
    gc.add('BAD', () => {
      // Checked at COMMIT, not at the INSERT: the write itself returns normally.
      store.db.pragma('defer_foreign_keys = ON');
      store.db
        .prepare(`INSERT INTO fills (exec_id, mode, order_id, order_link_id, position_id, symbol, side, qty, price, fee, kind, at)
                  VALUES ('e1', 'paper', 'o1', 'l1', 'no-such-position', 'BTCUSDT', 'long', 1, 100, 0, 'entry', 1)`)
        .run();
      return () => void announced.push('bad');
    });
    gc.add('C', () => {
      store.signals.insert(signal('c'));
      return () => void announced.push('c');
    });
    gc.flush();
    expect(committedIds(other)).toEqual(['a', 'c']);
    expect(announced).toEqual(['a', 'c']);
    expect((other.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(0);
    expect(failures.map((f) => f.key)).toEqual(['BAD']);
    expect(String((failures[0]!.err as Error).message)).toMatch(/FOREIGN KEY/i);
  });
});

describe('GroupCommit: when a batch commits', () => {
  it('add() of a key already queued commits the earlier writes first, in order; flushFor commits only when its key is queued', async () => {
    const { store, other, txCalls, counted } = await setup();
    const gc = new GroupCommit(counted, () => undefined, undefined, 60_000);
    const ran: string[] = [];
    const announced: string[] = [];
    const write = (id: string, symbol: string): GroupWrite => () => {
      ran.push(id);
      store.signals.insert(signal(id, { symbol }));
      return () => void announced.push(id);
    };
    gc.add('BTCUSDT', write('b1', 'BTCUSDT'));
    gc.add('ETHUSDT', write('e1', 'ETHUSDT'));
    expect(committedIds(other)).toEqual([]);
    // The same key again: the queued batch (b1, e1) commits before b2 is queued.
    gc.add('BTCUSDT', write('b2', 'SOLUSDT'));
    expect(committedIds(other)).toEqual(['b1', 'e1']);
    expect(announced).toEqual(['b1', 'e1']);
    expect(gc.pending).toBe(1);
    expect(txCalls()).toBe(1);
    // A key that is not queued: nothing happens.
    gc.flushFor('ETHUSDT');
    expect(gc.pending).toBe(1);
    expect(txCalls()).toBe(1);
    gc.flushFor('BTCUSDT');
    expect(gc.pending).toBe(0);
    expect(committedIds(other)).toEqual(['b1', 'b2', 'e1']);
    expect(ran).toEqual(['b1', 'e1', 'b2']);
    expect(announced).toEqual(['b1', 'e1', 'b2']);
    expect(txCalls()).toBe(2);
  });

  it('maxWaitMs: once the oldest write has waited that long, the next add() or flushIfDue() commits the batch; before that, nothing', async () => {
    const { store, other, counted } = await setup();
    const slow = new GroupCommit(counted, () => undefined, undefined, 60_000);
    slow.add('A', () => void store.signals.insert(signal('a')));
    slow.flushIfDue();
    slow.add('B', () => void store.signals.insert(signal('b')));
    expect(slow.pending).toBe(2);
    expect(committedIds(other)).toEqual([]);
    slow.flush();

    const fast = new GroupCommit(counted, () => undefined, undefined, 2);
    fast.add('C', () => void store.signals.insert(signal('c')));
    spin(5);
    // The batch of C is due: adding D commits it first (same turn, no flush called).
    fast.add('D', () => void store.signals.insert(signal('d')));
    expect(committedIds(other)).toEqual(['a', 'b', 'c']);
    expect(fast.pending).toBe(1);
    spin(5);
    fast.flushIfDue();
    expect(fast.pending).toBe(0);
    expect(committedIds(other)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a write that is not urgent never starts the maxWait clock: it waits for an urgent one, the flush or the end of the turn', async () => {
    const { store, other, txCalls, counted } = await setup();
    const gc = new GroupCommit(counted, () => undefined, undefined, 2);
    gc.add('A', () => void store.signals.insert(signal('a')), false);
    spin(5);
    gc.flushIfDue();
    gc.add('B', () => void store.signals.insert(signal('b')), false);
    expect(gc.pending).toBe(2);
    expect(committedIds(other)).toEqual([]);
    // An urgent write starts the clock; once it is due, the whole batch commits together.
    gc.add('C', () => void store.signals.insert(signal('c')));
    expect(gc.pending).toBe(3);
    spin(5);
    gc.flushIfDue();
    expect(gc.pending).toBe(0);
    expect(committedIds(other)).toEqual(['a', 'b', 'c']);
    expect(txCalls()).toBe(1);
    // Alone, a write that is not urgent still commits at the end of the turn.
    gc.add('D', () => void store.signals.insert(signal('d')), false);
    await nextTurn();
    expect(committedIds(other)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('maxUrgent: a batch holding that many urgent writes commits at the next add() without waiting for maxWait', async () => {
    const { store, other, txCalls, counted } = await setup();
    const gc = new GroupCommit(counted, () => undefined, undefined, 60_000, 2);
    gc.add('A', () => void store.signals.insert(signal('a')), false);
    gc.add('B', () => void store.signals.insert(signal('b')));
    gc.flushIfDue();
    expect(committedIds(other)).toEqual([]);
    gc.add('C', () => void store.signals.insert(signal('c')));
    // Two urgent writes queued: the next add() commits them (and the one riding along) first.
    gc.add('D', () => void store.signals.insert(signal('d')));
    expect(committedIds(other)).toEqual(['a', 'b', 'c']);
    expect(gc.pending).toBe(1);
    expect(txCalls()).toBe(1);
    gc.flush();
    expect(committedIds(other)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('with no explicit flush the batch commits at the end of the turn (setImmediate), callbacks included', async () => {
    const { store, other, txCalls, counted } = await setup();
    const gc = new GroupCommit(counted, () => undefined, undefined, 60_000);
    const announced: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      gc.add(id, () => {
        store.signals.insert(signal(id));
        return () => void announced.push(id);
      });
    }
    await Promise.resolve();
    expect(committedIds(other)).toEqual([]);
    expect(announced).toEqual([]);
    await nextTurn();
    expect(committedIds(other)).toEqual(['a', 'b', 'c']);
    expect(announced).toEqual(['a', 'b', 'c']);
    expect(txCalls()).toBe(1);
    expect(gc.pending).toBe(0);
  });

  it('a write queued by an after-commit callback (a listener reacting to an event) is committed in the next batch, not lost', async () => {
    const { store, other, counted } = await setup();
    const gc = new GroupCommit(counted, () => undefined, undefined, 60_000);
    gc.add('A', () => {
      store.signals.insert(signal('a'));
      return () => gc.add('A', () => void store.signals.insert(signal('follow-up', { symbol: 'FUPUSDT' })));
    });
    gc.flush();
    expect(committedIds(other)).toEqual(['a']);
    expect(gc.pending).toBe(1);
    await nextTurn();
    expect(committedIds(other)).toEqual(['a', 'follow-up']);
  });
});

/** Busy-waits `ms` wall milliseconds without yielding the event loop (so no setImmediate can fire). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* wait */
  }
}
