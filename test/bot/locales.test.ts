import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, LOCALES_DIR, createI18n, createTranslator, type TVars } from '../../bot/i18n.ts';

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

describe('createTranslator', () => {
  const i18n = createI18n();
  const en = keysOf('en');
  const paths = [...en].flatMap(([id, attrs]) => [id, ...attrs.map((a) => `${id}.${a}`)]);
  const varNames = new Set([...readFileSync(join(LOCALES_DIR, 'en.ftl'), 'utf8').matchAll(/\$([a-zA-Z][a-zA-Z0-9_-]*)/g)].map((m) => m[1]));
  const withText: TVars = Object.fromEntries([...varNames].map((n) => [n, `v-${n}`]));
  const withNumbers: TVars = Object.fromEntries([...varNames].map((n) => [n, 2]));
  /** What the translator promised before it formatted from the bundle directly: i18n.t, then English, then the key. */
  const reference = (lang: string, key: string, vars?: TVars): string => {
    try {
      return i18n.t(lang, key, vars);
    } catch {
      try {
        return i18n.t('en', key, vars);
      } catch {
        return key;
      }
    }
  };

  it.each(LANGUAGES.map((l) => [l]))('%s: every message and attribute reads exactly as i18n.t gives it, with and without variables', (lang) => {
    const failures: string[] = [];
    const tr = createTranslator(i18n, lang, (key) => failures.push(key));
    for (const key of paths) {
      for (const vars of [withText, withNumbers, undefined]) expect(tr(key, vars), `${lang}: ${key}`).toBe(reference(lang, key, vars));
    }
    expect(tr('no-such-message')).toBe(reference(lang, 'no-such-message'));
    expect(tr('bot-usage.no-such-attribute')).toBe(reference(lang, 'bot-usage.no-such-attribute'));
  });

  it('a message of the language is formatted from its bundle, without a locale negotiation through i18n.t', () => {
    const own = createI18n();
    const t = own.t.bind(own);
    let libraryCalls = 0;
    own.t = ((...args: Parameters<typeof t>) => (libraryCalls++, t(...args))) as typeof own.t;
    const tr = createTranslator(own, 'ru');
    expect(tr('btn-confirm')).toBe(t('ru', 'btn-confirm'));
    expect(libraryCalls).toBe(0);
    expect(tr('no-such-message')).toBe(t('ru', 'no-such-message'));
    expect(libraryCalls).toBe(1);
  });

  it('a message missing a variable is reported and falls back to English, never throws', () => {
    const keyWithVar = paths.find((k) => {
      try {
        i18n.t('ru', k);
        return false;
      } catch {
        return true;
      }
    });
    expect(keyWithVar).toBeDefined();
    const failures: string[] = [];
    const tr = createTranslator(i18n, 'ru', (key) => failures.push(key));
    expect(tr(keyWithVar!)).toBe(reference('ru', keyWithVar!));
    expect(failures).toEqual([keyWithVar]);
  });
});
