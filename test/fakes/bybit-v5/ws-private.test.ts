import { createHmac } from 'node:crypto';
import { RestClientV5, type WebsocketClient } from 'bybit-api';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { sample } from './sample-shapes.ts';
import { once, until, Updates, wsClient } from './ws-helpers.ts';

const S = 'BTCUSDT';
let fake: BybitV5Fake;
let priv: WebsocketClient;
let updates: Updates;
let rest: RestClientV5;
const TOPICS = ['order', 'execution', 'position', 'wallet'];

/** Top-level `key:type` list (objects and arrays by kind), for payloads whose nested keys are values (e.g. fee coins). */
function topShape(o: Record<string, unknown>): string[] {
  return Object.entries(o)
    .map(([k, v]) => `${k}:${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`)
    .sort();
}

beforeEach(async () => {
  fake = await startBybitV5Fake({ symbols: [S] });
  priv = wsClient(fake.wsPrivateUrl, { key: fake.apiKey, secret: fake.apiSecret });
  updates = new Updates(priv);
  rest = new RestClientV5({ baseUrl: fake.restUrl, key: fake.apiKey, secret: fake.apiSecret }, { timeout: 3000 });
});
afterEach(async () => {
  priv.closeAll(true);
  await fake.close();
});

async function subscribeAll(): Promise<void> {
  const authed = once(priv, 'authenticated');
  const subscribed = once(priv, 'response', (e) => e.op === 'subscribe' && e.success === true);
  priv.subscribeV5(TOPICS, 'linear');
  await authed;
  await subscribed;
}

describe('bybit-v5 fake: private stream through the real WebsocketClient', () => {
  it('authenticates, then pushes order, execution, position and wallet for a market fill (sample shapes)', async () => {
    await subscribeAll();
    const r = await rest.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'ws-1' });
    expect(r.retCode).toBe(0);
    const byTopic = async (topic: string) => (await updates.next((m) => m.topic === topic)) as { data: Record<string, unknown>[] } & Record<string, unknown>;
    const order = await byTopic('order');
    const exec = await byTopic('execution');
    const pos = await byTopic('position');
    const wallet = await byTopic('wallet');
    expect(order.data[0]).toMatchObject({ orderLinkId: 'ws-1', orderStatus: 'Filled', category: 'linear' });
    expect(exec.data[0]).toMatchObject({ orderLinkId: 'ws-1', execQty: '0.010', isMaker: false, category: 'linear' });
    expect(pos.data[0]).toMatchObject({ symbol: S, side: 'Buy', size: '0.010' });
    expect((wallet.data[0].coin as { coin: string }[])[0].coin).toBe('USDT');

    const strip = (m: Record<string, unknown>) => topShape(Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'wsKey' && k !== 'isWSAPIResponse')));
    for (const [msg, file] of [[order, 'ws-order.json'], [exec, 'ws-execution.json'], [pos, 'ws-position.json'], [wallet, 'ws-wallet.json']] as const) {
      const s = sample(file);
      expect(strip(msg)).toEqual(topShape(s));
      expect(topShape(msg.data[0])).toEqual(topShape(s.data[0]));
    }
    expect(topShape((wallet.data[0].coin as Record<string, unknown>[])[0])).toEqual(topShape(sample('ws-wallet.json').data[0].coin[0]));
  });

  it('pushes the stop-loss execution and the flat position when a bar triggers it', async () => {
    await subscribeAll();
    const last = fake.market(S).last;
    await rest.submitOrder({ category: 'linear', symbol: S, side: 'Sell', orderType: 'Market', qty: '0.010', stopLoss: (Math.round((last + 50) * 10) / 10).toFixed(2) });
    await updates.next((m) => m.topic === 'position');
    let steps = 0;
    while (fake.state.positions.get(S)!.size > 0 && steps < 2000) steps += fake.advance(1);
    expect(fake.state.positions.get(S)!.size).toBe(0);
    const ex = await updates.next((m) => m.topic === 'execution' && (m.data as { stopOrderType: string }[])[0].stopOrderType === 'StopLoss');
    expect((ex.data as { side: string }[])[0].side).toBe('Buy');
    await updates.next((m) => m.topic === 'position' && (m.data as { size: string }[])[0].size === '0.000');
  });

  it('re-authenticates and resubscribes after disconnectAll, then pushes again', async () => {
    await subscribeAll();
    const reauthed = once(priv, 'authenticated');
    const resub = once(priv, 'response', (e) => e.op === 'subscribe' && e.success === true);
    fake.disconnectAll();
    await reauthed;
    await resub;
    expect(fake.connections().private).toBe(1);
    const from = updates.all.length;
    await rest.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.001', orderLinkId: 'after-reconnect' });
    const o = await updates.next((m) => m.topic === 'order', 5000, from);
    expect((o.data as { orderLinkId: string }[])[0].orderLinkId).toBe('after-reconnect');
  });

  it('refuses auth with a wrong secret (the client emits an exception, nothing is pushed)', async () => {
    const bad = wsClient(fake.wsPrivateUrl, { key: fake.apiKey, secret: 'nope' });
    const badUpdates = new Updates(bad);
    const ex = once(bad, 'exception', (e) => e.op === 'auth');
    bad.subscribeV5(TOPICS, 'linear');
    const e = await ex;
    expect(e.success).toBe(false);
    await rest.submitOrder({ category: 'linear', symbol: S, side: 'Buy', orderType: 'Market', qty: '0.001' });
    await new Promise((r) => setTimeout(r, 100));
    expect(badUpdates.all).toHaveLength(0);
    bad.closeAll(true);
  });
});

describe('bybit-v5 fake: private stream protocol frames (raw ws)', () => {
  it('answers ping with op:pong like ws-pong-private.json, refuses subscribe before auth, accepts it after', async () => {
    const ws = new WebSocket(fake.wsPrivateUrl);
    const msgs: Record<string, unknown>[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ req_id: 'test', op: 'ping' }));
    ws.send(JSON.stringify({ op: 'subscribe', args: ['order'] }));
    await until(() => msgs.length >= 2);
    expect(topShape(msgs[0])).toEqual(topShape(sample('ws-pong-private.json')));
    expect(msgs[0]).toMatchObject({ req_id: 'test', op: 'pong' });
    expect(msgs[1]).toMatchObject({ success: false, op: 'subscribe', ret_msg: 'Request not authorized' });
    const expires = Date.now() + 5000;
    const sig = createHmac('sha256', fake.apiSecret).update(`GET/realtime${expires}`).digest('hex');
    ws.send(JSON.stringify({ op: 'auth', args: [fake.apiKey, expires, sig] }));
    ws.send(JSON.stringify({ op: 'subscribe', args: ['order', 'wallet'] }));
    await until(() => msgs.length >= 4);
    expect(topShape(msgs[2])).toEqual(topShape(sample('ws-auth-response.json')));
    expect(msgs[2]).toMatchObject({ success: true, op: 'auth' });
    expect(topShape(msgs[3])).toEqual(topShape(sample('ws-subscribe-response-private.json')));
    const stale = Date.now() - 1000;
    const staleSig = createHmac('sha256', fake.apiSecret).update(`GET/realtime${stale}`).digest('hex');
    ws.send(JSON.stringify({ op: 'auth', args: [fake.apiKey, stale, staleSig] }));
    await until(() => msgs.length >= 5);
    expect(msgs[4]).toMatchObject({ success: false, op: 'auth' });
    ws.close();
  });
});
