import { InlineKeyboard } from 'grammy';
import type { Role, Signal } from '../engine/index.ts';
import type { BotDeps } from './context.ts';
import type { Translate } from './i18n.ts';
import { ACTIONS, buttonData } from './keyboards.ts';
import { roleAtLeast } from './roles.ts';
import { sideLabel } from './render.ts';

/** How long an alert's buttons stay valid: until the signal expires (at least a minute, at most a day); never throws. */
export function signalButtonTtl(deps: BotDeps, s: Signal): number {
  return Math.min(86_400_000, Math.max(60_000, s.expiresAt - deps.clock.now()));
}

/**
 * The alert keyboard for one recipient: Execute (traders and admins only), Details and Mute, each bound
 * to that recipient by a server-side nonce; never throws.
 */
export function alertKeyboard(deps: BotDeps, tr: Translate, userId: string, role: Role, s: Signal): InlineKeyboard {
  const ttl = signalButtonTtl(deps, s);
  const kb = new InlineKeyboard();
  if (roleAtLeast(role, 'trader')) kb.text(tr('btn-execute'), buttonData(deps.nonces, userId, ACTIONS.execute, s.id, ttl, false));
  kb.text(tr('btn-details'), buttonData(deps.nonces, userId, ACTIONS.details, s.id, ttl, false));
  kb.text(tr('btn-mute', { symbol: s.symbol }), buttonData(deps.nonces, userId, ACTIONS.mute, s.symbol, ttl, false));
  return kb;
}

/** One "Execute SYMBOL SIDE" row per signal for traders (scan results, /signal); null for viewers or none. */
export function executeRows(deps: BotDeps, tr: Translate, userId: string, role: Role, signals: readonly Signal[]): InlineKeyboard | null {
  if (!roleAtLeast(role, 'trader') || signals.length === 0) return null;
  const kb = new InlineKeyboard();
  for (const s of signals.slice(0, 5)) {
    kb.text(
      tr('btn-execute-symbol', { symbol: s.symbol, side: sideLabel(tr, s.side) }),
      buttonData(deps.nonces, userId, ACTIONS.execute, s.id, signalButtonTtl(deps, s), false),
    ).row();
  }
  return kb;
}
