import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, testConfig } from '../../engine/index.ts';
import { composeDesk } from '../../scripts/compose.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Runs the crash child until it has traded, lets it run `extraMs` more, then SIGKILLs it. */
function runAndKill(db: string, extraMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/crash-child.ts'), db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('traded') && !child.killed) setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' || code === 0 ? resolve(out) : reject(new Error(`child failed: ${code} ${err.slice(0, 500)}`))));
  });
}

function invariants(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // no order half-recorded: a filled order has its fills; every fill belongs to a known order or a venue exit
    const filledWithoutFill = db
      .prepare(`SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'filled' AND NOT EXISTS (SELECT 1 FROM fills f WHERE f.order_link_id = o.order_link_id)`)
      .get() as { n: number };
    expect(filledWithoutFill.n).toBe(0);
    const fillWithoutFilled = db
      .prepare(
        `SELECT COUNT(*) AS n FROM fills f JOIN orders o ON o.order_link_id = f.order_link_id WHERE o.status <> 'filled'`,
      )
      .get() as { n: number };
    expect(fillWithoutFilled.n).toBe(0);
    // every position's quantity equals its entry fills minus its reduce fills
    const rows = db
      .prepare(
        `SELECT p.id, p.qty, p.status,
           COALESCE(SUM(CASE WHEN f.kind = 'entry' THEN f.qty ELSE -f.qty END), 0) AS net
         FROM positions p LEFT JOIN fills f ON f.position_id = p.id GROUP BY p.id`,
      )
      .all() as { id: string; qty: number; status: string; net: number }[];
    for (const r of rows) expect(Math.abs(r.qty - r.net)).toBeLessThan(1e-6);
    // every fill references a stored quote snapshot
    expect((db.prepare('SELECT COUNT(*) AS n FROM fills WHERE quote_id IS NULL OR quote_id NOT IN (SELECT id FROM quotes)').get() as { n: number }).n).toBe(0);
  } finally {
    db.close();
  }
}

describe('crash recovery', () => {
  it('SIGKILL at several points mid-trading: integrity ok, nothing half-recorded, restart reconciles', async () => {
    const db = join(tempDir('desk-crash-'), 'desk.db');
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let caughtInFlight = 0;
    for (let i = 0; i < 8; i++) {
      await runAndKill(db, Math.floor(rand() * 120));
      invariants(db);
      const before = new Database(db, { readonly: true });
      caughtInFlight += (before.prepare(`SELECT COUNT(*) AS n FROM orders WHERE status = 'submitting'`).get() as { n: number }).n;
      before.close();
      // restart: reconciliation settles any order a crash left in flight
      const rt = await composeDesk(testConfig({ DESK_DB: db, DESK_WARMUP_BARS: '300' }), { clock: new ManualClock(Date.UTC(2026, 10, 2, 9)), logger: silentLogger, autoplay: false });
      await rt.desk.start();
      const pending = rt.store.db.prepare(`SELECT COUNT(*) AS n FROM orders WHERE status IN ('submitting','unknown')`).get() as { n: number };
      expect(pending.n).toBe(0);
      await rt.close();
      invariants(db);
    }
    const d = new Database(db, { readonly: true });
    const n = d.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number };
    d.close();
    expect(n.n).toBeGreaterThan(5);
    console.log(`crash test: ${n.n} orders over 8 kills, ${caughtInFlight} caught in flight and reconciled`);
  }, 120_000);
});
