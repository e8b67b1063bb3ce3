import { join } from 'node:path';
import { createStore, openDb, type Db, type Store } from '../../engine/index.ts';
import { tempDir } from './temp-dir.ts';

/** Fresh migrated WAL database files for store tests; close() closes every connection opened here. */
export interface WalFiles {
  /** One connection on a new file. */
  db(): Promise<Db>;
  /** Two stores over two connections to one new file (as a CLI beside the running desk would have). */
  twoStores(): Promise<[Store, Store]>;
  close(): void;
}

/** Builds a WalFiles whose files live in temp folders named after `prefix`, each removed once the test that opened it has finished; opening rejects only on a broken disk. */
export function walFiles(prefix: string): WalFiles {
  const open: Db[] = [];
  const fresh = (): string => join(tempDir(prefix), 'desk.db');
  return {
    async db() {
      const { db } = await openDb(fresh(), () => 1);
      open.push(db);
      return db;
    },
    async twoStores() {
      const path = fresh();
      const a = await openDb(path, () => 1);
      const b = await openDb(path, () => 1);
      open.push(a.db, b.db);
      return [createStore(a.db), createStore(b.db)];
    },
    close() {
      for (const db of open.splice(0)) db.close();
    },
  };
}
