import type { Actor, Role } from '../engine/index.ts';
import type { DeskConfig } from '../engine/index.ts';

const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

/** True when `role` is at least `min` (viewer < trader < admin); never throws. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/**
 * The role of a Telegram user from TELEGRAM_ADMIN_IDS / TELEGRAM_TRADER_IDS and TELEGRAM_MODE: admins
 * and traders as listed, anyone else a viewer in `open` mode; null (refused) in `allowlist` mode.
 */
export function roleFor(config: DeskConfig, userId: number | string): Role | null {
  const id = String(userId);
  if (config.TELEGRAM_ADMIN_IDS.includes(id)) return 'admin';
  if (config.TELEGRAM_TRADER_IDS.includes(id)) return 'trader';
  return config.TELEGRAM_MODE === 'open' ? 'viewer' : null;
}

/** The desk Actor of a Telegram user with a known role; never throws. */
export function telegramActor(userId: number | string, role: Role): Actor {
  return { kind: 'telegram', id: String(userId), role };
}

/**
 * The Telegram chat id an engine `actorId` belongs to (`123` or `telegram:123`), or null when the actor
 * is not a Telegram user; never throws.
 */
export function chatIdOfActor(actorId: string | null | undefined): number | null {
  if (!actorId) return null;
  const m = /^(?:telegram:)?(\d{1,20})$/.exec(actorId);
  return m ? Number(m[1]) : null;
}
