// Transactions (the one prepared transaction runner) counts every rollback, of a transaction and of a
// nested savepoint, and the signals repo's remembered expiry bounds follow those rollbacks: an expiry
// undone by a rollback is found again by the next expire(), and mayExpire / mayExpireSeries answer
// false only when nothing can be due.
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, type Db } from '../../engine/index.ts';
import { Transactions } from '../../engine/store/transactions.ts';
import { signalRow } from '../helpers/signal-row.ts';
import { walFiles } from '../helpers/wal-files.ts';

const files = walFiles('desk-tx-');
afterEach(() => files.close());

const nextTurn = () => new Promise<void>((r) => setImmediate(r));


function auditCount(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
}

function addAudit(db: Db, action: string): void {
  db.prepare(`INSERT INTO audit (at, actor_kind, actor_id, action, outcome, detail) VALUES (1, 'system', 't', ?, 'ok', '{}')`).run(action);
}

describe('Transactions', () => {
  it('commits what fn wrote and returns its value; counts no rollback', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    expect(txs.immediate(() => (addAudit(db, 'a'), 42))).toBe(42);
    expect(auditCount(db)).toBe(1);
    expect(txs.rollbacks).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('a throwing fn: rolled back whole, the error rethrown, one rollback counted', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    expect(() =>
      txs.immediate(() => {
        addAudit(db, 'a');
        addAudit(db, 'b');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(auditCount(db)).toBe(0);
    expect(txs.rollbacks).toBe(1);
    expect(db.inTransaction).toBe(false);
  });

  it('a throwing nested fn is a savepoint: only its writes are undone, the outer keeps its own and commits; one rollback counted', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    txs.immediate(() => {
      addAudit(db, 'outer-1');
      expect(() =>
        txs.immediate(() => {
          addAudit(db, 'inner');
          throw new Error('inner boom');
        }),
      ).toThrow('inner boom');
      expect(txs.rollbacks).toBe(1);
      expect(db.inTransaction).toBe(true);
      addAudit(db, 'outer-2');
    });
    const actions = (db.prepare('SELECT action FROM audit ORDER BY seq').all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['outer-1', 'outer-2']);
    expect(txs.rollbacks).toBe(1);
    // The inner rollback and then an outer one: two in all.
    expect(() =>
      txs.immediate(() => {
        addAudit(db, 'x');
        try {
          txs.immediate(() => {
            throw new Error('inner');
          });
        } catch {
          /* the outer goes on, then fails itself */
        }
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(txs.rollbacks).toBe(3);
    expect(auditCount(db)).toBe(2);
  });

  it('a COMMIT that fails (a deferred foreign key) is a rollback too', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    expect(() =>
      txs.immediate(() => {
        db.pragma('defer_foreign_keys = ON');
        db.prepare(
          `INSERT INTO fills (exec_id, mode, order_id, order_link_id, position_id, symbol, side, qty, price, fee, kind, at)
           VALUES ('e1', 'paper', 'o1', 'l1', 'no-such-position', 'BTCUSDT', 'long', 1, 100, 0, 'entry', 1)`,
        ).run();
      }),
    ).toThrow(/FOREIGN KEY/i);
    expect(txs.rollbacks).toBe(1);
    expect(db.inTransaction).toBe(false);
    expect((db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(0);
  });
});

describe('Transactions.onRollback', () => {
  it('runs the hooks of a level that rolls back, latest first, and none on commit or outside a transaction', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    const ran: string[] = [];
    txs.onRollback(() => ran.push('outside')); // nothing open: nothing to undo
    txs.immediate(() => txs.onRollback(() => ran.push('committed')));
    expect(() =>
      txs.immediate(() => {
        txs.onRollback(() => ran.push('first'));
        txs.onRollback(() => {
          ran.push('second');
          throw new Error('a broken hook');
        });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ran).toEqual(['second', 'first']);
  });

  it('a released savepoint hands its hooks to the level around it; a savepoint rolled back runs its own and the outer commits', async () => {
    const db = await files.db();
    const txs = new Transactions(db);
    const ran: string[] = [];
    expect(() =>
      txs.immediate(() => {
        txs.immediate(() => txs.onRollback(() => ran.push('released inner')));
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(ran).toEqual(['released inner']);
    ran.length = 0;
    txs.immediate(() => {
      try {
        txs.immediate(() => {
          txs.onRollback(() => ran.push('inner'));
          throw new Error('inner fails');
        });
      } catch {
        ran.push('caught');
      }
      txs.onRollback(() => ran.push('outer'));
    });
    expect(ran).toEqual(['inner', 'caught']);
  });
});

describe('SignalsRepo expiry bounds across rollbacks (store.tx)', () => {
  it('an expire() rolled back with its transaction is done again by a later expire() outside', async () => {
    const store = createStore(await files.db());
    store.signals.insert(signalRow('a', { expiresAt: 5_000 }));
    store.signals.insert(signalRow('b', { side: 'short', strategy: 'bb-grid-short', expiresAt: 9_000 }));
    expect(store.signals.expire(4_999)).toEqual([]); // bounds now remembered
    expect(() =>
      store.tx(() => {
        expect(store.signals.expire(5_000)).toEqual(['a']);
        // Inside the transaction the bound moved past 'a'.
        expect(store.signals.mayExpire(5_000)).toBe(false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.signals.get('a')?.status).toBe('live');
    expect(store.signals.mayExpire(5_000)).toBe(true);
    expect(store.signals.expire(5_000)).toEqual(['a']);
    expect(store.signals.get('a')?.status).toBe('expired');
    expect(store.signals.expire(8_999)).toEqual([]);
    expect(store.signals.expire(9_000)).toEqual(['b']);
  });

  it('an expireSeries() rolled back with a savepoint is seen again inside the outer transaction, and after it commits', async () => {
    const store = createStore(await files.db());
    store.signals.insert(signalRow('a', { barTime: 1_000 }));
    store.signals.insert(signalRow('e', { symbol: 'ETHUSDT', barTime: 2_000 }));
    store.tx(() => {
      expect(() =>
        store.tx(() => {
          expect(store.signals.expireSeries('BTCUSDT', '60', 1_000)).toEqual(['a']);
          expect(store.signals.mayExpireSeries('BTCUSDT', '60', 1_000_000)).toBe(false);
          throw new Error('savepoint boom');
        }),
      ).toThrow('savepoint boom');
      // The outer transaction goes on: 'a' is live again and the bound says so.
      expect(store.signals.mayExpireSeries('BTCUSDT', '60', 1_000)).toBe(true);
      expect(store.signals.expireSeries('ETHUSDT', '60', 2_000)).toEqual(['e']);
    });
    expect(store.signals.get('e')?.status).toBe('expired');
    expect(store.signals.get('a')?.status).toBe('live');
    expect(store.signals.expireSeries('BTCUSDT', '60', 1_000)).toEqual(['a']);
  });

  it('an insert rolled back with its transaction leaves no due expiry behind', async () => {
    const store = createStore(await files.db());
    store.signals.insert(signalRow('a', { expiresAt: 9_000, barTime: 5_000 }));
    expect(store.signals.mayExpire(100)).toBe(false);
    expect(() =>
      store.tx(() => {
        store.signals.insert(signalRow('early', { symbol: 'SOLUSDT', expiresAt: 100, barTime: 10 }));
        expect(store.signals.mayExpire(100)).toBe(true);
        expect(store.signals.mayExpireSeries('SOLUSDT', '60', 10)).toBe(true);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.signals.mayExpire(100)).toBe(false);
    expect(store.signals.mayExpireSeries('SOLUSDT', '60', 10)).toBe(false);
    expect(store.signals.expire(100)).toEqual([]);
  });
});

describe('SignalsRepo mayExpire / mayExpireSeries', () => {
  it('answer false on an empty table, false before the first due time and true from it on, per series', async () => {
    const store = createStore(await files.db());
    expect(store.signals.mayExpire(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(store.signals.mayExpireSeries('BTCUSDT', '60', Number.MAX_SAFE_INTEGER)).toBe(false);
    store.signals.insert(signalRow('a', { barTime: 1_000, expiresAt: 10_000 }));
    store.signals.insert(signalRow('b', { symbol: 'ETHUSDT', interval: '240', barTime: 3_000, expiresAt: 20_000 }));
    expect(store.signals.mayExpire(9_999)).toBe(false);
    expect(store.signals.mayExpire(10_000)).toBe(true);
    expect(store.signals.mayExpireSeries('BTCUSDT', '60', 999)).toBe(false);
    expect(store.signals.mayExpireSeries('BTCUSDT', '60', 1_000)).toBe(true);
    // Another interval or symbol holds nothing that could expire.
    expect(store.signals.mayExpireSeries('BTCUSDT', '240', 1_000_000)).toBe(false);
    expect(store.signals.mayExpireSeries('SOLUSDT', '60', 1_000_000)).toBe(false);
    expect(store.signals.mayExpireSeries('ETHUSDT', '240', 2_999)).toBe(false);
    expect(store.signals.mayExpireSeries('ETHUSDT', '240', 3_000)).toBe(true);
    // The answers match what the expiries then do, and nothing is due after them.
    expect(store.signals.expire(10_000)).toEqual(['a']);
    expect(store.signals.mayExpire(10_000)).toBe(false);
    // A wall-time expiry leaves the series bound where it was (a 'may' that errs on the safe side):
    // the series expiry then finds nothing and the bound settles.
    expect(store.signals.expireSeries('BTCUSDT', '60', 1_000_000)).toEqual([]);
    expect(store.signals.mayExpireSeries('BTCUSDT', '60', 1_000_000)).toBe(false);
    expect(store.signals.mayExpire(20_000)).toBe(true);
    expect(store.signals.expireSeries('ETHUSDT', '240', 3_000)).toEqual(['b']);
    // Likewise a series expiry leaves the wall-time bound: the next expire() finds nothing and settles it.
    expect(store.signals.expire(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(store.signals.mayExpire(Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('are read-only: asking writes nothing and moves no status', async () => {
    const store = createStore(await files.db());
    store.signals.insert(signalRow('a', { barTime: 1_000, expiresAt: 10_000 }));
    const changes = (store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    expect(store.signals.mayExpire(10_000)).toBe(true);
    expect(store.signals.mayExpireSeries('BTCUSDT', '60', 1_000)).toBe(true);
    expect((store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n).toBe(changes);
    expect(store.signals.get('a')?.status).toBe('live');
  });

  it('see a signal another connection inserted, from the next event-loop turn', async () => {
    const [desk, other] = await files.twoStores();
    expect(desk.signals.mayExpire(500)).toBe(false);
    other.signals.insert(signalRow('x', { symbol: 'WIFUSDT', barTime: 10, expiresAt: 500 }));
    await nextTurn();
    expect(desk.signals.mayExpire(500)).toBe(true);
    expect(desk.signals.mayExpireSeries('WIFUSDT', '60', 10)).toBe(true);
    expect(desk.signals.expire(500)).toEqual(['x']);
  });
});
