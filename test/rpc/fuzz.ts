import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import { RPC_ERROR_TABLE, SPEC_ERRORS } from '../../rpc/error-codes.ts';
import { RPC_METHODS } from '../../rpc/methods.ts';

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALLOWED_CODES = new Set<number>([...Object.values(SPEC_ERRORS), ...Object.values(RPC_ERROR_TABLE).map((r) => r.code)]);
const METHOD_NAMES = [...RPC_METHODS.map((m) => m.name), 'rpc.discover', 'nope', 'rpc.x', '', 'desk.status '];
const KEYS = ['id', 'signalId', 'riskPct', 'symbol', 'interval', 'status', 'limit', 'positionId', 'fraction', 'period', 'on', 'reason', 'language',
  'alerts', 'subscriptions', 'topics', 'token', '__proto__', 'constructor', 'toString', 'x'];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

function randomString(rng: Rng): string {
  const kind = int(rng, 6);
  if (kind === 0) return '';
  if (kind === 1) return pick(rng, ['BTCUSDT', 'ethusdt', 'sig-1', '60', 'D', 'live', 'all', 'day', 'signal.created', 'ru', 'full']);
  if (kind === 2) return 'x'.repeat(int(rng, 300));
  if (kind === 3) return String.fromCharCode(...Array.from({ length: int(rng, 20) }, () => int(rng, 0xffff)));
  if (kind === 4) return '\u0000\ud800"\\/\n';
  return Math.floor(rng() * 1e9).toString(36);
}

function randomValue(rng: Rng, depth = 0): unknown {
  const kind = int(rng, depth > 3 ? 6 : 9);
  switch (kind) {
    case 0: return null;
    case 1: return rng() < 0.5;
    case 2: return pick(rng, [0, -1, 1, 0.5, 5, 5.0001, 1e308, -1e308, 2 ** 53 + 1, 200, 201, 1e-9]);
    case 3: return int(rng, 1000) - 500;
    case 4:
    case 5: return randomString(rng);
    case 6: return Array.from({ length: int(rng, 5) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(rng, 5); i > 0; i--) o[pick(rng, KEYS)] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

function randomRequest(rng: Rng): Record<string, unknown> {
  const r: Record<string, unknown> = { jsonrpc: '2.0', method: pick(rng, METHOD_NAMES) };
  const idKind = int(rng, 6);
  if (idKind === 0) r.id = int(rng, 1e6);
  else if (idKind === 1) r.id = randomString(rng);
  else if (idKind === 2) r.id = null;
  else if (idKind === 3) r.id = -int(rng, 100) - 0.25;
  else if (idKind === 4) r.id = int(rng, 100);
  // idKind 5: notification
  const pKind = int(rng, 5);
  if (pKind === 1) r.params = {};
  else if (pKind === 2 || pKind === 3) r.params = randomValue(rng, 3) ?? {};
  else if (pKind === 4) {
    const o: Record<string, unknown> = {};
    for (let i = int(rng, 4); i > 0; i--) o[pick(rng, KEYS)] = randomValue(rng, 2);
    r.params = o;
  }
  return r;
}

function mutate(rng: Rng, r: Record<string, unknown>): unknown {
  const m = int(rng, 8);
  const c: Record<string, unknown> = { ...r };
  if (m === 0) c.jsonrpc = pick(rng, ['1.0', 2, null, '2.0 ', undefined]);
  else if (m === 1) c.method = randomValue(rng, 3);
  else if (m === 2) c.id = pick(rng, [{}, [], true, [1], { a: 1 }]);
  else if (m === 3) c.params = pick(rng, ['s', 1, true, null]);
  else if (m === 4) c.result = randomValue(rng, 3);
  else if (m === 5) c.error = { code: 0, message: 'x' };
  else if (m === 6) delete c.method;
  else return randomValue(rng);
  return c;
}

/** One random message body as text (or bytes): valid, mutated, batched, truncated, garbage; never above ~150 KB. */
export function randomBody(rng: Rng): string | Buffer {
  const kind = int(rng, 20);
  if (kind < 6) return JSON.stringify(randomRequest(rng));
  if (kind < 10) return JSON.stringify(mutate(rng, randomRequest(rng)) ?? null);
  if (kind < 12) {
    const n = pick(rng, [0, 1, 2, 5, 20, 50, 51, 60]);
    return JSON.stringify(Array.from({ length: n }, () => (rng() < 0.7 ? randomRequest(rng) : mutate(rng, randomRequest(rng)))));
  }
  if (kind < 14) {
    const text = JSON.stringify(rng() < 0.5 ? randomRequest(rng) : [randomRequest(rng), randomRequest(rng)]);
    const cut = int(rng, text.length);
    return rng() < 0.5 ? text.slice(0, cut) : text.slice(0, cut) + pick(rng, ['"', '}', ']', ',', '\\', '\u0000', 'NaN']) + text.slice(cut + 1);
  }
  if (kind === 14) return JSON.stringify(randomValue(rng));
  if (kind === 15) {
    const d = 1 + int(rng, 5000);
    return '['.repeat(d) + ']'.repeat(rng() < 0.5 ? d : int(rng, d));
  }
  if (kind === 16) return Buffer.from(Array.from({ length: int(rng, 400) }, () => int(rng, 256)));
  if (kind === 17) return pick(rng, ['', ' ', 'null', 'true', '1', '"x"', '{}', '[]', '[[]]', '[{}]', '{"jsonrpc":"2.0"}', '\ufeff{}']);
  if (kind === 18) return `{"jsonrpc":"2.0","method":"desk.status","id":${pick(rng, ['1e400', '-0', '1.0', '01', '0x1', '"\\ud800"'])}}`;
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'settings.set', params: { subscriptions: Array.from({ length: 150 }, () => 'y'.repeat(900)) } });
}

const isId = (v: unknown): boolean => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

function checkResponse(r: unknown): string | null {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'response is not an object';
  const o = r as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if (!Object.hasOwn(o, 'id') || !isId(o.id)) return 'bad id';
  for (const k of Object.keys(o)) if (!['jsonrpc', 'id', 'result', 'error'].includes(k)) return `extra member ${k}`;
  const hasResult = Object.hasOwn(o, 'result');
  const hasError = Object.hasOwn(o, 'error');
  if (hasResult === hasError) return 'needs exactly one of result and error';
  if (hasError) {
    const e = o.error as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) return 'error is not an object';
    if (!Number.isInteger(e.code) || e.code === 0) return `bad error code ${String(e.code)}`;
    if (!ALLOWED_CODES.has(e.code as number)) return `unlisted error code ${String(e.code)}`;
    if (typeof e.message !== 'string') return 'error.message is not a string';
    if (/\bat .*:\d+:\d+/.test(JSON.stringify(e))) return 'stack trace in error';
  }
  return null;
}

/** Checks one reply text against JSON-RPC 2.0 (response, or non-empty array of them); returns the problem or null. */
export function checkReply(text: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'reply is not JSON';
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return 'empty batch reply';
    for (const r of v) {
      const p = checkResponse(r);
      if (p) return p;
    }
    return null;
  }
  return checkResponse(v);
}

/** What the server owes a single well-formed request: the id a reply must carry, or undefined when none is owed. */
function owedId(body: string | Buffer): string | number | null | undefined {
  if (typeof body !== 'string') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o.jsonrpc !== '2.0' || typeof o.method !== 'string' || !Object.hasOwn(o, 'id') || !isId(o.id)) return undefined;
  if (Object.hasOwn(o, 'result') || Object.hasOwn(o, 'error')) return undefined;
  if (Object.hasOwn(o, 'params') && (typeof o.params !== 'object' || o.params === null)) return undefined;
  return o.id as string | number | null;
}

/** Totals of a fuzz run. */
export interface FuzzStats {
  sent: number;
  replies: number;
  empty: number;
  problems: string[];
}

/** POSTs `n` seeded random bodies to /rpc over `connections` keep-alive sockets and checks every reply. */
export async function fuzzHttp(port: number, token: string, n: number, seed: number, connections = 4): Promise<FuzzStats> {
  const rng = mulberry32(seed);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const stats: FuzzStats = { sent: 0, replies: 0, empty: 0, problems: [] };
  const one = (body: string | Buffer): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/rpc', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const owed = owedId(body);
            if (res.statusCode === 204) {
              stats.empty++;
              if (owed !== undefined) stats.problems.push(`no reply owed id ${JSON.stringify(owed)}`);
            } else if (res.statusCode === 200) {
              stats.replies++;
              const p = checkReply(text);
              if (p) stats.problems.push(`${p}: ${text.slice(0, 200)}`);
              else if (owed !== undefined && (JSON.parse(text) as { id: unknown }).id !== owed) {
                const got = JSON.parse(text) as { id: unknown; error?: { code: number } };
                if (!(got.id === null && got.error?.code === -32600)) stats.problems.push(`reply id ${JSON.stringify(got.id)} != ${JSON.stringify(owed)}`);
              }
            } else stats.problems.push(`HTTP ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        stats.problems.push(`socket error ${e.message}`);
        resolve();
      });
      req.end(body);
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      stats.sent++;
      await one(randomBody(rng));
    }
  };
  await Promise.all(Array.from({ length: connections * 2 }, worker));
  agent.destroy();
  return stats;
}

/**
 * Sends `n` seeded random frames over one WebSocket and checks every message the server sends back.
 * A failed `auth` call legitimately closes the socket (1008): the run reconnects and counts it; any
 * other close ends the run with `closed` set.
 */
export async function fuzzWs(port: number, token: string, n: number, seed: number): Promise<FuzzStats & { closed: boolean; reconnects: number }> {
  const rng = mulberry32(seed);
  const stats = { sent: 0, replies: 0, empty: 0, problems: [] as string[], closed: false, reconnects: 0 };
  let waiting: { id: string; resolve: () => void } | null = null;
  let ws: WebSocket;
  let authClose = false;
  const open = async (): Promise<void> => {
    ws = new WebSocket(`ws://127.0.0.1:${port}/rpc`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    authClose = false;
    ws.on('message', (d: Buffer) => {
      const text = d.toString('utf8');
      stats.replies++;
      const p = checkReply(text);
      if (p) {
        const v = JSON.parse(text) as { method?: string };
        if (v.method !== 'event') stats.problems.push(`${p}: ${text.slice(0, 200)}`);
      }
      if (waiting && text.includes(`"${waiting.id}"`)) {
        const w = waiting;
        waiting = null;
        w.resolve();
      }
    });
    ws.on('close', (code: number) => {
      if (code === 1008) authClose = true;
      else stats.closed = true;
      waiting?.resolve();
    });
  };
  await open();
  const sentinel = (k: number): Promise<void> =>
    new Promise((resolve) => {
      const id = `sentinel-${k}`;
      waiting = { id, resolve };
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'desk.status' }));
    });
  const reopenIfAuthClosed = async (): Promise<void> => {
    if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
      await new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.once('close', () => r())));
    }
    if (authClose) {
      stats.reconnects++;
      await open();
    }
  };
  for (let i = 0; i < n && !stats.closed; i++) {
    if (ws!.readyState !== WebSocket.OPEN) await reopenIfAuthClosed();
    if (stats.closed) break;
    ws!.send(randomBody(rng));
    stats.sent++;
    if (i % 100 === 99) {
      await sentinel(i);
      await reopenIfAuthClosed();
    }
  }
  if (!stats.closed) {
    await reopenIfAuthClosed();
    await sentinel(n);
  }
  const closed = stats.closed;
  ws!.terminate();
  return { ...stats, closed };
}
