import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../scripts/build.ts';
import { freePort } from '../helpers/spawn-desk.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ROOT = join(import.meta.dirname, '../..');
// A test-only output next to dist/start.mjs (same depth, so '../locales' resolves the same way).
const OUT = 'dist/test-build/start.mjs';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

// The node flags of package.json's "start" (the production command), without the script file.
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.start!.trim().split(/\s+/);
  expect(words[0]).toBe('node');
  expect(words.at(-1)).toBe('dist/start.mjs');
  return words.slice(1, -1);
}

describe('npm run build (the production bundle)', () => {
  it('takes an absolute entry path as well as one relative to the root (the Bybit bench bundles itself by its own path)', async () => {
    const built = await buildBundle({ entry: join(ROOT, 'scripts/start.ts'), outfile: 'dist/test-build/absolute.mjs' });
    expect(built.outfile).toBe(join(ROOT, 'dist/test-build/absolute.mjs'));
    expect(built.bytes).toBeGreaterThan(10_000);
  });

  it('bundles scripts/start.ts; the bundle serves /healthz under npm start flags and exits 0 on SIGTERM', async () => {
    const built = await buildBundle({ outfile: OUT });
    expect(built.bytes).toBeGreaterThan(10_000);
    expect(existsSync(`${built.outfile}.map`)).toBe(true);
    // Packages stay external: the bundle imports them, it does not inline them.
    const code = readFileSync(built.outfile, 'utf8');
    expect(code).toMatch(/from "zod"/);
    expect(code).not.toMatch(/from "\.\.?\/.*\.ts"/);

    const dir = tempDir('desk-build-');
    const port = await freePort();
    const c = spawn(process.execPath, [...startFlags(), built.outfile], {
      cwd: ROOT,
      env: { ...process.env, DESK_PORT: String(port), DESK_DB: join(dir, 'desk.db'), DESK_BACKUP_DIR: join(dir, 'backups'), DESK_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    let err = '';
    c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bundle not ready: ${err.slice(0, 500)}`)), 30_000);
      c.stdout!.on('data', () => {
        if (out.includes('signal desk ready on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bundle exited ${String(code)}: ${err.slice(0, 500)}`));
      });
    });
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, mode: 'paper', feed: 'replay' });

    const code0 = await new Promise<number | null>((resolve) => {
      c.once('exit', (code) => resolve(code));
      c.kill('SIGTERM');
    });
    expect(code0).toBe(0);
    expect(err).not.toMatch(/Error|ERR_/);
  }, 90_000);

  it('refuses an output that is not an .mjs file', async () => {
    await expect(buildBundle({ outfile: 'dist/test-build/start.js' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
