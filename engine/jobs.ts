import cron, { type ScheduledTask } from 'node-cron';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './store/db.ts';
import type { Desk } from './desk.ts';
import type { DeskConfig } from './config.ts';
import type { DeskLogger } from './log.ts';
import type { Clock } from './clock.ts';
import type { Interval } from './schemas.ts';
import { SYSTEM_ACTOR } from './desk.ts';
import { intervalMs } from './scan/interval.ts';

/** Cron expression (UTC, with seconds) that fires 30 s after each close of `interval`; never throws for a valid Interval. */
export function closeCron(interval: Interval): string {
  switch (interval) {
    case '5':
      return '30 */5 * * * *';
    case '15':
      return '30 */15 * * * *';
    case '60':
      return '30 0 * * * *';
    case '240':
      return '30 0 */4 * * *';
    case 'D':
      return '30 0 0 * * *';
  }
}

/**
 * Takes a SQLite online backup into `dir` named by UTC date and keeps the newest `keep` files.
 * Rejects if the backup cannot be written (older backups are then left alone).
 */
export async function backupDb(db: Db, dir: string, keep: number, now: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `desk-${new Date(now).toISOString().slice(0, 10)}.db`);
  await db.backup(file);
  const all = readdirSync(dir)
    .filter((f) => /^desk-\d{4}-\d{2}-\d{2}\.db$/.test(f))
    .sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { force: true });
  return file;
}

/** The running scheduled jobs; stop() halts them all. */
export interface Jobs {
  tasks: ScheduledTask[];
  stop(): Promise<void>;
}

/**
 * Starts the named, non-overlapping UTC cron jobs: the daily report event (00:00), the nightly backup
 * (00:30, with retention; skipped for an in-memory DB), and per-interval backstops that flag a feed
 * that missed a bar close (scans themselves are event-driven from the feed). Job errors are logged.
 */
export function startJobs(opts: { desk: Desk; db: Db; config: DeskConfig; logger: DeskLogger; clock: Clock }): Jobs {
  const { desk, db, config, logger, clock } = opts;
  const log = logger.child({ module: 'jobs' });
  const run = (name: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (err) {
      log.error({ job: name, err: err instanceof Error ? err.message : 'error' }, 'job failed');
    }
  };
  const tasks: ScheduledTask[] = [];
  const add = (name: string, expr: string, fn: () => Promise<unknown>) => {
    tasks.push(cron.schedule(expr, run(name, fn), { name, timezone: 'Etc/UTC', noOverlap: true }));
  };
  add('daily-report', '0 0 0 * * *', async () => {
    const report = await desk.report(SYSTEM_ACTOR);
    desk.emit({ type: 'report.daily', at: clock.now(), report });
  });
  if (config.DESK_DB !== ':memory:') {
    add('nightly-backup', '0 30 0 * * *', async () => {
      const file = await backupDb(db, config.DESK_BACKUP_DIR, config.DESK_BACKUP_KEEP, clock.now());
      log.info({ file }, 'backup written');
    });
  }
  for (const interval of config.DESK_INTERVALS) {
    add(`backstop-${interval}`, closeCron(interval), async () => {
      const st = await desk.status(SYSTEM_ACTOR);
      if (st.feedLagMs !== null && st.feedLagMs > intervalMs(interval) + 60_000 && st.feed === 'bybit') {
        desk.emit({ type: 'feed.stale', at: clock.now(), lagMs: st.feedLagMs });
        log.warn({ interval, lagMs: st.feedLagMs }, 'no bar since the last close');
      }
    });
  }
  return {
    tasks,
    stop: async () => {
      for (const t of tasks) await t.destroy();
    },
  };
}
