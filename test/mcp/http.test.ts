import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, LATEST_PROTOCOL_VERSION, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpHttp, type McpHttp } from '../../mcp/index.ts';
import { createTestDesk, type TestDesk } from '../helpers/test-desk.ts';

// Streamable HTTP on a real socket (127.0.0.1, port 0): the SDK client against createMcpHttp's route.

const TRADER = 'trader-secret-0123456789';
const VIEWER = 'viewer-secret-0123456789';
const TOKENS = `bot-a:trader:${TRADER},watch:viewer:${VIEWER}`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(opts: { idleMs?: number } = {}): Promise<{ td: TestDesk; mcp: McpHttp; url: string; port: number }> {
  const td = await createTestDesk({ DESK_TOKENS: TOKENS, MCP_MAX_NOTIONAL_ORDER: '100000', MCP_MAX_NOTIONAL_DAY: '1000000' });
  cleanup.push(() => td.close());
  const mcp = createMcpHttp({ desk: td.desk, config: td.config, clock: td.clock, ...opts });
  cleanup.push(() => mcp.close());
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === mcp.route.path) void mcp.route.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { td, mcp, port, url: `http://127.0.0.1:${port}/mcp` };
}

async function client(url: string, token: string, opts: { elicit?: boolean } = {}): Promise<{ c: Client; t: StreamableHTTPClientTransport }> {
  const c = new Client({ name: 'http-agent', version: '1.0.0' }, { capabilities: opts.elicit ? { elicitation: { form: {} } } : {} });
  if (opts.elicit) c.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
  const t = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await c.connect(t);
  cleanup.push(() => c.close());
  return { c, t };
}

/** A raw POST with full control over headers (what a hostile page or a misconfigured client sends). */
function rawPost(port: number, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const sc = (r: CallToolResult) => r.structuredContent as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('MCP over Streamable HTTP', () => {
  it('a trader agent reads status and executes with a confirmation token', async () => {
    const { td, url, mcp } = await start();
    const { c, t } = await client(url, TRADER);
    expect(t.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mcp.sessions).toBe(1);
    const { tools } = await c.listTools();
    expect(tools).toHaveLength(13);
    const st = (await c.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
    expect(sc(st)).toMatchObject({ mode: 'paper', feed: 'replay' });
    const s = await td.nextSignal();
    const first = (await c.callTool({ name: 'execute_signal', arguments: { signalId: s.id } })) as CallToolResult;
    expect(sc(first).outcome).toBe('confirmation_required');
    const done = (await c.callTool({ name: 'execute_signal', arguments: { signalId: s.id, confirmToken: sc(first).confirmation.token } })) as CallToolResult;
    expect(sc(done)).toMatchObject({ outcome: 'executed', order: { symbol: s.symbol } });
  });

  it('elicitation reaches the client over the tool call\'s stream', async () => {
    const { td, url } = await start();
    const { c } = await client(url, TRADER, { elicit: true });
    const s = await td.nextSignal();
    const r = (await c.callTool({ name: 'execute_signal', arguments: { signalId: s.id } })) as CallToolResult;
    expect(sc(r)).toMatchObject({ outcome: 'executed', order: { symbol: s.symbol } });
  });

  it('the bearer token decides the role', async () => {
    const { td, url } = await start();
    const { c } = await client(url, VIEWER);
    const s = await td.nextSignal();
    const r = (await c.callTool({ name: 'execute_signal', arguments: { signalId: s.id } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect((r.content[0] as { text: string }).text).toMatch(/^FORBIDDEN: /);
  });

  it('refuses a missing or unknown token with 401 and never echoes it', async () => {
    const { port } = await start();
    const none = await rawPost(port, {}, init);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await rawPost(port, { authorization: 'Bearer not-a-real-token-xyz' }, init);
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('not-a-real-token-xyz');
    const ok = await rawPost(port, { authorization: `Bearer ${TRADER}` }, init);
    expect(ok.status).toBe(200);
    expect(ok.headers['mcp-session-id']).toBeTruthy();
  });

  it('validates Host and Origin against DNS rebinding', async () => {
    const { port } = await start();
    const auth = { authorization: `Bearer ${TRADER}` };
    expect((await rawPost(port, { ...auth, host: `evil.example:${port}` }, init)).status).toBe(403);
    expect((await rawPost(port, { ...auth, origin: 'http://evil.example' }, init)).status).toBe(403);
    expect((await rawPost(port, { ...auth, origin: 'null' }, init)).status).toBe(403);
    expect((await rawPost(port, { ...auth, host: `localhost:${port}`, origin: `http://localhost:${port}` }, init)).status).toBe(200);
  });

  it("a session id only works with its own actor's token", async () => {
    const { port, url } = await start();
    const { t } = await client(url, TRADER);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const hijack = await rawPost(port, { authorization: `Bearer ${VIEWER}`, 'mcp-session-id': t.sessionId!, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }, list);
    expect(hijack.status).toBe(404);
    const unknown = await rawPost(port, { authorization: `Bearer ${TRADER}`, 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }, list);
    expect(unknown.status).toBe(404);
    const own = await rawPost(port, { authorization: `Bearer ${TRADER}`, 'mcp-session-id': t.sessionId!, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }, list);
    expect(own.status).toBe(200);
    expect(own.body).toContain('execute_signal');
  });

  it('a request without a session must be initialize', async () => {
    const { port } = await start();
    const r = await rawPost(port, { authorization: `Bearer ${TRADER}` }, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    expect(r.status).toBe(400);
  });

  it('cleans up: DELETE ends a session, close() ends them all', async () => {
    const { url, mcp } = await start();
    const a = await client(url, TRADER);
    await client(url, VIEWER);
    expect(mcp.sessions).toBe(2);
    await a.t.terminateSession();
    expect(mcp.sessions).toBe(1);
    await mcp.close();
    expect(mcp.sessions).toBe(0);
  });
});

describe('idle sessions', () => {
  it('are closed by the injected clock, not the wall clock', async () => {
    const { td, mcp, url } = await start({ idleMs: 1500 });
    await client(url, VIEWER);
    expect(mcp.sessions).toBe(1);
    // Wall time passes (two sweeps) but the desk's clock does not: the session is not idle.
    await new Promise((r) => setTimeout(r, 2300));
    expect(mcp.sessions).toBe(1);
    td.clock.advance(10 * 60_000);
    for (let i = 0; i < 40 && mcp.sessions > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(mcp.sessions).toBe(0);
  });
});
