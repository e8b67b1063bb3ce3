import type { JSONRPCID, JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';
import { SPEC_ERRORS, toRpcError } from './error-codes.ts';

/** Most calls one batch may hold; a larger batch is answered with one -32600 error. */
export const MAX_BATCH = 50;

/** A reply to send back: one response, a batch of them, or nothing (notifications only). */
export type WireReply = JSONRPCResponse | JSONRPCResponse[] | null;

/** Runs one well-formed request; resolves with its response, or null for a notification. */
export type CallOne = (request: JSONRPCRequest) => PromiseLike<JSONRPCResponse | null>;

/** Optional handling of response-shaped messages (a WebSocket peer answering our requests). */
export type OnResponse = (response: JSONRPCResponse) => void;

const errorResponse = (id: JSONRPCID, code: number, message: string, data?: unknown): JSONRPCResponse =>
  data === undefined ? { jsonrpc: '2.0', id, error: { code, message } } : { jsonrpc: '2.0', id, error: { code, message, data } };

const isId = (v: unknown): v is JSONRPCID => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Classified =
  | { kind: 'request'; request: JSONRPCRequest }
  | { kind: 'invalid'; response: JSONRPCResponse }
  | { kind: 'response'; response: JSONRPCResponse };

function classify(v: unknown, acceptResponses: boolean): Classified {
  const invalid = (id: JSONRPCID, reason: string): Classified => ({
    kind: 'invalid',
    response: errorResponse(id, SPEC_ERRORS.INVALID_REQUEST, 'Invalid Request', { reason }),
  });
  if (!isPlainObject(v)) return invalid(null, 'a request must be a JSON object');
  const hasId = Object.hasOwn(v, 'id');
  const id = hasId && isId(v.id) ? v.id : null;
  if (v.jsonrpc !== '2.0') return invalid(id, 'jsonrpc must be "2.0"');
  if (hasId && !isId(v.id)) return invalid(null, 'id must be a string, a number or null');
  if (!Object.hasOwn(v, 'method')) {
    if (acceptResponses && hasId && (Object.hasOwn(v, 'result') || isPlainObject(v.error))) {
      return { kind: 'response', response: v as unknown as JSONRPCResponse };
    }
    return invalid(id, 'method is required');
  }
  if (typeof v.method !== 'string') return invalid(id, 'method must be a string');
  if (Object.hasOwn(v, 'result') || Object.hasOwn(v, 'error')) return invalid(id, 'a request has no result or error');
  if (Object.hasOwn(v, 'params') && (typeof v.params !== 'object' || v.params === null)) {
    return invalid(id, 'params must be an object or an array');
  }
  const request: JSONRPCRequest = { jsonrpc: '2.0', method: v.method };
  if (Object.hasOwn(v, 'params')) request.params = v.params;
  if (hasId) request.id = v.id as JSONRPCID;
  return { kind: 'request', request };
}

async function runOne(request: JSONRPCRequest, call: CallOne): Promise<JSONRPCResponse | null> {
  try {
    const res = await call(request);
    if (request.id === undefined) return null;
    return res ?? errorResponse(request.id, SPEC_ERRORS.INTERNAL_ERROR, 'Internal error');
  } catch (err) {
    if (request.id === undefined) return null;
    const e = toRpcError(err);
    return errorResponse(request.id, e.code, e.message, e.data);
  }
}

/** Parses a message's text; `undefined` means it is not valid JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Answers one JSON-RPC 2.0 message exactly as the spec says, delegating each well-formed request to
 * `call`: -32700 with id null for bad JSON, -32600 for malformed requests (id kept when readable),
 * one -32600 for an empty or over-long batch, a batch reply always an array, nothing for
 * notifications. Response-shaped messages go to `onResponse` when given (WebSocket peers), else are
 * invalid. A `call` that throws becomes that request's error response. Never rejects.
 */
export async function answer(payload: string, call: CallOne, onResponse?: OnResponse): Promise<WireReply> {
  const msg = parseJson(payload);
  if (msg === undefined) return errorResponse(null, SPEC_ERRORS.PARSE_ERROR, 'Parse error');
  // One message of a batch or a lone one: its error, nothing (a response handed on), or its call's reply.
  const one = (item: unknown): Promise<JSONRPCResponse | null> | JSONRPCResponse | null => {
    const c = classify(item, onResponse !== undefined);
    if (c.kind === 'invalid') return c.response;
    if (c.kind === 'response') {
      onResponse?.(c.response);
      return null;
    }
    return runOne(c.request, call);
  };
  if (!Array.isArray(msg)) return one(msg);
  if (msg.length === 0) return errorResponse(null, SPEC_ERRORS.INVALID_REQUEST, 'Invalid Request', { reason: 'empty batch' });
  if (msg.length > MAX_BATCH) {
    return errorResponse(null, SPEC_ERRORS.INVALID_REQUEST, 'Invalid Request', { reason: `batch larger than ${MAX_BATCH}` });
  }
  const replies = await Promise.all(msg.map(one));
  const out = replies.filter((r): r is JSONRPCResponse => r !== null);
  return out.length === 0 ? null : out;
}
