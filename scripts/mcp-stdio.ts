// `npm run mcp:stdio`: a stdio MCP server for desktop agents that forwards everything to the RUNNING
// desk's Streamable HTTP /mcp (it never starts a second engine). Configure the agent to launch it with:
//   DESK_MCP_TOKEN=<a DESK_TOKENS secret>  (or DESK_MCP_AS=<a DESK_TOKENS name> with DESK_TOKENS set)
//   DESK_MCP_URL=http://127.0.0.1:8766/mcp (default: http://DESK_HOST:DESK_PORT/mcp from the desk's config)
// stdout carries the protocol only; logs go to stderr.
import { setMaxListeners } from 'node:events';
import { createLogger, loadConfig, DeskError } from '../engine/index.ts';
import { runStdioBridge } from '../mcp/index.ts';

function fail(message: string): never {
  process.stderr.write(`mcp-stdio: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const env = process.env;
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    fail(e instanceof DeskError ? e.message : 'config unreadable');
  }
  let token = env.DESK_MCP_TOKEN ?? '';
  if (!token && env.DESK_MCP_AS) {
    token = config.DESK_TOKENS.find((t) => t.name === env.DESK_MCP_AS)?.secret ?? '';
    if (!token) fail(`DESK_MCP_AS=${env.DESK_MCP_AS}: no such name in DESK_TOKENS`);
  }
  if (!token) fail('set DESK_MCP_TOKEN (a DESK_TOKENS secret) or DESK_MCP_AS (a DESK_TOKENS name)');
  const host = config.DESK_HOST === '0.0.0.0' || config.DESK_HOST === '::' ? '127.0.0.1' : config.DESK_HOST;
  const url = env.DESK_MCP_URL || `http://${host.includes(':') ? `[${host}]` : host}:${config.DESK_PORT}/mcp`;
  const logger = createLogger({ level: config.DESK_LOG_LEVEL, destination: process.stderr });
  // The SDK's HTTP client hangs every request's abort listener on one long-lived signal until GC
  // collects it; without this a busy session prints MaxListeners warnings (to stderr) for nothing.
  setMaxListeners(0);
  const bridge = await runStdioBridge({ url, token, logger });
  const stop = (): void => void bridge.close();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await bridge.done;
  process.exit(0);
}

main().catch(() => fail('bridge failed to start'));
