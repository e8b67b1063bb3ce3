import type { IncomingMessage, ServerResponse } from 'node:http';
import { BybitError, envelope, type RateCounter } from './envelope.ts';
import type { FaultPlan, LoggedRequest } from './faults.ts';
import { verifyRest } from './signing.ts';

type Params = Record<string, unknown>;

/** One REST route: public or signed, and its handler (throws BybitError for business failures). */
export interface Route {
  auth: boolean;
  handle: (params: Params) => unknown;
  /** The envelope's `time` for this route (market data answers at the symbol's market time); default server time. */
  time?: (params: Params) => number;
}

/** What the REST dispatcher needs from the fake. */
export interface RestDeps {
  routes: Map<string, Route>;
  faults: FaultPlan;
  log: LoggedRequest[];
  apiKey: string;
  apiSecret: string;
  /** Server clock (wall clock plus any configured skew). */
  serverNow: () => number;
  recvWindowOverride?: number;
  enforceRateLimit: boolean;
  /** Rolling per-key, per-path request counter behind the X-Bapi-Limit* headers. */
  rate: RateCounter;
  /** Responses deliberately left unanswered (closed with the fake). */
  hanging: Set<ServerResponse>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Handles one HTTP request like Bybit V5: routes by METHOD + path, verifies signed calls, applies
 * fault injection, latency and swallowed replies, and answers the JSON envelope (HTTP 200 for every
 * retCode; 404 for unknown routes) with X-Bapi-Limit* headers. Never throws (errors become retCode 10016).
 */
export async function handleRest(deps: RestDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const raw = await readBody(req).catch(() => '');
  const route = deps.routes.get(`${method} ${path}`);
  const query = url.search.startsWith('?') ? url.search.slice(1) : '';
  let params: Params = {};
  let badJson = false;
  if (method === 'GET') params = Object.fromEntries(url.searchParams.entries());
  else if (raw.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) params = parsed as Params;
      else badJson = true;
    } catch {
      badJson = true;
    }
  }
  const signed = header(req, 'X-BAPI-API-KEY') !== undefined || header(req, 'X-BAPI-SIGN') !== undefined;
  const entry: LoggedRequest = { method, path, params, signed, signatureValid: null, retCode: null, at: Date.now() };
  deps.log.push(entry);

  const now = deps.serverNow();
  const limit = deps.rate.hit(header(req, 'X-BAPI-API-KEY') ?? req.socket.remoteAddress ?? 'anon', path, now);

  const send = (status: number, body: unknown, retCode: number) => {
    entry.retCode = retCode;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'X-Bapi-Limit': String(limit.limit),
      'X-Bapi-Limit-Status': String(limit.remaining),
      'X-Bapi-Limit-Reset-Timestamp': String(limit.resetAt),
    });
    res.end(text);
  };

  const latency = deps.faults.latencyFor(path);
  if (latency > 0) await sleep(latency);

  if (!route) {
    send(404, envelope(10017, {}, deps.serverNow()), 10017);
    return;
  }
  if (route.auth) {
    const auth = verifyRest({
      apiKey: header(req, 'X-BAPI-API-KEY'),
      timestamp: header(req, 'X-BAPI-TIMESTAMP'),
      sign: header(req, 'X-BAPI-SIGN'),
      recvWindow: header(req, 'X-BAPI-RECV-WINDOW'),
      payload: method === 'GET' ? query : raw,
      serverTime: deps.serverNow(),
      expectedKey: deps.apiKey,
      secret: deps.apiSecret,
      recvWindowOverride: deps.recvWindowOverride,
    });
    entry.signatureValid = auth.ok;
    if (!auth.ok) {
      send(200, envelope(auth.retCode, {}, deps.serverNow(), auth.retMsg), auth.retCode);
      return;
    }
  }
  if (badJson) {
    send(200, envelope(10001, {}, deps.serverNow(), 'params error: body is not a JSON object'), 10001);
    return;
  }
  if (deps.enforceRateLimit && limit.exceeded) {
    send(200, envelope(10006, {}, deps.serverNow()), 10006);
    return;
  }
  const injected = deps.faults.takeInjection(path);
  if (injected) {
    send(200, envelope(injected.retCode, {}, deps.serverNow(), injected.retMsg), injected.retCode);
    return;
  }
  const swallow = deps.faults.takeTimeout(path);
  let body: unknown;
  let code = 0;
  try {
    body = envelope(0, route.handle(params), route.time?.(params) ?? deps.serverNow());
  } catch (e) {
    code = e instanceof BybitError ? e.retCode : 10016;
    const msg = e instanceof BybitError ? e.message : `Server error: ${e instanceof Error ? e.message : String(e)}`;
    body = envelope(code, {}, deps.serverNow(), msg);
  }
  if (swallow) {
    entry.retCode = null;
    deps.hanging.add(res);
    return;
  }
  send(200, body, code);
}
