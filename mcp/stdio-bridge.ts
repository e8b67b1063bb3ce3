import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { silentLogger, type DeskLogger } from '../engine/index.ts';

/** Options of runStdioBridge. */
export interface StdioBridgeOptions {
  /** The running desk's MCP endpoint, e.g. http://127.0.0.1:8766/mcp. */
  url: string;
  /** A DESK_TOKENS secret; sent as `Authorization: Bearer`. */
  token: string;
  /** Defaults to process.stdin / process.stdout. */
  stdin?: Readable;
  stdout?: Writable;
  /** Must not write to stdout (that is the protocol channel); default silent. */
  logger?: DeskLogger;
}

/** A running bridge. */
export interface StdioBridge {
  /** Resolves when either side has closed (the bridge then closes the other). */
  done: Promise<void>;
  /** Ends the HTTP session and both transports; never rejects. */
  close(): Promise<void>;
}

/**
 * Forwards MCP JSON-RPC between stdio (a desktop agent) and the running desk's Streamable HTTP /mcp,
 * so the agent never starts a second engine. A request the desk can't be reached for is answered with
 * a JSON-RPC error (-32000, no vendor text). Never throws; failures end `done`.
 */
export async function runStdioBridge(opts: StdioBridgeOptions): Promise<StdioBridge> {
  const log = (opts.logger ?? silentLogger).child({ module: 'mcp-stdio' });
  const stdio = new StdioServerTransport(opts.stdin, opts.stdout);
  const http = new StreamableHTTPClientTransport(new URL(opts.url), {
    requestInit: { headers: { authorization: `Bearer ${opts.token}` } },
  });
  const pendingInit = new Set<RequestId>();
  let closing: Promise<void> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const close = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      try {
        if (http.sessionId) await http.terminateSession();
      } catch {
        // The desk may be gone already.
      }
      await http.close().catch(() => {});
      await stdio.close().catch(() => {});
      resolveDone();
    })();
    return closing;
  };

  stdio.onmessage = (msg: JSONRPCMessage) => {
    if (isInitializeRequest(msg) && isJSONRPCRequest(msg)) pendingInit.add(msg.id);
    http.send(msg).catch((err: unknown) => {
      log.warn({ errName: err instanceof Error ? err.name : typeof err }, 'desk unreachable');
      if (isJSONRPCRequest(msg)) {
        void stdio
          .send({ jsonrpc: '2.0', id: msg.id, error: { code: -32000, message: 'Signal Desk is unreachable at its MCP endpoint' } })
          .catch(() => {});
      }
    });
  };
  http.onmessage = (msg: JSONRPCMessage) => {
    if (isJSONRPCResultResponse(msg) && pendingInit.delete(msg.id)) {
      const v = (msg.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof v === 'string') http.setProtocolVersion(v);
    }
    stdio.send(msg).catch(() => {});
  };
  http.onerror = (err) => log.warn({ errName: err.name }, 'desk transport error');
  stdio.onerror = (err) => log.warn({ errName: err.name }, 'stdio transport error');
  stdio.onclose = () => void close();
  http.onclose = () => void close();
  (opts.stdin ?? process.stdin).once('end', () => void close());

  await http.start();
  await stdio.start();
  log.info({ url: opts.url }, 'mcp stdio bridge started');
  return { done, close };
}
