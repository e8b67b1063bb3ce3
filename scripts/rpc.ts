// `npm run rpc -- <method> [json params]`: one JSON-RPC call to a running desk.
// Token from DESK_RPC_TOKEN, URL from DESK_RPC_URL (default http://127.0.0.1:8766/rpc).
import { pathToFileURL } from 'node:url';
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import { RPC_METHODS } from '../rpc/index.ts';

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The default desk JSON-RPC endpoint. */
export const DEFAULT_RPC_URL = 'http://127.0.0.1:8766/rpc';

const usage = (): string =>
  [
    'usage: npm run rpc -- <method> [json params]',
    '  env: DESK_RPC_TOKEN (a DESK_TOKENS secret), DESK_RPC_URL (default ' + DEFAULT_RPC_URL + ')',
    '  e.g. npm run rpc -- desk.status',
    '       npm run rpc -- trade.preview \'{"signalId":"..."}\'',
    '  methods: ' + [...RPC_METHODS.filter((m) => !m.wsOnly).map((m) => m.name), 'rpc.discover'].join(', '),
  ].join('\n');

/**
 * Runs one call and returns the exit code: 0 with the result as pretty JSON on `out`; 1 when the
 * desk answered an error (code, message and data.code on `err`); 2 for usage, missing token, bad
 * params JSON or an unreachable/refusing server. Never throws; never prints the token.
 */
export async function runRpcCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [method, rawParams, ...rest] = argv;
  if (!method || method === '-h' || method === '--help' || rest.length > 0) {
    io.err(usage());
    return 2;
  }
  const token = env.DESK_RPC_TOKEN ?? '';
  if (token.length === 0) {
    io.err('DESK_RPC_TOKEN is not set (use the secret of one DESK_TOKENS entry)');
    return 2;
  }
  let params: unknown;
  if (rawParams !== undefined) {
    try {
      params = JSON.parse(rawParams);
    } catch {
      io.err('params must be JSON, e.g. \'{"signalId":"abc"}\'');
      return 2;
    }
    if (typeof params !== 'object' || params === null) {
      io.err('params must be a JSON object or array');
      return 2;
    }
  }
  const url = env.DESK_RPC_URL || DEFAULT_RPC_URL;
  let httpStatus = 0;
  let transportError: string | null = null;
  const client = new JSONRPCClient(async (payload: unknown) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(30_000),
      });
      httpStatus = res.status;
      const text = await res.text();
      let reply: JSONRPCResponse;
      try {
        reply = JSON.parse(text) as JSONRPCResponse;
      } catch {
        throw new Error(`HTTP ${res.status} without a JSON-RPC reply`);
      }
      // 401/413/503 carry a JSON-RPC error with id null: hand it to the pending call.
      client.receive(reply.id === null && reply.error ? { ...reply, id: 1 } : reply);
    } catch (e) {
      transportError = (e as Error)?.message ?? 'request failed';
      throw e;
    }
  }, () => 1);
  const response: JSONRPCResponse = await client.requestAdvanced({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) });
  if (transportError !== null) {
    io.err(`cannot reach ${url}: ${transportError}`);
    return 2;
  }
  if (response.error) {
    const data = response.error.data as { code?: string; detail?: Record<string, unknown> } | undefined;
    io.err(`error ${response.error.code}${data?.code ? ` ${data.code}` : ''}: ${response.error.message}`);
    if (data?.detail && Object.keys(data.detail).length > 0) io.err(JSON.stringify(data.detail));
    return httpStatus === 401 || httpStatus === 503 ? 2 : 1;
  }
  io.out(JSON.stringify(response.result, null, 2));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runRpcCli(process.argv.slice(2), process.env, {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
  process.exitCode = code;
}
