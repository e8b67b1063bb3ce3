// QuietCheckpoints on a real WAL file: commits stop checkpointing, a checkpoint runs in the quiet
// after a burst (or from its timer) once the WAL is past the threshold, and the WAL file is then
// reused from its start instead of growing; stop() hands checkpointing back to SQLite.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, QuietCheckpoints, type Db } from '../../engine/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const open: { db: Db; cp: QuietCheckpoints }[] = [];
afterEach(() => {
  for (const { db, cp } of open.splice(0)) {
    cp.stop();
    db.close();
  }
});

async function setup(opts: ConstructorParameters<typeof QuietCheckpoints>[2] = {}): Promise<{ db: Db; cp: QuietCheckpoints; wal: () => number; write: (n: number) => void }> {
  const path = join(tempDir('desk-qcp-'), 'desk.db');
  const { db } = await openDb(path, () => 1);
  db.exec('CREATE TABLE blob (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const cp = new QuietCheckpoints(db, path, opts);
  open.push({ db, cp });
  const insert = db.prepare('INSERT INTO blob (body) VALUES (?)');
  return {
    db,
    cp,
    wal: () => statSync(`${path}-wal`).size,
    // One commit per row, as the desk's writes come: each appends frames to the WAL.
    write: (n) => {
      for (let i = 0; i < n; i++) insert.run('x'.repeat(2000));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('QuietCheckpoints', () => {
  it('turns off checkpoints on commit: the WAL grows past SQLite\'s 1000-page default without shrinking back', async () => {
    const { db, wal, write } = await setup({ minWalBytes: 1 << 30 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(1500);
    expect(wal()).toBeGreaterThan(1000 * 4096);
  });

  it('checkpoint() runs only past the threshold; after it, the next commits reuse the WAL from its start', async () => {
    const { cp, wal, write } = await setup({ minWalBytes: 1 << 20 });
    write(10);
    expect(cp.checkpoint()).toBe(false); // a few pages: below 1 MiB
    write(600);
    const before = wal();
    expect(before).toBeGreaterThan(1 << 20);
    expect(cp.checkpoint()).toBe(true);
    write(600);
    // Without the checkpoint the file would be about twice as long by now.
    expect(wal()).toBeLessThanOrEqual(before);
  });

  it('burstOver() checkpoints once the desk has been quiet for quietMs, and a new burst postpones it', async () => {
    const { cp, wal, write } = await setup({ quietMs: 40, minWalBytes: 0 });
    write(300);
    const grown = wal();
    cp.burstOver();
    await sleep(20);
    cp.burstOver(); // another burst: the quiet starts again
    await sleep(25);
    write(300); // still inside the quiet time: no checkpoint yet, the WAL keeps growing
    expect(wal()).toBeGreaterThan(grown);
    const longest = wal();
    await sleep(80);
    write(300);
    expect(wal()).toBe(longest); // checkpointed in the quiet: the writes went to the start of the WAL
  });

  it('the timer covers writes that come with no bursts', async () => {
    const { wal, write } = await setup({ everyMs: 30, minWalBytes: 0 });
    write(300);
    const grown = wal();
    await sleep(90);
    write(300);
    expect(wal()).toBe(grown);
  });

  it('stop() gives checkpointing back to SQLite; an in-memory database is left alone', async () => {
    const { db, cp } = await setup();
    cp.stop();
    cp.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(cp.checkpoint()).toBe(false);
    const mem = (await openDb(':memory:', () => 1)).db;
    const none = new QuietCheckpoints(mem, ':memory:');
    expect(none.checkpoint()).toBe(false);
    none.burstOver();
    none.stop();
    expect(mem.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    mem.close();
  });
});
