import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { DeskError, type Actor } from '../engine/index.ts';
import { CONFIRM_TTL_MS, type ConfirmTokens } from './confirm-tokens.ts';

/** The request context the SDK hands a tool callback. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How a confirmation step ended. */
export type ConfirmOutcome =
  | { kind: 'confirmed' }
  | { kind: 'declined' | 'cancelled' }
  | { kind: 'token_issued'; token: string; expiresAt: number };

/** True when the connected client declared form elicitation (an empty `elicitation` object means form). */
export function clientSupportsElicitation(server: McpServer): boolean {
  const el = server.server.getClientCapabilities()?.elicitation as Record<string, unknown> | undefined;
  if (!el) return false;
  return Object.keys(el).length === 0 || el.form !== undefined;
}

/**
 * Asks for confirmation of `tool` with `args` (a call that carried no token): a client that supports
 * elicitation is asked `question`; otherwise a single-use token bound to actor, tool and args is
 * issued. Any failure while eliciting throws DeskError CONFIRMATION_INVALID: it fails closed.
 */
export async function confirmAction(p: {
  server: McpServer;
  tokens: ConfirmTokens;
  actor: Actor;
  tool: string;
  args: Record<string, unknown>;
  question: string;
  extra: ToolExtra;
}): Promise<ConfirmOutcome> {
  if (!clientSupportsElicitation(p.server)) {
    const t = p.tokens.issue(p.tool, p.actor, p.args);
    return { kind: 'token_issued', token: t.token, expiresAt: t.expiresAt };
  }
  let result;
  try {
    result = await p.server.server.elicitInput(
      {
        mode: 'form',
        message: p.question,
        requestedSchema: {
          type: 'object',
          properties: {
            confirm: { type: 'boolean', title: 'Confirm', description: 'Tick to go ahead; leave unticked to refuse.', default: false },
          },
          required: ['confirm'],
        },
      },
      { relatedRequestId: p.extra.requestId, timeout: CONFIRM_TTL_MS, signal: p.extra.signal },
    );
  } catch {
    throw new DeskError('CONFIRMATION_INVALID', { reason: 'elicitation_failed' }, 'elicitation failed');
  }
  if (result.action === 'accept') {
    return result.content?.confirm === true ? { kind: 'confirmed' } : { kind: 'declined' };
  }
  if (result.action === 'decline') return { kind: 'declined' };
  return { kind: 'cancelled' };
}
