// The public surface of rpc/: what scripts/start.ts, the MCP and Telegram front-ends and tests use.

/** The desk's HTTP server (/healthz, /metrics, mounted routes and upgrades); see http-server.ts. */
export { createHttpServer } from './http-server.ts';
/** Types of the HTTP server and its routes. */
export type { DeskHttpServer, HttpRoute, HttpServerOptions, HealthReport, UpgradeHandler } from './http-server.ts';
/** The one request-body reader (413 above 1 MB) and the JSON reply writer; see http-body.ts. */
export { readBody, sendJson, HttpError, MAX_BODY_BYTES } from './http-body.ts';
/** The JSON-RPC control plane (POST /rpc, WebSocket /rpc); see rpc-handler.ts. */
export { createRpcHandler } from './rpc-handler.ts';
/** Types of the JSON-RPC control plane. */
export type { RpcHandler, RpcHandlerOptions } from './rpc-handler.ts';
/** DeskError code → JSON-RPC error code table and mapping; see error-codes.ts. */
export { rpcErrorCode, toRpcError, RPC_ERROR_TABLE, SPEC_ERRORS } from './error-codes.ts';
/** Refuses a non-loopback bind without DESK_TOKENS; see auth.ts. */
export { assertSafeBind, isLoopbackHost } from './auth.ts';
/** The method table (names, schemas) the server and its OpenRPC document are built from. */
export { RPC_METHODS } from './methods.ts';
