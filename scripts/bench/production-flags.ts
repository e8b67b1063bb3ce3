import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The node flags `npm start` passes when package.json's "start" runs `node ... dist/start.mjs`, or
 * null when it does not run the bundle; throws when package.json is unreadable. Benches that time
 * the desk run it under these flags, so they measure the heap the desk really runs with.
 */
export function productionNodeFlags(): string[] | null {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || !words.includes('dist/start.mjs')) return null;
  return words.slice(1).filter((w) => w.startsWith('--'));
}
