// Public surface of the MCP front-end: the server factory, the /mcp HTTP endpoint and the stdio bridge.

/** Creates one McpServer for an actor; see mcp/server.ts. */
export { createMcpServer, createMcpShared, SERVER_INFO } from './server.ts';
/** Options and shared state of createMcpServer. */
export type { McpServerOptions, McpShared } from './server.ts';
/** The Streamable HTTP endpoint (`route` for the desk's HTTP server, `close` on shutdown); see mcp/http.ts. */
export { createMcpHttp } from './http.ts';
/** Options and handle of createMcpHttp. */
export type { McpHttp, McpHttpOptions, McpRoute } from './http.ts';
/** The stdio-to-/mcp bridge behind `npm run mcp:stdio`; see mcp/stdio-bridge.ts. */
export { runStdioBridge } from './stdio-bridge.ts';
/** Options and handle of the stdio bridge. */
export type { StdioBridge, StdioBridgeOptions } from './stdio-bridge.ts';
