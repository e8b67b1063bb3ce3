import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, LOCALES_DIR } from '../../bot/i18n.ts';

const BOT_DIR = join(LOCALES_DIR, '..', 'bot');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** message id → sorted attribute names, straight from the file text (so junk entries cannot hide). */
function keysOf(lang: string): Map<string, string[]> {
  const text = readFileSync(join(LOCALES_DIR, `${lang}.ftl`), 'utf8');
  const out = new Map<string, string[]>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^([a-z][a-z0-9-]*)\s*=/.exec(line);
    if (m) {
      current = m[1];
      out.set(current, []);
      continue;
    }
    const a = /^\s+\.([a-z][a-z0-9-]*)\s*=/.exec(line);
    if (a && current) out.get(current)!.push(a[1]);
  }
  return out;
}

describe('locales', () => {
  const en = keysOf('en');

  it.each(LANGUAGES.map((l) => [l]))('%s parses without junk and has exactly the English keys and attributes', (lang) => {
    const text = readFileSync(join(LOCALES_DIR, `${lang}.ftl`), 'utf8');
    const bundle = new FluentBundle(lang, { useIsolating: false });
    expect(bundle.addResource(new FluentResource(text))).toEqual([]);
    const keys = keysOf(lang);
    for (const k of keys.keys()) expect(bundle.hasMessage(k), `${lang}: ${k} did not parse`).toBe(true);
    expect([...keys.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [k, attrs] of en) expect(keys.get(k)?.sort(), `${lang}: attributes of ${k}`).toEqual([...attrs].sort());
  });

  it('every key is used in bot/ and no key is missing', () => {
    const code = sourceFiles(BOT_DIR).map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused = [...en.keys()].filter((k) => !code.includes(`'${k}'`) && !code.includes(`'${k}.`));
    expect(unused).toEqual([]);
    const used = new Set([...code.matchAll(/\btr\('([a-z][a-z0-9-]*)/g)].map((m) => m[1]));
    const missing = [...used].filter((k) => !en.has(k));
    expect(missing).toEqual([]);
  });

  it('no user-visible literal text is sent from code', () => {
    const code = sourceFiles(BOT_DIR).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(code).not.toMatch(/\.(reply|editMessageText|editMessageCaption)\(\s*['"`]/);
    expect(code).not.toMatch(/\.(sendMessage|sendPhoto)\([^,()]+,\s*['"`]/);
    expect(code).not.toMatch(/caption:\s*['"`]/);
    expect(code).not.toMatch(/text:\s*['"`][A-Za-zА-Яа-я]/);
    expect(code).not.toMatch(/[А-Яа-яЁё]/);
  });
});
