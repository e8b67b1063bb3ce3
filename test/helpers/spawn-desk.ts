import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';

/** A desk started as `npm start` would (scripts/start.ts under tsx) in a child process. */
export interface SpawnedDesk {
  child: ChildProcess;
  url: string;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Sends `signal` and resolves with the exit code (null when a signal killed it) and how long the exit took (ms). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/** Finds a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `script` (default scripts/start.ts) with `env` on a free port and a temp database (removed once the calling test
 * has finished, so stop the desk in an afterEach), and resolves once it printed its ready line; rejects (and kills it)
 * if it exits or is not ready within `timeoutMs`.
 */
export async function spawnDesk(env: Record<string, string> = {}, timeoutMs = 60_000, script = 'scripts/start.ts'): Promise<SpawnedDesk> {
  const root = join(import.meta.dirname, '../..');
  const port = await freePort();
  const dir = tempDir('desk-proc-');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...process.env, DESK_PORT: String(port), DESK_DB: join(dir, 'desk.db'), DESK_BACKUP_DIR: join(dir, 'backups'), DESK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`desk not ready in ${timeoutMs} ms: ${err.slice(0, 800)}`));
    }, timeoutMs);
    const onData = () => {
      if (out.includes('signal desk ready on')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`desk exited ${code}: ${err.slice(0, 800)}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, ms: 0 });
        const t0 = Date.now();
        child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 }));
        child.kill(signal);
      }),
  };
}
