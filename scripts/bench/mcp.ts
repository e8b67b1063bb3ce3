// MCP benchmark: tools/call get_status over Streamable HTTP on loopback, through createMcpHttp mounted
// on a node:http server, against a real desk (in-memory SQLite, replay of the bundled real klines,
// paper broker). Reference: p99 ≤ 10 ms. Run: `npx tsx scripts/bench/mcp.ts` → JSON lines.
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ManualClock, silentLogger, testConfig } from '../../engine/index.ts';
import { createMcpHttp } from '../../mcp/index.ts';
import { composeDesk } from '../compose.ts';

/** One benchmark result: `ratio` = value / reference (null when there is no reference). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
}

const WARMUP = 200;
const CALLS = 2000;
const P99_TARGET_MS = 10;
const SECRET = 'bench-secret-0123456789abcdef';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Measures get_status latency over Streamable HTTP (sequential calls, one session); rejects if the desk can't start. */
export async function benchMcp(): Promise<BenchLine[]> {
  const config = testConfig({ DESK_TOKENS: `bench:viewer:${SECRET}`, DESK_WARMUP_BARS: '300' });
  const rt = await composeDesk(config, { clock: new ManualClock(Date.UTC(2026, 10, 2, 9)), logger: silentLogger, autoplay: false });
  await rt.desk.start();
  const mcp = createMcpHttp({ desk: rt.desk, config, logger: silentLogger });
  const server = createServer((req, res) => void mcp.route.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // The SDK client passes one long-lived AbortSignal to every fetch; undici's listeners on it are only
  // released by GC, so thousands of calls trip Node's MaxListeners warning (whose printing would skew
  // the tail). Lift the limit for the signals created below; the server side is unaffected.
  setMaxListeners(0);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${SECRET}` } },
  });
  try {
    await client.connect(transport);
    for (let i = 0; i < WARMUP; i++) await client.callTool({ name: 'get_status', arguments: {} });
    const ms: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      const r = await client.callTool({ name: 'get_status', arguments: {} });
      ms.push(performance.now() - t0);
      if (r.isError) throw new Error('get_status failed during the benchmark');
    }
    ms.sort((a, b) => a - b);
    const p50 = pct(ms, 50);
    const p99 = pct(ms, 99);
    return [
      { name: 'mcp.http.get_status.p50', value: round(p50), unit: 'ms', reference: P99_TARGET_MS, ratio: round(p50 / P99_TARGET_MS) },
      { name: 'mcp.http.get_status.p99', value: round(p99), unit: 'ms', reference: P99_TARGET_MS, ratio: round(p99 / P99_TARGET_MS) },
      { name: 'mcp.http.get_status.max', value: round(ms[ms.length - 1] ?? NaN), unit: 'ms', reference: null, ratio: null },
    ];
  } finally {
    await client.close().catch(() => {});
    await mcp.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rt.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchMcp()
    .then((lines) => {
      for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`bench mcp failed: ${e instanceof Error ? e.message : 'error'}\n`);
      process.exit(1);
    });
}
