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

/** The part of a Fluent bundle the translator uses (structural, so no undeclared package is imported). */
interface BundleLike {
  getMessage(id: string): { value: unknown; attributes?: Record<string, unknown> } | undefined;
  formatPattern(pattern: unknown, args?: TVars): string;
}

/**
 * The bundle that holds `lang`'s own messages, found once: @grammyjs/i18n negotiates the locale
 * (new Locale objects and regex matches in @fluent/langneg) on every `t()` call, which was most of a
 * translation's cost and garbage. Null when the library's shape is not the expected one (then every
 * call takes the library path).
 */
function ownBundle(i18n: I18n, lang: Lang): BundleLike | null {
  const fluent = i18n.fluent as unknown as { matchBundles?: (locales: string[]) => Iterable<BundleLike> };
  if (typeof fluent.matchBundles !== 'function') return null;
  const first = [...fluent.matchBundles.call(i18n.fluent, [lang])][0];
  return first && typeof first.getMessage === 'function' && typeof first.formatPattern === 'function' ? first : null;
}

/**
 * A translate function bound to `lang` that never throws: a missing variable or message falls back to
 * the English text, and failing that to the key itself (and is reported through `onError`). A message
 * found in `lang`'s own bundle is formatted straight from it (the same text `i18n.t` gives, without a
 * locale negotiation per call); anything else goes through `i18n.t` as before.
 */
export function createTranslator(i18n: I18n, lang: Lang, onError: (key: string, err: unknown) => void = () => {}): Translate {
  const bundle = ownBundle(i18n, lang);
  const direct = (key: string, vars?: TVars): string | undefined => {
    if (!bundle) return undefined;
    const [id, attribute] = key.split('.', 2); // as @grammyjs/i18n splits it
    const message = bundle.getMessage(id);
    if (message === undefined) return undefined;
    const pattern = attribute ? message.attributes?.[attribute] : (message.value ?? '');
    if (!pattern) return undefined;
    return bundle.formatPattern(pattern, vars);
  };
  return (key, vars) => {
    try {
      return direct(key, vars) ?? i18n.t(lang, key, vars);
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
