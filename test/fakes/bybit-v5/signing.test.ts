import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { keyShape, sample } from './sample-shapes.ts';

let fake: BybitV5Fake;

beforeAll(async () => {
  fake = await startBybitV5Fake({ symbols: ['BTCUSDT'], apiKey: 'k-123', apiSecret: 's-456', permissions: { Wallet: ['AccountTransfer'] } });
});
afterAll(() => fake.close());

const good = () => new RestClientV5({ baseUrl: fake.restUrl, key: 'k-123', secret: 's-456' });

describe('bybit-v5 fake: REST signing through the real RestClientV5', () => {
  it('accepts a correctly signed GET and reports key permissions (never the secret)', async () => {
    const r = await good().getQueryApiKey();
    expect(r.retCode).toBe(0);
    expect(r.result.apiKey).toBe('k-123');
    expect(r.result.secret).toBe('');
    expect(r.result.permissions.Wallet).toEqual(['AccountTransfer']);
    expect(r.result.permissions.ContractTrade).toEqual(['Order', 'Position']);
    const last = fake.requests.at(-1)!;
    expect(last).toMatchObject({ path: '/v5/user/query-api', signed: true, signatureValid: true, retCode: 0 });
    expect(JSON.stringify(fake.requests)).not.toContain('s-456');
  });

  it('accepts a correctly signed GET with query parameters and a signed POST body', async () => {
    const w = await good().getWalletBalance({ accountType: 'UNIFIED', coin: 'USDT' });
    expect(w.retCode).toBe(0);
    expect(keyShape(w.result.list[0])).toEqual(keyShape(sample('rest-account-wallet-balance.json').result.list[0]));
    const lev = await good().setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '5', sellLeverage: '5' });
    expect(lev.retCode).toBe(0);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', signatureValid: true, params: { buyLeverage: '5' } });
  });

  it('answers 10004 for a wrong secret and applies nothing', async () => {
    const bad = new RestClientV5({ baseUrl: fake.restUrl, key: 'k-123', secret: 'wrong' });
    const r = await bad.setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '7', sellLeverage: '7' });
    expect(r.retCode).toBe(10004);
    expect(fake.requests.at(-1)).toMatchObject({ signed: true, signatureValid: false, retCode: 10004 });
    const again = await good().setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '5', sellLeverage: '5' });
    expect(again.retCode).toBe(110043);
  });

  it('answers 10003 for an unknown key', async () => {
    const r = await new RestClientV5({ baseUrl: fake.restUrl, key: 'other', secret: 's-456' }).getQueryApiKey();
    expect(r.retCode).toBe(10003);
  });

  it('answers 10002 with the server time in retMsg when the timestamp is outside recv_window', async () => {
    fake.setClockSkew(60_000);
    try {
      const r = await good().getQueryApiKey();
      expect(r.retCode).toBe(10002);
      expect(r.retMsg).toMatch(/server_timestamp\[\d{13}\]/);
      expect(r.retMsg).toMatch(/recv_window\[5000\]/);
    } finally {
      fake.setClockSkew(0);
    }
    const ok = await good().getQueryApiKey();
    expect(ok.retCode).toBe(0);
  });

  it('rejects a timestamp from the future (more than 1 s ahead of the server)', async () => {
    fake.setClockSkew(-3000);
    try {
      expect((await good().getQueryApiKey()).retCode).toBe(10002);
    } finally {
      fake.setClockSkew(0);
    }
  });

  it('injects retCodes for a number of calls without applying the effect', async () => {
    fake.injectRetCode('/v5/position/set-leverage', 10006, { times: 2 });
    const c = good();
    expect((await c.setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '3', sellLeverage: '3' })).retCode).toBe(10006);
    expect((await c.setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '3', sellLeverage: '3' })).retCode).toBe(10006);
    expect((await c.setLeverage({ category: 'linear', symbol: 'BTCUSDT', buyLeverage: '3', sellLeverage: '3' })).retCode).toBe(0);
  });

  it('answers 10005 on trading endpoints for a read-only key', async () => {
    const ro = await startBybitV5Fake({ symbols: ['BTCUSDT'], readOnly: 1 });
    try {
      const c = new RestClientV5({ baseUrl: ro.restUrl, key: ro.apiKey, secret: ro.apiSecret });
      const r = await c.submitOrder({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.001' });
      expect(r.retCode).toBe(10005);
      expect((await c.getQueryApiKey()).result.readOnly).toBe(1);
    } finally {
      await ro.close();
    }
  });
});
