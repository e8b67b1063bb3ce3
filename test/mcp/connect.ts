import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Actor, Clock, DeskApi, DeskConfig, DeskLogger } from '../../engine/index.ts';
import { createMcpServer, type McpShared } from '../../mcp/index.ts';

/** A connected SDK client and its server, over InMemoryTransport. */
export interface Connected {
  client: Client;
  elicitations: string[];
  close(): Promise<void>;
}

/**
 * Connects an SDK Client to createMcpServer(desk, actor) in process; with `elicit` the client declares
 * form elicitation and answers with it (recording each question).
 */
export async function connect(
  desk: DeskApi,
  actor: Actor,
  opts: { config: DeskConfig; clock?: Clock; shared?: McpShared; logger?: DeskLogger; elicit?: (message: string) => ElicitResult | Promise<ElicitResult> },
): Promise<Connected> {
  const server = createMcpServer(desk, actor, { config: opts.config, clock: opts.clock, shared: opts.shared, logger: opts.logger });
  const client = new Client({ name: 'test-agent', version: '1.0.0' }, { capabilities: opts.elicit ? { elicitation: { form: {} } } : {} });
  const elicitations: string[] = [];
  if (opts.elicit) {
    const answer = opts.elicit;
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      elicitations.push(req.params.message);
      return answer(req.params.message);
    });
  }
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  return {
    client,
    elicitations,
    async close() {
      await client.close();
      await server.close();
    },
  };
}
