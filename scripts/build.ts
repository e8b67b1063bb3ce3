// `npm run build`: bundles the composition root (scripts/start.ts) into dist/start.mjs, so production
// runs plain node without the tsx loader (its hooks thread alone costs ~30 MB of RSS, the tsx CLI a
// second ~50 MB process; see scripts/bench/memory.ts). npm packages stay external (resolved from
// node_modules at run time); only the project's own TypeScript is bundled. Code splitting keeps a
// dynamic import() lazy (its chunk, and the packages it imports, load only when it runs). The bundle
// and its chunks sit one folder below the root, like bot/, so paths from import.meta.url ('../locales')
// still resolve.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, resolve } from 'node:path';
import { DeskError } from '../engine/index.ts';

// The repository root: the nearest folder above this file (or the bundle chunk it ended up in) with a package.json.
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** What to bundle and where; both paths absolute or relative to the repository root. */
export interface BuildOptions {
  /** Entry point; default scripts/start.ts. */
  entry?: string;
  /** Output file (an .mjs, ESM); default dist/start.mjs. Its .map is written beside it. */
  outfile?: string;
}

/** The written bundle. */
export interface BuildResult {
  outfile: string;
  bytes: number;
}

/**
 * Bundles `entry` with esbuild (platform node, format esm, packages external, code splitting, linked
 * source maps) into `outfile` (lazy chunks beside it). Rejects with DeskError VALIDATION when outfile is
 * not an .mjs, INTERNAL {entry, reason} naming the first esbuild error.
 */
export async function buildBundle(opts: BuildOptions = {}): Promise<BuildResult> {
  const root = repoRoot();
  const entry = resolve(root, opts.entry ?? 'scripts/start.ts');
  const outfile = resolve(root, opts.outfile ?? 'dist/start.mjs');
  if (!outfile.endsWith('.mjs')) throw new DeskError('VALIDATION', { field: 'outfile', reason: 'expected an .mjs file' });
  // Imported lazily: a bundle of a file that imports this module must not load esbuild at startup.
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      entryPoints: { [basename(outfile, '.mjs')]: entry },
      outdir: dirname(outfile),
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
      splitting: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      logLevel: 'silent',
    });
  } catch (e) {
    const first = (e as { errors?: { text?: string; location?: { file?: string; line?: number } | null }[] }).errors?.[0];
    const where = first?.location ? `${first.location.file ?? '?'}:${first.location.line ?? '?'}: ` : '';
    const reason = first?.text ? `${where}${first.text}` : 'esbuild failed';
    throw new DeskError('INTERNAL', { entry, reason }, `build: ${reason}`);
  }
  return { outfile, bytes: statSync(outfile).size };
}

// Run as a script only (not when bundled into another entry point, where import.meta.url is that bundle).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && /build\.ts$/.test(process.argv[1])) {
  buildBundle().then(
    (r) => process.stdout.write(`built ${r.outfile} (${Math.round(r.bytes / 1024)} KiB)\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : 'build failed'}\n`);
      process.exit(1);
    },
  );
}
