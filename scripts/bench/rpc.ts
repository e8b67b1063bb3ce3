// JSON-RPC benchmark: desk.status against a real desk (in-memory SQLite, replay of the bundled real
// klines, paper broker) through the desk's own HTTP server + RPC handler, over WebSocket and HTTP POST,
// each against a reference measured in the same run: a raw `ws` echo server and a bare node:http handler.
// Load comes from a worker thread (so client and server do not share one event loop):
//   throughput — 100 connections, closed loop (one call in flight per connection), rounds alternating
//                subject and reference, median of the rounds; ratio = rpc / reference (target ≥ 0.5);
//   latency    — 100 connections, open loop at a fixed total rate, p50/p99; reference = 5 ms target.
// Per call, the server's event-loop busy time (wall clock: on a loaded machine it includes time the
// thread sat preempted) and, on Linux, the server thread's own CPU time (schedstat: what a call costs
// with a core to itself, whatever the load).
// Run: `npx tsx scripts/bench/rpc.ts` → JSON lines {name, value, unit, reference, ratio}.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { ManualClock, silentLogger, testConfig } from '../../engine/index.ts';
import { createHttpServer, createRpcHandler } from '../../rpc/index.ts';
import { composeDesk } from '../compose.ts';
import { median, type BenchLine } from './bench-line.ts';

const CONNECTIONS = 100;
const ROUNDS = 5;
const ROUND_MS = 1_000;
const WARM_MS = 500;
const LATENCY_RATE = 2_000; // calls per second in total, spread over the 100 connections
const LATENCY_MS = 3_000;
const P99_TARGET_MS = 5;
const BODY = '{"jsonrpc":"2.0","id":1,"method":"desk.status"}';

/** What the load worker reports for one run. */
export interface LoadResult {
  /** Calls answered inside the measured window. */
  calls: number;
  /** Calls answered during the whole run (warm-up included). */
  total: number;
  /** Main-thread (server) event-loop busy time over the whole run, ms. */
  serverBusyMs: number;
  /** Main-thread (server) CPU time over the whole run, ms (NaN where /proc schedstat is missing). */
  serverCpuMs: number;
  seconds: number;
  latencies: number[];
  errors: number;
}

// Plain JS run in a worker thread: opens the connections and drives the load.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const http = require('node:http');
const WebSocket = createRequire(workerData.base)('ws');
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function openAll(w) {
  return Promise.all(w.tokens.map((t) => new Promise((resolve, reject) => {
    const ws = new WebSocket(w.url, { headers: t ? { authorization: 'Bearer ' + t } : {}, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
}
function body(id) { return '{"jsonrpc":"2.0","id":' + id + ',"method":"desk.status"}'; }
function okReply(text) { return text.indexOf('"error"') === -1; }
async function wsRun(w) {
  const sockets = await openAll(w);
  const lat = []; let calls = 0; let total = 0; let errors = 0; let measuring = false; let stop = false;
  const pending = sockets.map(() => new Map());
  sockets.forEach((ws, i) => {
    ws.on('message', (d) => {
      const text = d.toString();
      const m = /"id":(\\d+)/.exec(text);
      const id = m ? Number(m[1]) : -1;
      const t0 = pending[i].get(id);
      if (t0 === undefined) return;
      pending[i].delete(id);
      total++;
      if (measuring) { calls++; lat.push(now() - t0); if (!okReply(text)) errors++; }
      if (w.closed && !stop) send(i);
    });
  });
  let seq = 1;
  function send(i) { const id = seq++; pending[i].set(id, now()); sockets[i].send(body(id)); }
  let timers = [];
  if (w.closed) sockets.forEach((_, i) => send(i));
  else {
    const every = (1000 * sockets.length) / w.rate;
    sockets.forEach((_, i) => timers.push(setTimeout(() => timers.push(setInterval(() => send(i), every)), Math.random() * every)));
  }
  await sleep(w.warmMs); measuring = true; const t0 = now();
  await sleep(w.ms); measuring = false; const seconds = (now() - t0) / 1000; stop = true;
  timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
  await sleep(100);
  sockets.forEach((s) => s.terminate());
  return { calls, total, seconds, latencies: lat, errors };
}
async function httpRun(w) {
  const agents = w.tokens.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const u = new URL(w.url);
  const lat = []; let calls = 0; let total = 0; let errors = 0; let measuring = false; let stop = false;
  function one(i, id) {
    return new Promise((resolve) => {
      const t0 = now();
      const headers = { 'content-type': 'application/json' };
      if (w.tokens[i]) headers.authorization = 'Bearer ' + w.tokens[i];
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: agents[i], headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          total++;
          if (measuring) { calls++; lat.push(now() - t0); if (res.statusCode !== 200 || !okReply(Buffer.concat(chunks).toString())) errors++; }
          resolve();
        });
      });
      req.on('error', () => { errors++; resolve(); });
      req.end(body(id));
    });
  }
  let seq = 1; const loops = []; const timers = [];
  if (w.closed) w.tokens.forEach((_, i) => loops.push((async () => { while (!stop) await one(i, seq++); })()));
  else {
    const every = (1000 * w.tokens.length) / w.rate;
    w.tokens.forEach((_, i) => timers.push(setTimeout(() => timers.push(setInterval(() => { one(i, seq++); }, every)), Math.random() * every)));
  }
  await sleep(w.warmMs); measuring = true; const t0 = now();
  await sleep(w.ms); measuring = false; const seconds = (now() - t0) / 1000; stop = true;
  timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
  await Promise.all(loops); await sleep(100);
  agents.forEach((a) => a.destroy());
  return { calls, total, seconds, latencies: lat, errors };
}
(workerData.kind === 'ws' ? wsRun(workerData) : httpRun(workerData)).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e && e.message) }));
`;

// CPU time the main thread has run, in ns (Linux schedstat); NaN elsewhere.
function mainThreadCpuNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Drives desk.status calls from a worker thread: `closed` = one call in flight per connection,
 * else `rate` calls/s in total; one connection per token ('' = no bearer). Rejects if the worker fails.
 */
export function load(kind: 'ws' | 'http', url: string, tokens: string[], closed: boolean, ms: number, rate = 0): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const base = pathToFileURL(fileURLToPath(new URL('../../package.json', import.meta.url))).href;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = mainThreadCpuNs();
    const w = new Worker(WORKER, { eval: true, workerData: { kind, url, tokens, closed, ms, warmMs: WARM_MS, rate, base } });
    w.once('message', (m: LoadResult & { error?: string }) => {
      const serverBusyMs = performance.eventLoopUtilization(elu0).active;
      const serverCpuMs = (mainThreadCpuNs() - cpu0) / 1e6;
      void w.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve({ ...m, serverBusyMs, serverCpuMs });
    });
    w.once('error', reject);
  });
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? Number.NaN;
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/**
 * Measures desk.status over WebSocket and HTTP POST against a raw ws echo server and a bare node:http
 * handler (same run, same load worker), plus open-loop p50/p99 at a fixed rate. Rejects if the desk
 * cannot start or any call fails.
 */
export async function benchRpc(): Promise<BenchLine[]> {
  const tokens = Array.from({ length: CONNECTIONS }, (_, i) => `bench-secret-${String(i).padStart(4, '0')}-abcdef`);
  const config = testConfig({
    DESK_TOKENS: tokens.map((t, i) => `bench${i}:viewer:${t}`).join(','),
    DESK_WARMUP_BARS: '300',
    RPC_RATE_PER_MIN: '1000000',
  });
  const rt = await composeDesk(config, { clock: new ManualClock(Date.UTC(2026, 10, 2, 9)), logger: silentLogger, autoplay: false });
  await rt.desk.start();
  const http = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger, metrics: rt.metrics, health: async () => ({ ok: true }) });
  const rpc = createRpcHandler({ desk: rt.desk, config, logger: silentLogger, metrics: rt.metrics, clock: rt.clock });
  http.addRoute(rpc.route);
  http.addUpgrade('/rpc', rpc.upgrade);
  // The same handler over a desk whose status() returns a captured snapshot: isolates the transport and
  // protocol cost (auth, rate limit, validation, json-rpc-2.0 dispatch, metrics) from the Desk's own work.
  const snapshot = await rt.desk.status({ kind: 'rpc', id: 'bench0', role: 'viewer' });
  const stubDesk = new Proxy(rt.desk, {
    get: (target, prop) => (prop === 'status' ? async () => snapshot : (Reflect.get(target, prop, target) as unknown)),
  });
  const rpcStub = createRpcHandler({ desk: stubDesk, config, logger: silentLogger, metrics: rt.metrics, clock: rt.clock });
  http.addRoute({ ...rpcStub.route, path: '/rpc-stub' });
  http.addUpgrade('/rpc-stub', rpcStub.upgrade);
  const { port } = await http.listen();

  const echoHttp = createServer({ noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
      res.end(text);
    });
  });
  const echoWsServer = createServer();
  const wss = new WebSocketServer({ server: echoWsServer, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (d: Buffer, binary: boolean) => ws.send(d, { binary })));
  const echoHttpPort = await listen(echoHttp);
  const echoWsPort = await listen(echoWsServer);

  const none = tokens.map(() => '');
  const rpcWs = `ws://127.0.0.1:${port}/rpc`;
  const rpcHttp = `http://127.0.0.1:${port}/rpc`;
  try {
    if (!snapshot.mode) throw new Error('desk.status failed');
    // Each round measures subject and reference back to back (order alternating between rounds), so
    // a noisy neighbour hits both; the reported ratio is the median of the per-round ratios.
    const names = ['wsRpc', 'wsStub', 'wsEcho', 'httpRpc', 'httpStub', 'httpBare'];
    const tp: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const busy: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const ratios: Record<string, number[]> = { ws: [], http: [], wsStub: [], httpStub: [] };
    let errors = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const pairs: ['ws' | 'http', [string, () => Promise<LoadResult>][]][] = [
        [
          'ws',
          [
            ['wsEcho', () => load('ws', `ws://127.0.0.1:${echoWsPort}/`, none, true, ROUND_MS)],
            ['wsRpc', () => load('ws', rpcWs, tokens, true, ROUND_MS)],
            ['wsStub', () => load('ws', `${rpcWs}-stub`, tokens, true, ROUND_MS)],
          ],
        ],
        [
          'http',
          [
            ['httpBare', () => load('http', `http://127.0.0.1:${echoHttpPort}/rpc`, none, true, ROUND_MS)],
            ['httpRpc', () => load('http', rpcHttp, tokens, true, ROUND_MS)],
            ['httpStub', () => load('http', `${rpcHttp}-stub`, tokens, true, ROUND_MS)],
          ],
        ],
      ];
      for (const [kind, runs] of pairs) {
        if (r % 2 === 1) runs.reverse();
        const rate: Record<string, number> = {};
        for (const [name, run] of runs) {
          const res = await run();
          errors += res.errors;
          rate[name] = res.calls / res.seconds;
          tp[name]!.push(rate[name]!);
          busy[name]!.push((res.serverBusyMs * 1000) / Math.max(1, res.total));
          cpu[name]!.push((res.serverCpuMs * 1000) / Math.max(1, res.total));
        }
        if (kind === 'ws') {
          ratios.ws!.push(rate.wsRpc! / rate.wsEcho!);
          ratios.wsStub!.push(rate.wsStub! / rate.wsEcho!);
        } else {
          ratios.http!.push(rate.httpRpc! / rate.httpBare!);
          ratios.httpStub!.push(rate.httpStub! / rate.httpBare!);
        }
      }
    }
    const latWs = await load('ws', rpcWs, tokens, false, LATENCY_MS, LATENCY_RATE);
    const latHttp = await load('http', rpcHttp, tokens, false, LATENCY_MS, LATENCY_RATE);
    errors += latWs.errors + latHttp.errors;
    if (errors > 0) throw new Error(`${errors} calls failed during the benchmark`);
    const m = (k: string): number => median(tp[k]!);
    const us = (k: string): number => round(median(busy[k]!));
    const cpuUs = (k: string): number => round(median(cpu[k]!));
    const ratio = (a: number, b: number): number => round(a / b);
    return [
      { name: 'rpc.ws.desk_status.throughput', value: Math.round(m('wsRpc')), unit: 'calls/s', reference: Math.round(m('wsEcho')), ratio: round(median(ratios.ws!)) },
      { name: 'rpc.http.desk_status.throughput', value: Math.round(m('httpRpc')), unit: 'calls/s', reference: Math.round(m('httpBare')), ratio: round(median(ratios.http!)) },
      { name: 'rpc.ws.protocol_only.throughput', value: Math.round(m('wsStub')), unit: 'calls/s', reference: Math.round(m('wsEcho')), ratio: round(median(ratios.wsStub!)) },
      { name: 'rpc.http.protocol_only.throughput', value: Math.round(m('httpStub')), unit: 'calls/s', reference: Math.round(m('httpBare')), ratio: round(median(ratios.httpStub!)) },
      { name: 'rpc.ws.desk_status.server_busy_per_call', value: us('wsRpc'), unit: 'us', reference: us('wsEcho'), ratio: ratio(us('wsRpc'), us('wsEcho')) },
      { name: 'rpc.http.desk_status.server_busy_per_call', value: us('httpRpc'), unit: 'us', reference: us('httpBare'), ratio: ratio(us('httpRpc'), us('httpBare')) },
      { name: 'rpc.ws.protocol_only.server_busy_per_call', value: us('wsStub'), unit: 'us', reference: us('wsEcho'), ratio: ratio(us('wsStub'), us('wsEcho')) },
      { name: 'rpc.http.protocol_only.server_busy_per_call', value: us('httpStub'), unit: 'us', reference: us('httpBare'), ratio: ratio(us('httpStub'), us('httpBare')) },
      { name: 'rpc.ws.desk_status.server_cpu_per_call', value: cpuUs('wsRpc'), unit: 'us', reference: cpuUs('wsEcho'), ratio: ratio(cpuUs('wsRpc'), cpuUs('wsEcho')) },
      { name: 'rpc.http.desk_status.server_cpu_per_call', value: cpuUs('httpRpc'), unit: 'us', reference: cpuUs('httpBare'), ratio: ratio(cpuUs('httpRpc'), cpuUs('httpBare')) },
      { name: 'rpc.ws.protocol_only.server_cpu_per_call', value: cpuUs('wsStub'), unit: 'us', reference: cpuUs('wsEcho'), ratio: ratio(cpuUs('wsStub'), cpuUs('wsEcho')) },
      { name: 'rpc.http.protocol_only.server_cpu_per_call', value: cpuUs('httpStub'), unit: 'us', reference: cpuUs('httpBare'), ratio: ratio(cpuUs('httpStub'), cpuUs('httpBare')) },
      { name: `rpc.ws.desk_status.p50@${LATENCY_RATE}rps`, value: round(q(latWs.latencies, 0.5)), unit: 'ms', reference: P99_TARGET_MS, ratio: ratio(q(latWs.latencies, 0.5), P99_TARGET_MS) },
      { name: `rpc.ws.desk_status.p99@${LATENCY_RATE}rps`, value: round(q(latWs.latencies, 0.99)), unit: 'ms', reference: P99_TARGET_MS, ratio: ratio(q(latWs.latencies, 0.99), P99_TARGET_MS) },
      { name: `rpc.http.desk_status.p50@${LATENCY_RATE}rps`, value: round(q(latHttp.latencies, 0.5)), unit: 'ms', reference: P99_TARGET_MS, ratio: ratio(q(latHttp.latencies, 0.5), P99_TARGET_MS) },
      { name: `rpc.http.desk_status.p99@${LATENCY_RATE}rps`, value: round(q(latHttp.latencies, 0.99)), unit: 'ms', reference: P99_TARGET_MS, ratio: ratio(q(latHttp.latencies, 0.99), P99_TARGET_MS) },
    ];
  } finally {
    await rpcStub.close();
    await rpc.close();
    await http.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    echoWsServer.closeAllConnections();
    echoHttp.closeAllConnections();
    await new Promise<void>((r) => echoWsServer.close(() => r()));
    await new Promise<void>((r) => echoHttp.close(() => r()));
    await rt.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchRpc()
    .then((lines) => {
      for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`bench rpc failed: ${e instanceof Error ? e.message : 'error'}\n`);
      process.exitCode = 1;
    });
}
