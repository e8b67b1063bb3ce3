import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { DeskError } from '../errors.ts';

/** An open better-sqlite3 connection. */
export type Db = Database.Database;

/** What openDb did: the schema versions before and after, and the backup file if one was taken. */
export interface OpenDbResult {
  db: Db;
  fromVersion: number;
  toVersion: number;
  backupPath: string | null;
}

/**
 * Opens (creating if needed) the SQLite file with WAL, busy_timeout and synchronous=NORMAL, backs an
 * existing file up with db.backup() before migrating, and applies pending migrations in one
 * transaction each. Throws DeskError CONFIG if the file is newer than this build or cannot be opened.
 */
export async function openDb(path: string, now: () => number = Date.now): Promise<OpenDbResult> {
  const memory = path === ':memory:';
  const existed = !memory && existsSync(path);
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch {
    throw new DeskError('CONFIG', { key: 'DESK_DB' }, `config: DESK_DB: cannot open ${path}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const fromVersion = db.pragma('user_version', { simple: true }) as number;
  if (fromVersion > MIGRATIONS.length) {
    db.close();
    throw new DeskError('CONFIG', { key: 'DESK_DB', version: fromVersion }, `config: DESK_DB: schema v${fromVersion} is newer than this build`);
  }
  let backupPath: string | null = null;
  if (existed && fromVersion < MIGRATIONS.length && fromVersion > 0) {
    backupPath = `${path}.v${fromVersion}.${now()}.bak`;
    await db.backup(backupPath);
  }
  for (let v = fromVersion; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return { db, fromVersion, toVersion: MIGRATIONS.length, backupPath };
}
