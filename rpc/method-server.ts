import { JSONRPCServer, type JSONRPCErrorResponse, type JSONRPCID } from 'json-rpc-2.0';
import { z } from 'zod';
import { type DeskApi, DeskError, isDeskError, type DeskLogger, type DeskMetrics, type Actor } from '../engine/index.ts';
import { SPEC_ERRORS, toRpcError } from './error-codes.ts';
import { safeErr } from './http-body.ts';
import { RPC_METHODS, parseParams } from './methods.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Server params of every call: the authenticated actor (null on a WebSocket that has not authenticated yet). */
export interface RpcContext {
  actor: Actor | null;
}

/** What every method server needs: the desk, logging, metrics, the per-token limiter and the OpenRPC document. */
export interface MethodServerDeps {
  desk: DeskApi;
  logger: DeskLogger;
  metrics: DeskMetrics;
  limiter: RateLimiter;
  discover: () => Record<string, unknown>;
}

const EmptyParams = z.object({});

const outcomeOfCode = (code: number, dataCode: unknown): string => {
  if (typeof dataCode === 'string') return dataCode;
  if (code === SPEC_ERRORS.METHOD_NOT_FOUND) return 'METHOD_NOT_FOUND';
  return 'INTERNAL';
};

/**
 * Creates a json-rpc-2.0 JSONRPCServer with every Desk method (not the WebSocket-only ones) and
 * `rpc.discover`. A middleware refuses unauthenticated calls (except `auth`) with UNAUTHENTICATED,
 * applies the per-token rate limit (RATE_LIMITED with `retryAfterMs`) and counts each call in
 * `desk_frontend_requests_total`; thrown errors become spec-exact error responses via toRpcError
 * (never code 0, never a thrown message). Never throws.
 */
export function createMethodServer(deps: MethodServerDeps): JSONRPCServer<RpcContext> {
  const log = deps.logger;
  const server = new JSONRPCServer<RpcContext>({
    errorListener: (message, data) => {
      if (isDeskError(data) && data.code !== 'INTERNAL') log.debug({ code: data.code }, 'rpc call refused');
      else log.error({ err: safeErr(data) }, message);
    },
  });
  server.mapErrorToJSONRPCErrorResponse = (id: JSONRPCID, err: unknown): JSONRPCErrorResponse => ({
    jsonrpc: '2.0',
    id,
    error: toRpcError(err),
  });

  const count = (method: string, outcome: string): void => {
    deps.metrics.frontendRequests.inc({ frontend: 'rpc', method, outcome });
  };

  server.applyMiddleware(async (next, request, ctx) => {
    const label = server.hasMethod(request.method) ? request.method : 'unknown';
    try {
      if (!ctx.actor && request.method !== 'auth') throw new DeskError('UNAUTHENTICATED', {}, 'authentication required');
      if (ctx.actor) {
        const wait = deps.limiter.take(ctx.actor.id);
        if (wait > 0) throw new DeskError('RATE_LIMITED', { retryAfterMs: wait }, 'rate limited');
      }
      const res = await next(request, ctx);
      count(label, res?.error ? outcomeOfCode(res.error.code, (res.error.data as { code?: unknown } | undefined)?.code) : 'ok');
      return res;
    } catch (err) {
      count(label, isDeskError(err) ? err.code : 'INTERNAL');
      throw err;
    }
  });

  for (const m of RPC_METHODS) {
    const call = m.call;
    if (m.wsOnly || !call) continue;
    server.addMethod(m.name, async (params: unknown, ctx: RpcContext) => {
      const input = parseParams(m.params, params);
      return call(deps.desk, ctx.actor as Actor, input);
    });
  }
  server.addMethod('rpc.discover', async (params: unknown) => {
    parseParams(EmptyParams, params);
    return deps.discover();
  });
  return server;
}
