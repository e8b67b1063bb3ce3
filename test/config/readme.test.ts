import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DESK_ERROR_CODES } from '../../engine/index.ts';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('README stays true', () => {
  it('documents every config key with its default', () => {
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      if (spec.default !== '') expect(row, key).toContain(`\`${spec.default}\``);
    }
  });

  it('lists every DeskError code and the two quick-start commands', () => {
    for (const code of DESK_ERROR_CODES) expect(readme, code).toContain(`| \`${code}\` |`);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
