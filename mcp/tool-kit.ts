import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { DeskError, toDeskError, type Actor, type Clock, type DeskApi, type DeskLogger, type DeskMetrics } from '../engine/index.ts';
import type { AgentCaps } from './agent-caps.ts';
import type { ConfirmTokens } from './confirm-tokens.ts';
import type { ToolExtra } from './confirmation.ts';
import { toolError, toolOk } from './tool-result.ts';

/** Everything a tool needs: the desk, who is calling, the agent guard's state, audit sinks. */
export interface ToolContext {
  server: McpServer;
  desk: DeskApi;
  actor: Actor;
  caps: AgentCaps;
  tokens: ConfirmTokens;
  clock: Clock;
  logger: DeskLogger;
  metrics?: DeskMetrics;
}

/** What a tool's run function may return: the structured value and an optional one-line summary. */
export interface ToolValue<O> {
  value: O;
  summary?: string;
  /** Audit outcome when it is not plain "ok" (e.g. confirmation_required, declined). */
  outcome?: string;
}

/** The definition of one tool: its wire name, texts, schemas, honest annotations and body. */
export interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run: (args: z.output<I>, extra: ToolExtra) => Promise<ToolValue<z.input<O>>>;
}

/**
 * Registers `spec` on the context's server: the SDK validates input against `spec.input`; the body's
 * value is validated against `spec.output` (a mismatch becomes a curated INTERNAL error, logged); any
 * throw becomes a curated `isError` result without structuredContent; every call is audited (actor,
 * tool, outcome, ms). Never lets an exception reach the SDK.
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(ctx: ToolContext, spec: ToolSpec<I, O>): void {
  const log = ctx.logger;
  const audit = (outcome: string, startedAt: number, code?: string): void => {
    const ms = Math.round((performance.now() - startedAt) * 100) / 100;
    log.info({ audit: true, actor: ctx.actor, tool: spec.name, outcome, code, ms }, 'mcp tool call');
    ctx.desk.audit(ctx.actor, `mcp.${spec.name}`, code ? `${outcome}:${code}` : outcome, { ms });
    ctx.metrics?.frontendRequests.inc({ frontend: 'mcp', method: spec.name, outcome });
  };
  const handler = async (args: z.output<I>, extra: ToolExtra) => {
    const t0 = performance.now();
    try {
      const r = await spec.run(args, extra);
      const parsed = spec.output.safeParse(r.value);
      if (!parsed.success) {
        log.error({ tool: spec.name, issue: parsed.error.issues[0]?.path.join('.') }, 'mcp tool output failed its schema');
        throw new DeskError('INTERNAL', {}, 'output schema mismatch');
      }
      audit(r.outcome ?? 'ok', t0);
      return toolOk(parsed.data as Record<string, unknown>, r.summary);
    } catch (err) {
      const e = toDeskError(err);
      if (e.code === 'INTERNAL' && !(err instanceof DeskError)) {
        log.error({ tool: spec.name, errName: err instanceof Error ? err.name : typeof err }, 'mcp tool failed unexpectedly');
      }
      audit('error', t0, e.code);
      return toolError(e);
    }
  };
  ctx.server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { title: spec.title, ...spec.annotations },
    },
    handler as never,
  );
}

/** Annotations of a read-only tool that only talks to the desk. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
