import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { openDb } from '../../engine/index.ts';
import { backupDb, closeCron } from '../../engine/jobs.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('jobs', () => {
  it('nightly backup writes a dated copy and keeps only the newest N', async () => {
    const dir = tempDir('desk-bak-');
    for (const d of ['2026-11-01', '2026-11-02', '2026-11-03']) writeFileSync(join(dir, `desk-${d}.db`), 'old');
    writeFileSync(join(dir, 'unrelated.txt'), 'keep me');
    const { db } = await openDb(join(dir, 'live.db'));
    const file = await backupDb(db, join(dir), 2, Date.UTC(2026, 10, 21));
    db.close();
    expect(file.endsWith('desk-2026-11-21.db')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('desk-')).sort()).toEqual(['desk-2026-11-03.db', 'desk-2026-11-21.db']);
    expect(readdirSync(dir)).toContain('unrelated.txt');
  });

  it('each interval has a valid cron schedule that fires after its close', () => {
    for (const iv of ['5', '15', '60', '240', 'D'] as const) expect(cron.validate(closeCron(iv))).toBe(true);
    expect(closeCron('60')).toBe('30 0 * * * *');
  });
});
