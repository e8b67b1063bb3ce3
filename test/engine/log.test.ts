import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/log.ts';

const KEY = 'bybit-key-AAAA1111';
const SECRET = 'bybit-secret-BBBB2222';

function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  let out = '';
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { log: createLogger({ destination: dest as never }), text: () => out };
}

/** An error shaped like an HTTP client's (axios-style): request config, the raw request, the response. */
function vendorError(): Error {
  const e = new Error('Request failed with status code 401') as Error & Record<string, unknown>;
  e.config = { url: 'http://127.0.0.1:9/v5/order/create', headers: { 'X-BAPI-API-KEY': KEY, 'X-BAPI-SIGN': SECRET }, data: `{"sign":"${SECRET}"}` };
  e.request = { _header: `POST /v5/order/create HTTP/1.1\r\nX-BAPI-API-KEY: ${KEY}\r\n` };
  e.response = { status: 401, data: { retCode: 10003, retMsg: 'API key is invalid.' }, config: { headers: { 'X-BAPI-API-KEY': KEY } } };
  return e;
}

describe('logger redaction', () => {
  it('censors secrets by field name, at the top level and one level down', () => {
    const { log, text } = capture();
    log.info({ apiKey: KEY, secret: SECRET, token: SECRET, authorization: `Bearer ${SECRET}` }, 'top');
    log.info({ client: { apiKey: KEY, apiSecret: SECRET, headers: { Authorization: SECRET } } }, 'nested');
    log.info({ BYBIT_API_KEY: KEY, BYBIT_API_SECRET: SECRET, TELEGRAM_BOT_TOKEN: SECRET }, 'config keys');
    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain(SECRET);
    expect(text().split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('censors an HTTP client error logged by mistake (its config, raw request and response config carry the key)', () => {
    const { log, text } = capture();
    log.error({ err: vendorError() }, 'vendor call failed');
    log.error({ cause: vendorError() }, 'vendor call failed');
    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain('vendor call failed');
  });
});
