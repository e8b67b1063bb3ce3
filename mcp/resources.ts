import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { toDeskError } from '../engine/index.ts';
import type { RecentEvents } from './event-log.ts';
import type { ToolContext } from './tool-kit.ts';
import { toolError } from './tool-result.ts';

const JSON_MIME = 'application/json';

function json(uri: string, value: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value) }] };
}

/** Rethrows a desk failure as a JSON-RPC error carrying the same curated text a tool error would. */
function curated(err: unknown, ctx: ToolContext, uri: string): never {
  const e = toDeskError(err);
  ctx.logger.info({ audit: true, actor: ctx.actor, resource: uri, outcome: 'error', code: e.code }, 'mcp resource read');
  const first = toolError(e).content[0];
  const text = first && first.type === 'text' ? first.text : e.code;
  throw new McpError(e.code === 'NOT_FOUND' ? -32002 : ErrorCode.InvalidParams, text);
}

/** Registers `signal://{id}`, `positions://open` and `events://recent`; never throws. */
export function registerResources(ctx: ToolContext, events: RecentEvents): void {
  const { server, desk, actor } = ctx;
  const audit = (uri: string) => ctx.logger.info({ audit: true, actor, resource: uri, outcome: 'ok' }, 'mcp resource read');

  server.registerResource(
    'signal',
    new ResourceTemplate('signal://{id}', {
      list: async () => {
        const { signals } = await desk.listSignals(actor, { status: 'live', limit: 50 });
        return {
          resources: signals.map((s) => ({
            uri: `signal://${s.id}`,
            name: `${s.symbol} ${s.side} ${s.interval} (${s.score.toFixed(1)})`,
            mimeType: JSON_MIME,
          })),
        };
      },
    }),
    { title: 'Signal', description: 'One trade signal by id, with its score breakdown and levels (JSON).', mimeType: JSON_MIME },
    async (uri, vars) => {
      const id = Array.isArray(vars.id) ? vars.id[0] : vars.id;
      try {
        const r = await desk.getSignal(actor, { id: decodeURIComponent(String(id ?? '')) });
        audit(uri.href);
        return json(uri.href, r.signal);
      } catch (e) {
        curated(e, ctx, uri.href);
      }
    },
  );

  server.registerResource(
    'open-positions',
    'positions://open',
    { title: 'Open positions', description: "The desk's open positions with unrealized PnL (JSON).", mimeType: JSON_MIME },
    async (uri) => {
      try {
        const r = await desk.listPositions(actor, { status: 'open', limit: 200 });
        audit(uri.href);
        return json(uri.href, r.positions);
      } catch (e) {
        curated(e, ctx, uri.href);
      }
    },
  );

  server.registerResource(
    'recent-events',
    'events://recent',
    {
      title: 'Recent desk events',
      description: 'The newest desk events (signals, orders, fills, closes, risk trips), newest first (JSON).',
      mimeType: JSON_MIME,
    },
    async (uri) => {
      audit(uri.href);
      return json(uri.href, events.recent(100));
    },
  );
}
