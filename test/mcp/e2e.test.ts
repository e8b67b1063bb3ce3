import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { tempDir } from '../helpers/temp-dir.ts';

// Out of process: the real `npm start` composition (scripts/start.ts) on a port picked here, driven by
// the SDK client over Streamable HTTP and through the stdio bridge (scripts/mcp-stdio.ts).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TRADER = 'e2e-trader-secret-0123456789';
const VIEWER = 'e2e-viewer-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

let desk: ChildProcess | null = null;
// Made here, before the afterAll below is registered, so its removal runs after that afterAll stopped the desk.
const dir = tempDir('desk-mcp-e2e-');
let port = 0;
let env: Record<string, string> = {};

beforeAll(async () => {
  port = await freePort();
  env = {
    ...(process.env as Record<string, string>),
    DESK_HOST: '127.0.0.1',
    DESK_PORT: String(port),
    DESK_DB: join(dir, 'desk.db'),
    DESK_BACKUP_DIR: join(dir, 'backups'),
    DESK_TOKENS: `agent:trader:${TRADER},watcher:viewer:${VIEWER}`,
    DESK_LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: '',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  desk = child;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`desk did not start: ${out.slice(-500)}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (out.includes('signal desk ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`desk exited with ${code}: ${out.slice(-500)}`));
    });
  });
}, 90_000);

afterAll(async () => {
  if (desk && desk.exitCode === null) {
    const exited = new Promise<void>((r) => desk!.once('exit', () => r()));
    desk.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
    if (desk.exitCode === null) desk.kill('SIGKILL');
  }
}, 20_000);

const sc = (r: CallToolResult) => r.structuredContent as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('against npm start', () => {
  it('the SDK client over Streamable HTTP reads status, lists the tools and gets curated errors', async () => {
    const c = new Client({ name: 'e2e-http', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TRADER}` } } }));
    try {
      const st = (await c.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
      expect(st.isError).toBeFalsy();
      expect(sc(st)).toMatchObject({ mode: 'paper', feed: 'replay' });
      const { tools } = await c.listTools();
      expect(tools).toHaveLength(13);
      const bad = (await c.callTool({ name: 'execute_signal', arguments: { signalId: 'no-such-signal' } })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect((bad.content[0] as { text: string }).text).toMatch(/^NOT_FOUND: /);
    } finally {
      await c.close();
    }
  }, 30_000);

  it('the stdio bridge forwards to the running desk (no second engine) with the token\'s role', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'scripts/mcp-stdio.ts'],
      cwd: ROOT,
      env: { ...env, DESK_MCP_TOKEN: VIEWER },
      stderr: 'pipe',
    });
    const c = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await c.connect(transport);
    try {
      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name)).toContain('execute_signal');
      const st = (await c.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
      expect(sc(st)).toMatchObject({ mode: 'paper', feed: 'replay' });
      const kill = (await c.callTool({ name: 'set_kill_switch', arguments: { on: true } })) as CallToolResult;
      expect(kill.isError).toBe(true);
      expect((kill.content[0] as { text: string }).text).toMatch(/^FORBIDDEN: /);
      const res = await c.listResources();
      expect(res.resources.map((r) => r.uri)).toContain('positions://open');
    } finally {
      await c.close();
    }
  }, 60_000);

  it('the stdio bridge answers with an error, not a hang, when the desk is unreachable', async () => {
    const dead = await freePort();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'scripts/mcp-stdio.ts'],
      cwd: ROOT,
      env: { ...env, DESK_MCP_TOKEN: VIEWER, DESK_MCP_URL: `http://127.0.0.1:${dead}/mcp` },
      stderr: 'pipe',
    });
    const c = new Client({ name: 'e2e-stdio-dead', version: '1.0.0' });
    await expect(c.connect(transport)).rejects.toThrow(/unreachable/);
    await transport.close().catch(() => {});
  }, 60_000);
});
