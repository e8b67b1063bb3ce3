import { describe, expect, it } from 'vitest';
import { bybitCall, classifyThrown, isOutcomeUnknown, submitOnce, toDeskErrorFromFailure, type CallContext } from '../../engine/bybit/errors.ts';
import { systemClock } from '../../engine/clock.ts';
import { DeskError } from '../../engine/errors.ts';
import { silentLogger } from '../../engine/log.ts';

const ctx: CallContext = { logger: silentLogger, clock: systemClock, sleep: async () => undefined };
const KEY = 'KEY9xY8wV7u';
const SECRET = 'SECRET6tS5rQ4p';

// The shapes bybit-api 4.x rejects with (util/BaseRestClient.js parseException): an HTTP failure object
// that carries the client's options (key AND secret), an axios error whose config holds signed headers,
// or a bare string when the request was never made.
const httpFailure = (status: number, body: unknown = {}) => ({ code: status, message: 'x', body, headers: { 'x-bapi-limit-reset-timestamp': '1' }, requestOptions: { key: KEY, secret: SECRET } });
const axiosError = (code: string) => ({ code, message: 'boom', config: { headers: { 'X-BAPI-API-KEY': KEY, 'X-BAPI-SIGN': 'sig' }, data: { secret: SECRET } }, request: {} });

async function rejection(p: Promise<unknown>): Promise<DeskError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeskError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('vendor error translation', () => {
  it('keeps only primitives from what bybit-api throws', () => {
    expect(classifyThrown(httpFailure(503))).toEqual({ kind: 'http', status: 503, retCode: null, resetAt: 1 });
    expect(classifyThrown(httpFailure(200, { retCode: 10006 }))).toMatchObject({ kind: 'http', retCode: 10006 });
    expect(classifyThrown(axiosError('ECONNABORTED'))).toEqual({ kind: 'network', code: 'ECONNABORTED', sent: true });
    expect(classifyThrown(axiosError('ECONNREFUSED'))).toEqual({ kind: 'network', code: 'ECONNREFUSED', sent: false });
    expect(classifyThrown('Private endpoints require api and private keys set')).toEqual({ kind: 'network', code: 'NOT_SENT', sent: false });
    expect(classifyThrown(new Error('x'))).toEqual({ kind: 'network', code: 'UNKNOWN', sent: true });
  });

  it('never puts vendor objects, text or credentials into a DeskError', async () => {
    for (const thrown of [httpFailure(401), httpFailure(403), httpFailure(500), httpFailure(404), axiosError('ECONNRESET')]) {
      const e = await rejection(
        bybitCall(ctx, '/v5/order/create', () => {
          throw thrown;
        }),
      );
      const text = JSON.stringify({ ...e.toJSON(), stack: e.stack });
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(SECRET);
    }
  });

  it('maps HTTP and retCode failures to stable codes', () => {
    expect(toDeskErrorFromFailure('/x', { kind: 'http', status: 401, retCode: null, resetAt: null }).code).toBe('CONFIG');
    expect(toDeskErrorFromFailure('/x', { kind: 'http', status: 502, retCode: null, resetAt: null }).code).toBe('EXCHANGE_UNAVAILABLE');
    expect(toDeskErrorFromFailure('/x', { kind: 'retCode', retCode: 10016, resetAt: null }).code).toBe('EXCHANGE_UNAVAILABLE');
    expect(toDeskErrorFromFailure('/x', { kind: 'retCode', retCode: 110094, resetAt: null })).toMatchObject({ code: 'EXCHANGE_REJECTED', detail: { retCode: 110094 } });
    expect(isOutcomeUnknown({ kind: 'retCode', retCode: 10016, resetAt: null })).toBe(true);
    expect(isOutcomeUnknown({ kind: 'network', code: 'ECONNREFUSED', sent: false })).toBe(false);
  });

  it('a create that never left the host is EXCHANGE_UNAVAILABLE without lookups; a 5xx is looked up', async () => {
    let lookups = 0;
    const refused = await rejection(
      submitOnce({
        ctx,
        endpoint: '/v5/order/create',
        orderLinkId: 'l1',
        submit: () => Promise.reject(axiosError('ECONNREFUSED')),
        lookup: async () => (lookups++, null),
      }),
    );
    expect(refused.code).toBe('EXCHANGE_UNAVAILABLE');
    expect(lookups).toBe(0);
    let creates = 0;
    const found = await submitOnce({
      ctx,
      endpoint: '/v5/order/create',
      orderLinkId: 'l2',
      submit: () => (creates++, Promise.reject(httpFailure(502))),
      lookup: async () => (++lookups >= 2 ? { orderId: 'o-2', status: 'New', filledQty: 0, avgPrice: null, final: false } : null),
    });
    expect(found).toEqual({ orderId: 'o-2', duplicate: false, resolvedBy: 'lookup' });
    expect(creates).toBe(1);
  });
});
