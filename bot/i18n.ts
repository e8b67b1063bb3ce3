import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { I18n } from '@grammyjs/i18n';
import type { Context } from 'grammy';

/** Languages the bot speaks; the first is the default. */
export const LANGUAGES = ['en', 'ru'] as const;
/** A language the bot speaks. */
export type Lang = (typeof LANGUAGES)[number];

/** Variables a translation may take (Fluent variables: strings, numbers, dates). */
export type TVars = Record<string, string | number | Date>;
/** Translates `key` (optionally `key.attribute`) in a fixed language; see createTranslator. */
export type Translate = (key: string, vars?: TVars) => string;

/** The folder holding one Fluent file per language (`<repo>/locales`). */
export const LOCALES_DIR = fileURLToPath(new URL('../locales', import.meta.url));

/**
 * Loads `<dir>/<lang>.ftl` for every language into a grammY I18n instance (no bidi isolation marks;
 * all our languages are left-to-right). Throws when a file is missing or fails to parse.
 */
export function createI18n<C extends Context>(dir: string = LOCALES_DIR): I18n<C> {
  const i18n = new I18n<C>({ defaultLocale: 'en', fluentBundleOptions: { useIsolating: false } });
  for (const l of LANGUAGES) {
    i18n.loadLocaleSync(l, { source: readFileSync(join(dir, `${l}.ftl`), 'utf8'), bundleOptions: { useIsolating: false } });
  }
  return i18n;
}

/**
 * A translate function bound to `lang` that never throws: a missing variable or message falls back to
 * the English text, and failing that to the key itself (and is reported through `onError`).
 */
export function createTranslator(i18n: I18n, lang: Lang, onError: (key: string, err: unknown) => void = () => {}): Translate {
  return (key, vars) => {
    try {
      return i18n.t(lang, key, vars);
    } catch (err) {
      onError(key, err);
      try {
        return i18n.t('en', key, vars);
      } catch {
        return key;
      }
    }
  };
}

/** Maps a Telegram `language_code` (or a stored setting) to a language the bot speaks; English for anything else, never throws. */
export function pickLang(code: string | undefined | null): Lang {
  if (!code) return 'en';
  const base = code.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Lang) : 'en';
}
