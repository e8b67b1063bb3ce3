import { z } from 'zod';
import { DESK_EVENT_TYPES } from '../engine/index.ts';
import { RPC_ERROR_TABLE, SPEC_ERRORS } from './error-codes.ts';
import type { RpcMethodSpec } from './methods.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/**
 * Builds the OpenRPC 1.3 document served by `rpc.discover`: one entry per method with by-name
 * params and the result, both generated from the same zod schemas the server validates with, plus
 * the error table and the `event` notification. Throws only if a schema cannot be converted (a bug).
 */
export function buildOpenRpc(methods: readonly RpcMethodSpec[], version: string): Record<string, unknown> {
  const errors = Object.fromEntries(
    Object.entries(RPC_ERROR_TABLE).map(([deskCode, row]) => [deskCode, { code: row.code, message: row.message, data: { code: deskCode } }]),
  );
  return {
    openrpc: '1.3.2',
    info: {
      title: 'Signal Desk control plane',
      version,
      description:
        'JSON-RPC 2.0 over POST /rpc and WebSocket GET /rpc. Authenticate with `Authorization: Bearer <secret>` ' +
        '(WebSocket: at upgrade, or an `auth` call within 5 s). Application errors carry `data.code` (the DeskError code).',
    },
    methods: [
      ...methods.map((m) => {
        const params = toSchema(m.params, 'input');
        const props = (params.properties ?? {}) as Record<string, JsonSchema>;
        const required = new Set((params.required ?? []) as string[]);
        return {
          name: m.name,
          summary: m.summary,
          paramStructure: 'by-name',
          params: Object.entries(props).map(([name, schema]) => ({ name, required: required.has(name), schema })),
          result: { name: 'result', schema: toSchema(m.result, 'output') },
          'x-min-role': m.role,
          ...(m.wsOnly ? { 'x-transport': 'websocket' } : {}),
        };
      }),
      {
        name: 'rpc.discover',
        summary: 'This OpenRPC document.',
        paramStructure: 'by-name',
        params: [],
        result: { name: 'OpenRPC document', schema: { type: 'object' } },
      },
    ],
    components: {
      errors: {
        ...errors,
        PARSE_ERROR: { code: SPEC_ERRORS.PARSE_ERROR, message: 'Parse error' },
        INVALID_REQUEST: { code: SPEC_ERRORS.INVALID_REQUEST, message: 'Invalid Request' },
        METHOD_NOT_FOUND: { code: SPEC_ERRORS.METHOD_NOT_FOUND, message: 'Method not found' },
      },
    },
    'x-notifications': [
      {
        name: 'event',
        summary: 'Server-to-client notification on WebSocket after events.subscribe; params is the DeskEvent.',
        params: [{ name: 'type', schema: { type: 'string', enum: [...DESK_EVENT_TYPES] } }],
      },
    ],
  };
}
