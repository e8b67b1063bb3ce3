import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger, type DeskLogger } from '../../engine/log.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Repo root (two levels above this file). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Bundled kline folder. */
export const KLINES = join(ROOT, 'data/klines');
/** Bundled funding folder. */
export const FUNDING = join(ROOT, 'data/funding');

/** Text of a bundled kline file. */
export function klineText(name: string): string {
  return readFileSync(join(KLINES, name), 'utf8');
}

/** Header plus the real rows of a bundled kline file whose start is in [from, to) — rows unchanged. */
export function sliceKlines(name: string, from: number, to: number): string {
  const [header, ...rows] = klineText(name).trimEnd().split('\n');
  const keep = rows.filter((r) => {
    const t = Number(r.slice(0, r.indexOf(',')));
    return t >= from && t < to;
  });
  return [header, ...keep].join('\n') + '\n';
}

/** Header plus the first `n` real rows of a bundled kline file. */
export function headKlines(name: string, n: number): string {
  const lines = klineText(name).split('\n');
  return lines.slice(0, n + 1).join('\n') + '\n';
}

/** Makes a temp folder holding the given files, removed as tempDir removes its folders (after the calling test, or after the file's tests when made at top level); throws if a file cannot be written. */
export function tempFiles(files: Record<string, string>): string {
  const dir = tempDir('desk-market-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A pino logger writing JSON lines into `lines` (parsed). */
export function captureLogger(): { logger: DeskLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: dest }), lines };
}
