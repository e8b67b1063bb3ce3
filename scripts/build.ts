// `npm run build`: bundles the composition root (scripts/start.ts) into dist/start.mjs, so production
// runs plain `node --enable-source-maps dist/start.mjs` without the tsx loader (its hooks thread alone
// costs ~35 MB of RSS; see scripts/bench/memory.ts). npm packages stay external (resolved from
// node_modules at run time); only the project's own TypeScript is bundled. The bundle sits one folder
// below the root, like bot/, so paths built from import.meta.url ('../locales') still resolve.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DeskError } from '../engine/errors.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

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
 * Bundles `entry` with esbuild (platform node, format esm, packages external, linked source map) into
 * `outfile`. Rejects with DeskError INTERNAL {entry, reason} naming the first esbuild error.
 */
export async function buildBundle(opts: BuildOptions = {}): Promise<BuildResult> {
  const entry = join(ROOT, opts.entry ?? 'scripts/start.ts');
  const outfile = join(ROOT, opts.outfile ?? 'dist/start.mjs');
  // Imported lazily: a bundle of a file that imports this module must not load esbuild at startup.
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
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
