import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

/**
 * Makes a fresh folder in the OS temp dir named `prefix` plus a random suffix and removes it with all it holds once the
 * calling test has finished (or, called at a file's or describe's top level but not in a beforeAll hook, once that
 * scope's tests have), throwing if the folder cannot be made; a folder that cannot be removed fails that test or scope.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  // onTestFinished runs after the test's afterEach hooks, so after they closed its databases and stopped its
  // processes; afterAll hooks run last-registered first, so one registered here runs after those registered below it.
  if (TestRunner.getCurrentTest()) onTestFinished(remove);
  else afterAll(remove);
  return dir;
}
