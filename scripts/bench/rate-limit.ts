// Rate-limit check-and-count (the desk's one-statement upsert) against a bare prepared upsert loop on
// the same WAL file, in the same run. Target: ratio ≤ 1.5.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, openDb } from '../../engine/index.ts';
import { median, type BenchLine } from './bench-line.ts';

/** Measures ns per check-and-count vs ns per bare upsert (median of rounds); never throws on a healthy disk. */
export async function benchRateLimit(opts: { ops?: number; rounds?: number } = {}): Promise<BenchLine[]> {
  const ops = opts.ops ?? 20_000;
  const rounds = opts.rounds ?? 7;
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-rl-'));
  const { db } = await openDb(join(dir, 'bench.db'));
  try {
    const store = createStore(db);
    db.exec('CREATE TABLE bare (k TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID');
    const bare = db.prepare('INSERT INTO bare (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1');
    const ours: number[] = [];
    const ref: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) bare.run(`rpc:user${i % 500}`);
      ref.push(Number(process.hrtime.bigint() - t0) / ops);
      t0 = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) store.limits.hit(`rpc:user${i % 500}`, 'scan', r, 86_400_000, 1_000_000_000);
      ours.push(Number(process.hrtime.bigint() - t0) / ops);
    }
    const o = median(ours);
    const b = median(ref);
    return [{ name: 'rate_limit_check_and_count_vs_bare_upsert', value: round(o), unit: 'ns/op', reference: round(b), ratio: round(o / b) }];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const l of await benchRateLimit()) process.stdout.write(`${JSON.stringify(l)}\n`);
}
