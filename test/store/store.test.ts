import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, openDb, type Db } from '../../engine/index.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('openDb', () => {
  it('creates a WAL database at the latest schema with busy_timeout and synchronous=NORMAL', async () => {
    const dir = tempDir('desk-db-');
    const { db, fromVersion, toVersion, backupPath } = await openDb(join(dir, 'a.db'));
    open.push(db);
    expect(fromVersion).toBe(0);
    expect(toVersion).toBe(MIGRATIONS.length);
    expect(backupPath).toBeNull();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('backs an existing older file up with db.backup() before migrating it', async () => {
    const dir = tempDir('desk-db-');
    const path = join(dir, 'old.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw.prepare(`INSERT INTO audit (at, actor_kind, actor_id, action, outcome, detail) VALUES (1, 'system', 'x', 'a', 'ok', '{}')`).run();
    raw.close();
    const r = await openDb(path, () => 1234);
    open.push(r.db);
    expect(r.fromVersion).toBe(1);
    expect(r.toVersion).toBe(MIGRATIONS.length);
    expect(r.backupPath).toBe(`${path}.v1.1234.bak`);
    const bak = new Database(r.backupPath!, { readonly: true });
    expect(bak.pragma('user_version', { simple: true })).toBe(1);
    expect((bak.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(1);
    bak.close();
    expect((r.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(1);
    expect(r.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses a file written by a newer build', async () => {
    const dir = tempDir('desk-db-');
    const path = join(dir, 'new.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    await expect(openDb(path)).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('the audit log is append-only', async () => {
    const { db } = await openDb(':memory:');
    open.push(db);
    const store = createStore(db);
    store.audit.add(1, { kind: 'rpc', id: 'a' }, 'x', 'ok');
    expect(() => db.prepare('UPDATE audit SET outcome = ?').run('tampered')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
  });

  it('one live signal per symbol/side/strategy; fills are unique by exec id; one open position per symbol', async () => {
    const { db } = await openDb(':memory:');
    open.push(db);
    const store = createStore(db);
    const sig = {
      id: 's1',
      symbol: 'BTCUSDT',
      interval: '60' as const,
      side: 'long' as const,
      strategy: 'bb-grid-long',
      score: 6,
      scoreParts: [],
      entry: 100,
      stop: 90,
      targets: [110],
      barTime: 1,
      createdAt: 1,
      expiresAt: 10,
      status: 'live' as const,
      stage: 'live' as const,
      regime: 'range',
    };
    expect(store.signals.insert(sig as never)).toBe(true);
    expect(store.signals.insert({ ...sig, id: 's2' } as never)).toBe(false);
    const p = { id: 'p1', mode: 'paper' as const, symbol: 'BTCUSDT', side: 'long' as const, qty: 1, entryPrice: 100, stop: 90, targets: [], leverage: 3, signalId: null, actorKind: 'rpc', actorId: 'a', openedAt: 1 };
    store.positions.open(p);
    expect(() => store.positions.open({ ...p, id: 'p2' })).toThrow(/UNIQUE/);
  });
});

describe('rate limits', () => {
  it('check-and-count never overshoots and resets with the window', async () => {
    const { db } = await openDb(':memory:');
    open.push(db);
    const store = createStore(db);
    const allowed = Array.from({ length: 50 }, () => store.limits.hit('rpc:a', 'scan', 0, 1000, 10)).filter((h) => h.allowed);
    expect(allowed).toHaveLength(10);
    expect(store.limits.hit('rpc:a', 'scan', 0, 1000, 10)).toEqual({ allowed: false, used: 10, max: 10, resetAt: 1000 });
    expect(store.limits.hit('rpc:a', 'scan', 1000, 1000, 10)).toEqual({ allowed: true, used: 1, max: 10, resetAt: 2000 });
    expect(store.limits.hit('rpc:b', 'scan', 0, 1000, 0).allowed).toBe(false);
  });
});

describe('file lifecycle', () => {
  it('an in-memory desk leaves no file behind', async () => {
    const { db } = await openDb(':memory:');
    db.close();
    expect(existsSync(':memory:')).toBe(false);
  });
});

describe('live signal count', () => {
  it('stays exact across inserts, expiry by time and expiry by bars while it is remembered', async () => {
    const { db } = await openDb(':memory:');
    open.push(db);
    const store = createStore(db);
    const base = { symbol: 'BTCUSDT', interval: '60' as const, side: 'long' as const, score: 6, scoreParts: [], entry: 100, stop: 90, targets: [110], createdAt: 0, status: 'live' as const, stage: 'live' as const, regime: 'range' };
    expect(store.signals.countLive(0)).toBe(0);
    store.signals.insert({ ...base, id: 'a', strategy: 'x', barTime: 1, expiresAt: 100 } as never);
    store.signals.insert({ ...base, id: 'b', strategy: 'y', barTime: 2, expiresAt: 200 } as never);
    expect(store.signals.countLive(50)).toBe(2);
    expect(store.signals.countLive(99)).toBe(2);
    expect(store.signals.countLive(100)).toBe(1); // 'a' expired by time, nothing written
    expect(store.signals.countLive(150)).toBe(1);
    store.signals.expireSeries('BTCUSDT', '60', 2); // 'b' expired by bars
    expect(store.signals.countLive(150)).toBe(0);
    store.signals.insert({ ...base, id: 'c', strategy: 'z', barTime: 3, expiresAt: 300 } as never);
    expect(store.signals.countLive(160)).toBe(1);
  });
});
