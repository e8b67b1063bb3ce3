import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, SignalSchema } from '../../engine/index.ts';

const root = join(import.meta.dirname, '../..');

describe('npm run scan -- --json', () => {
  it('prints a JSON array of real signals, each valid and with its 8 score parts', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/scan.ts'), '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const signals = JSON.parse(r.stdout) as unknown[];
    expect(Array.isArray(signals)).toBe(true);
    expect(signals.length).toBeGreaterThan(0);
    for (const raw of signals) {
      const s = SignalSchema.parse(raw);
      expect(s.scoreParts.map((p) => p.name)).toEqual([...METRIC_NAMES]);
      expect(s.score).toBeGreaterThanOrEqual(5.5);
    }
  }, 150_000);

  it('refuses an unknown flag with a one-line error', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/scan.ts'), '--nope'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);
});
