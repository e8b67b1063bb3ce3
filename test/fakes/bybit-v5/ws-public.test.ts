import { RestClientV5, type WebsocketClient } from 'bybit-api';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBybitV5Fake, type BybitV5Fake } from './index.ts';
import { loadKlines, resolveKlinesDir } from './kline-data.ts';
import { keyShape, sample } from './sample-shapes.ts';
import { once, until, Updates, wsClient } from './ws-helpers.ts';

const S = 'BTCUSDT';
const h1 = loadKlines(resolveKlinesDir(), S, '60');
let fake: BybitV5Fake;
let pub: WebsocketClient;
let updates: Updates;

type Kline = { start: number; end: number; interval: string; open: string; high: string; low: string; close: string; confirm: boolean };
const klineData = (m: Record<string, unknown>) => (m.data as Kline[])[0];
const isKline = (topic: string, confirm?: boolean) => (m: Record<string, unknown>) =>
  m.topic === topic && (confirm === undefined || klineData(m).confirm === confirm);

beforeEach(async () => {
  fake = await startBybitV5Fake({ symbols: [S, 'ETHUSDT'] });
  pub = wsClient(fake.wsPublicUrl);
  updates = new Updates(pub);
});
afterEach(async () => {
  pub.closeAll(true);
  await fake.close();
});

async function subscribe(topics: string[]): Promise<void> {
  pub.subscribeV5(topics, 'linear');
  await until(() => topics.every((t) => fake.connections().public > 0 && subscribedOnFake(t)));
}

function subscribedOnFake(topic: string): boolean {
  // a tickers subscription is answered with an immediate snapshot; klines are visible through advance
  return topic.startsWith('tickers.') ? updates.all.some((m) => m.topic === topic) : true;
}

describe('bybit-v5 fake: public stream through the real WebsocketClient', () => {
  it('pushes a ticker snapshot on subscribe, shaped like ws-tickers-linear-perpetual.json', async () => {
    await subscribe([`tickers.${S}`]);
    const t = await updates.next((m) => m.topic === `tickers.${S}`);
    const { wsKey: _k, isWSAPIResponse: _r, ...msg } = t;
    expect(keyShape(msg)).toEqual(keyShape(sample('ws-tickers-linear-perpetual.json')));
    expect(Number((t.data as { lastPrice: string }).lastPrice)).toBeCloseTo(fake.market(S).last, 6);
  });

  it('streams confirm:false then confirm:true for each base bar, with the recorded values', async () => {
    await subscribe([`tickers.${S}`, `kline.60.${S}`]);
    await until(() => updates.all.length > 0);
    const at = fake.market(S).index;
    const from = updates.all.length;
    fake.advance(2);
    const first = await updates.next(isKline(`kline.60.${S}`, true), 5000, from);
    const k = klineData(first);
    expect(k.start).toBe(h1.start[at + 1]);
    expect(k.end).toBe(h1.start[at + 1] + 3_600_000 - 1);
    expect([k.open, k.high, k.low, k.close]).toEqual([h1.text.open[at + 1], h1.text.high[at + 1], h1.text.low[at + 1], h1.text.close[at + 1]]);
    const { wsKey: _k, isWSAPIResponse: _r, ...msg } = first;
    expect(keyShape(msg)).toEqual(keyShape(sample('ws-kline.json')));
    await updates.next((m) => isKline(`kline.60.${S}`, true)(m) && klineData(m).start === h1.start[at + 2], 5000, from);
    const seq = updates.all.slice(from).filter(isKline(`kline.60.${S}`)).map((m) => `${klineData(m).start}:${klineData(m).confirm}`);
    expect(seq).toEqual([`${h1.start[at + 1]}:false`, `${h1.start[at + 1]}:true`, `${h1.start[at + 2]}:false`, `${h1.start[at + 2]}:true`]);
    const tickers = updates.all.slice(from).filter((m) => m.topic === `tickers.${S}`);
    expect(tickers.length).toBeGreaterThanOrEqual(2);
  });

  it('streams a longer interval as forming updates and one confirmed bar when it closes', async () => {
    await subscribe([`kline.240.${S}`, `tickers.${S}`]);
    await until(() => updates.all.length > 0);
    const from = updates.all.length;
    const h4 = loadKlines(resolveKlinesDir(), S, '240');
    fake.advance(8);
    await updates.next((m) => m.topic === `tickers.${S}` && (m.ts as number) === fake.market(S).now, 5000, from);
    const ks = updates.all.slice(from).filter(isKline(`kline.240.${S}`)).map(klineData);
    const closed = ks.filter((k) => k.confirm);
    expect(closed.length).toBeGreaterThanOrEqual(1);
    for (const k of closed) {
      const i = h4.start.indexOf(k.start);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(k.close).toBe(h4.text.close[i]);
      expect(k.end).toBeLessThan(fake.market(S).now);
    }
    expect(ks.some((k) => !k.confirm)).toBe(true);
  });

  it('pushes ticker deltas after the snapshot: only changed fields, which merged give the REST ticker', async () => {
    await subscribe([`tickers.${S}`]);
    const from = updates.all.length;
    const [snap] = updates.all.filter((m) => m.topic === `tickers.${S}`);
    fake.advance(3);
    await updates.next((m) => m.topic === `tickers.${S}` && (m.ts as number) === fake.market(S).now, 5000, from);
    const deltas = updates.all.slice(from).filter((m) => m.topic === `tickers.${S}`);
    expect(deltas).toHaveLength(3);
    const merged = { ...(snap!.data as Record<string, string>) };
    for (const d of deltas) {
      expect(d.type).toBe('delta');
      const data = d.data as Record<string, string>;
      expect(data.symbol).toBe(S);
      // a field present in a delta has changed; the constant ones are never repeated
      for (const [k, v] of Object.entries(data)) if (k !== 'symbol') expect(v).not.toBe(merged[k]);
      expect(data.fundingCap).toBeUndefined();
      Object.assign(merged, data);
    }
    const rest = new RestClientV5({ baseUrl: fake.restUrl });
    const row = (await rest.getTickers({ category: 'linear', symbol: S })).result.list[0]! as unknown as Record<string, string>;
    for (const k of ['lastPrice', 'markPrice', 'indexPrice', 'bid1Price', 'ask1Price', 'turnover24h', 'volume24h', 'highPrice24h', 'lowPrice24h', 'nextFundingTime']) {
      expect(merged[k], k).toBe(row[k]);
    }
  });

  it('ticker deltas stay right for an older subscriber when a newer one joins after an unpushed move, and after held steps that were never sent', async () => {
    const merged = (from = 0): Record<string, string> =>
      Object.assign({}, ...updates.all.slice(from).filter((m) => m.topic === `tickers.${S}`).map((m) => m.data as Record<string, string>));
    const restRow = async (): Promise<Record<string, string>> =>
      (await new RestClientV5({ baseUrl: fake.restUrl }).getTickers({ category: 'linear', symbol: S })).result.list[0] as unknown as Record<string, string>;
    const fields = ['lastPrice', 'markPrice', 'highPrice24h', 'lowPrice24h', 'turnover24h', 'nextFundingTime', 'fundingRate', 'bid1Price', 'ask1Price'];
    await subscribe([`tickers.${S}`]);
    // The market moves with no push, then a second socket subscribes and gets a snapshot of it.
    fake.setCursor(S, fake.market(S).index + 9);
    const pub2 = wsClient(fake.wsPublicUrl);
    const updates2 = new Updates(pub2);
    pub2.subscribeV5([`tickers.${S}`], 'linear');
    await until(() => updates2.all.some((m) => m.topic === `tickers.${S}`));
    let from = updates.all.length;
    fake.advance(1, [S]);
    await updates.next((m) => m.topic === `tickers.${S}`, 5000, from);
    await until(() => updates2.all.filter((m) => m.topic === `tickers.${S}`).length >= 2);
    let row = await restRow();
    for (const k of fields) expect(merged()[k], `first socket: ${k}`).toBe(row[k]);
    const merged2 = Object.assign({}, ...updates2.all.filter((m) => m.topic === `tickers.${S}`).map((m) => m.data as Record<string, string>));
    for (const k of fields) expect(merged2[k], `second socket: ${k}`).toBe(row[k]);
    pub2.closeAll(true);
    // Steps held and never sent: the next pushed delta still brings the socket to the market's state.
    for (let i = 0; i < 8; i++) fake.prepareAdvance([S]);
    from = updates.all.length;
    fake.advance(1, [S]);
    await updates.next((m) => m.topic === `tickers.${S}`, 5000, from);
    row = await restRow();
    for (const k of fields) expect(merged()[k], `after held steps: ${k}`).toBe(row[k]);
  });

  it('dropKlines skips closed bars on the stream while REST still serves them (gap fill)', async () => {
    await subscribe([`kline.60.${S}`, `tickers.${S}`]);
    await until(() => updates.all.length > 0);
    const at = fake.market(S).index;
    const from = updates.all.length;
    fake.dropKlines(S, 2);
    fake.advance(3);
    await updates.next(isKline(`kline.60.${S}`, true), 5000, from);
    const confirmed = updates.all.slice(from).filter(isKline(`kline.60.${S}`, true)).map((m) => klineData(m).start);
    expect(confirmed).toEqual([h1.start[at + 3]]);
    const rest = new RestClientV5({ baseUrl: fake.restUrl });
    const rows = (await rest.getKline({ category: 'linear', symbol: S, interval: '60', limit: 3 })).result.list.map((r) => Number(r[0]));
    expect(rows).toEqual([h1.start[at + 3], h1.start[at + 2], h1.start[at + 1]]);
  });

  it('reconnects and resubscribes after disconnectPublic, then keeps streaming', async () => {
    await subscribe([`kline.60.${S}`, `tickers.${S}`]);
    await until(() => updates.all.length > 0);
    const reconnected = once(pub, 'reconnected');
    const before = updates.all.filter((m) => m.topic === `tickers.${S}`).length;
    fake.disconnectPublic();
    await reconnected;
    await until(() => updates.all.filter((m) => m.topic === `tickers.${S}`).length > before);
    const from = updates.all.length;
    fake.advance(1);
    await updates.next(isKline(`kline.60.${S}`, true), 5000, from);
  });

  it('answers unknown topics with success:false (the client emits an exception)', async () => {
    const ex = once(pub, 'exception', (e) => e.op === 'subscribe');
    pub.subscribeV5(['kline.60.NOPEUSDT'], 'linear');
    const e = await ex;
    expect(e.success).toBe(false);
    expect(String(e.ret_msg)).toContain('kline.60.NOPEUSDT');
  });
});

describe('bybit-v5 fake: public stream protocol frames (raw ws, compared to the docs samples)', () => {
  it('ping, subscribe and unsubscribe replies have the sample shapes and echo req_id', async () => {
    const ws = new WebSocket(fake.wsPublicUrl);
    const msgs: Record<string, unknown>[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'ping' }));
    ws.send(JSON.stringify({ req_id: 'abc', op: 'subscribe', args: [`kline.60.${S}`] }));
    ws.send(JSON.stringify({ req_id: 'def', op: 'unsubscribe', args: [`kline.60.${S}`] }));
    await until(() => msgs.length >= 3);
    expect(keyShape(msgs[0])).toEqual(keyShape(sample('ws-pong-public-linear.json')));
    expect(msgs[0]).toMatchObject({ success: true, ret_msg: 'pong', op: 'ping' });
    expect(keyShape(msgs[1])).toEqual(keyShape(sample('ws-subscribe-response-public-linear.json')));
    expect(msgs[1]).toMatchObject({ success: true, req_id: 'abc', op: 'subscribe' });
    expect(msgs[2]).toMatchObject({ success: true, req_id: 'def', op: 'unsubscribe' });
    ws.close();
  });
});
