import type { Actor } from '../engine/index.ts';
import type { BotDeps } from './context.ts';
import type { Lang, Translate } from './i18n.ts';
import { fmtWhen } from './format.ts';

/** One localized line per limit of `actor`: used, max and reset time; rejects with the Desk's error. */
export async function limitLines(tr: Translate, lang: Lang, deps: BotDeps, actor: Actor): Promise<string[]> {
  const { limits } = await deps.desk.limits(actor);
  const now = deps.clock.now();
  return limits.map((l) => tr('limit-line', { name: l.name, used: l.used, max: l.max, reset: fmtWhen(lang, l.resetAt, now) }));
}
