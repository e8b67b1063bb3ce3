import type { JSONRPCID, JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';
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

/** One method: named params in, result out (a value or a promise); throwing a DeskError refuses the call. */
export type RpcMethod = (params: unknown, ctx: RpcContext) => unknown;

/** A JSON-RPC method table with the desk's guards in front of every call. */
export interface MethodServer {
  /** True when `name` is served. */
  hasMethod(name: string): boolean;
  /** Adds (or replaces) one method of this server only. */
  addMethod(name: string, method: RpcMethod): void;
  /**
   * Runs one well-formed request through auth, rate limit and the method; resolves with its response
   * (null for a notification). Never rejects: every failure is a spec-exact error response.
   */
  receive(request: JSONRPCRequest, ctx: RpcContext): Promise<JSONRPCResponse | null>;
}

const EmptyParams = z.object({});
const UNAUTHENTICATED_MSG = 'authentication required';

// The Desk methods and rpc.discover, built once per deps and shared by every server made from them
// (one per WebSocket), so a new socket copies a small map instead of rebuilding closures.
const baseTables = new WeakMap<MethodServerDeps, ReadonlyMap<string, RpcMethod>>();

function baseTable(deps: MethodServerDeps): ReadonlyMap<string, RpcMethod> {
  let table = baseTables.get(deps);
  if (table) return table;
  const map = new Map<string, RpcMethod>();
  for (const m of RPC_METHODS) {
    const call = m.call;
    if (m.wsOnly || !call) continue;
    const schema = m.params;
    map.set(m.name, (params, ctx) => call(deps.desk, ctx.actor as Actor, parseParams(schema, params)));
  }
  map.set('rpc.discover', (params) => {
    parseParams(EmptyParams, params);
    return deps.discover();
  });
  table = map;
  baseTables.set(deps, table);
  return table;
}

/**
 * Creates a method server with every Desk method (not the WebSocket-only ones) and `rpc.discover`.
 * Every call is refused with UNAUTHENTICATED without an actor (except `auth`), then charged to the
 * per-token rate limit (RATE_LIMITED with `retryAfterMs`), then dispatched (-32601 for an unknown
 * method); each is counted in `desk_frontend_requests_total`. Thrown errors become spec-exact error
 * responses via toRpcError (never code 0, never a thrown message). Never throws.
 */
export function createMethodServer(deps: MethodServerDeps): MethodServer {
  const log = deps.logger;
  const methods = new Map<string, RpcMethod>(baseTable(deps));
  // Label objects per (method, outcome), reused so a call allocates none; both sets are bounded
  // (served method names plus 'unknown'; DeskError codes plus 'ok', 'METHOD_NOT_FOUND', 'INTERNAL').
  const labels = new Map<string, Map<string, { frontend: 'rpc'; method: string; outcome: string }>>();
  const count = (method: string, outcome: string): void => {
    let byOutcome = labels.get(method);
    if (!byOutcome) labels.set(method, (byOutcome = new Map()));
    let l = byOutcome.get(outcome);
    if (!l) byOutcome.set(outcome, (l = { frontend: 'rpc', method, outcome }));
    deps.metrics.frontendRequests.inc(l);
  };
  const failed = (request: JSONRPCRequest, label: string, err: unknown): JSONRPCResponse | null => {
    const deskErr = isDeskError(err);
    count(label, deskErr ? err.code : 'INTERNAL');
    if (deskErr && err.code !== 'INTERNAL') log.debug({ code: err.code }, 'rpc call refused');
    else log.error({ err: safeErr(err), method: label }, 'rpc method failed');
    return request.id === undefined ? null : { jsonrpc: '2.0', id: request.id, error: toRpcError(err) };
  };

  return {
    hasMethod: (name) => methods.has(name),
    addMethod(name, method) {
      methods.set(name, method);
    },
    async receive(request, ctx) {
      const method = methods.get(request.method);
      const label = method ? request.method : 'unknown';
      try {
        const actor = ctx.actor;
        if (!actor) {
          if (request.method !== 'auth') throw new DeskError('UNAUTHENTICATED', {}, UNAUTHENTICATED_MSG);
        } else {
          const wait = deps.limiter.take(actor.id);
          if (wait > 0) throw new DeskError('RATE_LIMITED', { retryAfterMs: wait }, 'rate limited');
        }
        if (!method) {
          count(label, 'METHOD_NOT_FOUND');
          const id: JSONRPCID | undefined = request.id;
          return id === undefined ? null : { jsonrpc: '2.0', id, error: { code: SPEC_ERRORS.METHOD_NOT_FOUND, message: 'Method not found' } };
        }
        const result: unknown = await method(request.params, ctx);
        count(label, 'ok');
        return request.id === undefined ? null : { jsonrpc: '2.0', id: request.id, result: result ?? null };
      } catch (err) {
        return failed(request, label, err);
      }
    },
  };
}
