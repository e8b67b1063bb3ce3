import { isIP } from 'node:net';
import { type DeskConfig, type DeskToken, DeskError, createTokenAuth, type TokenAuth } from '../engine/index.ts';

/**
 * The control plane's token checker: DESK_TOKENS mapped to `rpc` actors (constant-time; see
 * engine's createTokenAuth). Never throws.
 */
export function createRpcTokenAuth(tokens: readonly DeskToken[]): TokenAuth {
  return createTokenAuth(tokens, 'rpc');
}

/** True when `host` is a loopback bind address (127.0.0.0/8, ::1, localhost); false for 0.0.0.0, :: and names. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Refuses an unsafe bind: throws DeskError CONFIG (key DESK_TOKENS) when DESK_HOST is not a loopback
 * address and no DESK_TOKENS are configured, so the control plane is never open to the network
 * without authentication. Returns normally otherwise.
 */
export function assertSafeBind(config: Pick<DeskConfig, 'DESK_HOST' | 'DESK_TOKENS'>): void {
  if (!isLoopbackHost(config.DESK_HOST) && config.DESK_TOKENS.length === 0) {
    throw new DeskError(
      'CONFIG',
      { key: 'DESK_TOKENS' },
      `config: DESK_TOKENS: required when DESK_HOST (${config.DESK_HOST}) is not a loopback address`,
    );
  }
}
