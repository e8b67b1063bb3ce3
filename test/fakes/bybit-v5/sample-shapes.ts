import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './kline-data.ts';

/**
 * Directory of the verbatim Bybit docs samples, copied into the repo from the team's shared data
 * (provenance in samples/SOURCES.md) so the tests run from a fresh clone.
 */
export const SAMPLES_DIR = resolve(REPO_ROOT, 'test/fakes/bybit-v5/samples');

/** Parses one sample file of test/fakes/bybit-v5/samples; throws when it is missing or not JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sample(name: string): any {
  return JSON.parse(readFileSync(resolve(SAMPLES_DIR, name), 'utf8'));
}

/**
 * Sorted key paths with value types ("a.b:string", arrays as "a[]"), recursing into objects and the
 * first array element, so two payloads can be compared by shape; never throws.
 */
export function keyShape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length ? keyShape(v[0], `${prefix}[]`) : [`${prefix}[]:empty`];
  if (v !== null && typeof v === 'object') {
    const out: string[] = [];
    for (const [k, x] of Object.entries(v)) out.push(...keyShape(x, prefix ? `${prefix}.${k}` : k));
    return out.sort();
  }
  return [`${prefix}:${v === null ? 'null' : typeof v}`];
}
