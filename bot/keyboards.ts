import { InlineKeyboard } from 'grammy';
import type { NonceStore } from './nonce-store.ts';
import { encodeCallbackData } from './callback-data.ts';

/** Callback actions (one letter each, to keep callback data short). */
export const ACTIONS = {
  execute: 'x',
  details: 'd',
  mute: 'm',
  confirmExecute: 'c',
  confirmClose: 'q',
  confirmKill: 'k',
  cancel: 'n',
  language: 'l',
  detail: 'a',
  alerts: 't',
} as const;
/** One callback action letter. */
export type ActionCode = (typeof ACTIONS)[keyof typeof ACTIONS];

/** Issues a nonce for `userId` and returns the callback data of a button; throws RangeError only on a bug. */
export function buttonData(
  nonces: NonceStore,
  userId: string,
  action: ActionCode,
  ref: string,
  ttlMs: number,
  singleUse: boolean,
  payload?: string,
): string {
  const nonce = nonces.issue(userId, action, ref, ttlMs, singleUse, payload);
  return encodeCallbackData(action, nonce, ref);
}

/** A keyboard with one Confirm and one Cancel button bound to `userId`, valid for `ttlMs`; throws RangeError only on a bug (callback data too long). */
export function confirmKeyboard(
  nonces: NonceStore,
  userId: string,
  action: ActionCode,
  ref: string,
  ttlMs: number,
  labels: { confirm: string; cancel: string },
  payload?: string,
): InlineKeyboard {
  return new InlineKeyboard()
    .text(labels.confirm, buttonData(nonces, userId, action, ref, ttlMs, true, payload))
    .text(labels.cancel, buttonData(nonces, userId, ACTIONS.cancel, `${action}|${ref}`, ttlMs, true));
}
