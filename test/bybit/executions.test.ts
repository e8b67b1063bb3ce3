import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrivateStreamRouter, toExecution, type VendorExecution } from '../../engine/bybit/executions.ts';
import { judgeKeyPermissions } from '../../engine/bybit/key-permissions.ts';
import { venueOrderSide } from '../../engine/bybit/live-broker.ts';
import type { Execution } from '../../engine/exec/broker.ts';
import { isDeskError } from '../../engine/errors.ts';
import { silentLogger } from '../../engine/log.ts';

const sample = JSON.parse(readFileSync(new URL('./fixtures/ws-execution.json', import.meta.url), 'utf8')) as { data: VendorExecution[] };

const exec = (over: Partial<VendorExecution>): VendorExecution => ({
  symbol: 'BTCUSDT',
  execId: 'e1',
  orderId: 'o1',
  orderLinkId: 'link-1',
  side: 'Buy',
  execQty: '0.010',
  execPrice: '37000.0',
  execFee: '0.2',
  execType: 'Trade',
  execTime: '1701216000000',
  closedSize: '0',
  stopOrderType: 'UNKNOWN',
  seq: 1,
  ...over,
});

describe('vendor executions → desk Executions', () => {
  it('maps the verbatim Bybit sample (a closing Sell belongs to a long)', () => {
    const e = toExecution(sample.data[0]!);
    expect(e).toEqual({
      execId: '0ab1bdf7-4219-438b-b30a-32ec863018f7',
      orderId: '9aac161b-8ed6-450d-9cab-c5cc67c21784',
      orderLinkId: '',
      symbol: 'BTCUSDT',
      side: 'long',
      qty: 0.5,
      price: 95900.1,
      fee: 26.3725275,
      reduceOnly: true,
      kind: 'close',
      quoteId: null,
      at: 1746270400353,
    });
  });

  it('classifies entries, stops, targets, liquidations and skips funding rows', () => {
    expect(toExecution(exec({}))).toMatchObject({ kind: 'entry', side: 'long', reduceOnly: false });
    expect(toExecution(exec({ side: 'Sell' }))).toMatchObject({ kind: 'entry', side: 'short' });
    expect(toExecution(exec({ side: 'Sell', closedSize: '0.01', stopOrderType: 'StopLoss' }))).toMatchObject({ kind: 'stop', side: 'long' });
    expect(toExecution(exec({ side: 'Buy', closedSize: '0.01', stopOrderType: 'PartialTakeProfit' }))).toMatchObject({ kind: 'target', side: 'short' });
    expect(toExecution(exec({ side: 'Sell', closedSize: '0.01', execType: 'BustTrade' }))).toMatchObject({ kind: 'liquidation' });
    expect(toExecution(exec({ execType: 'Funding' }))).toBeNull();
    expect(toExecution(exec({ execQty: '0' }))).toBeNull();
  });

  it('maps desk sides to venue order sides (reduce-only closes go the other way)', () => {
    expect(venueOrderSide('long', false)).toBe('Buy');
    expect(venueOrderSide('short', false)).toBe('Sell');
    expect(venueOrderSide('long', true)).toBe('Sell');
    expect(venueOrderSide('short', true)).toBe('Buy');
  });
});

describe('PrivateStreamRouter ordering', () => {
  it('forgets the fill count of an order once it is final, so a long-running desk keeps only its working orders', async () => {
    const fetched: string[] = [];
    const router = new PrivateStreamRouter({
      logger: silentLogger,
      fetchExecutions: async (q) => {
        fetched.push(q.orderId);
        return [];
      },
      onExecution: () => undefined,
      onOrder: () => undefined,
    });
    for (let i = 0; i < 500; i++) {
      router.push({ topic: 'execution', data: [exec({ execId: `f${i}`, orderId: `o${i}`, seq: i })] });
      router.push({ topic: 'order', data: [{ symbol: 'BTCUSDT', orderId: `o${i}`, orderLinkId: `l${i}`, orderStatus: i % 2 ? 'Filled' : 'Cancelled', cumExecQty: '0.010' }] });
    }
    // One still working: partly filled, not final.
    router.push({ topic: 'execution', data: [exec({ execId: 'w1', orderId: 'ow', seq: 1000 })] });
    router.push({ topic: 'order', data: [{ symbol: 'BTCUSDT', orderId: 'ow', orderLinkId: 'lw', orderStatus: 'PartiallyFilled', cumExecQty: '0.010' }] });
    await router.idle();
    expect(router.countedOrders).toBe(1);
    // Every update matched the fills already delivered: no REST pull was needed.
    expect(fetched).toEqual([]);
  });

  it('a fill whose execTime cannot be read goes after the readable ones, stamped with the desk clock (not 0, which reads as older than any position)', async () => {
    const seen: Execution[] = [];
    const router = new PrivateStreamRouter({
      logger: silentLogger,
      now: () => 1_800_000_000_000,
      fetchExecutions: async () => [],
      onExecution: (e) => void seen.push(e),
      onOrder: () => undefined,
    });
    router.push({ topic: 'execution', data: [exec({ execId: 'garbled', execTime: 'soon', seq: 1 }), exec({ execId: 'late', execTime: '1701216005000', seq: 3 }), exec({ execId: 'early', execTime: '1701216000000', seq: 2 })] });
    await router.idle();
    expect(seen.map((e) => [e.execId, e.at])).toEqual([
      ['early', 1701216000000],
      ['late', 1701216005000],
      ['garbled', 1_800_000_000_000],
    ]);
  });

  it('delivers fills before the order update that reports them, in venue sequence, each once', async () => {
    const seen: string[] = [];
    const router = new PrivateStreamRouter({
      logger: silentLogger,
      fetchExecutions: async () => [],
      onExecution: async (e: Execution) => {
        seen.push(`fill:${e.execId}`);
      },
      onOrder: async (o) => {
        seen.push(`order:${o.status}`);
      },
    });
    // The order update arrives first on the wire, then two executions out of sequence, then a replay.
    router.push({ topic: 'order', data: [{ symbol: 'BTCUSDT', orderId: 'o1', orderLinkId: 'l1', orderStatus: 'Filled', cumExecQty: '0.02' }] });
    router.push({ topic: 'execution', data: [exec({ execId: 'b', seq: 2 }), exec({ execId: 'a', seq: 1 })] });
    router.push({ topic: 'execution', data: [exec({ execId: 'a', seq: 1 })] });
    await router.idle();
    expect(seen).toEqual(['fill:a', 'fill:b', 'order:Filled']);
  });

  it('pulls missing fills over REST when an order update is ahead of the stream', async () => {
    const seen: string[] = [];
    const router = new PrivateStreamRouter({
      logger: silentLogger,
      fetchExecutions: async (q) => (q.orderId === 'o1' ? [exec({ execId: 'rest-1', execQty: '0.02' })] : []),
      onExecution: (e) => void seen.push(`fill:${e.execId}`),
      onOrder: (o) => void seen.push(`order:${o.status}`),
    });
    router.push({ topic: 'order', data: [{ symbol: 'BTCUSDT', orderId: 'o1', orderLinkId: 'l1', orderStatus: 'Filled', cumExecQty: '0.02' }] });
    await router.idle();
    // The same fill arriving later on the stream is not delivered twice.
    router.push({ topic: 'execution', data: [exec({ execId: 'rest-1', execQty: '0.02' })] });
    await router.idle();
    expect(seen).toEqual(['fill:rest-1', 'order:Filled']);
  });

  it('stops at a fill the sink refused and offers it, and the fills after it, again on the next delivery', async () => {
    const seen: string[] = [];
    let down = true;
    const router = new PrivateStreamRouter({
      logger: silentLogger,
      fetchExecutions: async () => [],
      onExecution: (e) => {
        seen.push(e.execId);
        if (e.execId === 'x' && down) throw new Error('desk down');
      },
      onOrder: () => undefined,
    });
    const x = exec({ execId: 'x', seq: 1 });
    const y = exec({ execId: 'y', seq: 2 });
    const z = exec({ execId: 'z', seq: 3, execTime: '1701216000500' });
    router.push({ topic: 'execution', data: [x, y] });
    await router.idle();
    expect(seen).toEqual(['x']); // y is held back: it must not reach the ledger before x
    expect(router.holding).toBe(true);
    // A later stream message is held too (a stop must not close what x has not opened yet).
    router.push({ topic: 'execution', data: [z] });
    await router.idle();
    expect(seen).toEqual(['x']);
    // A catch-up: x is refused again, the rest still held.
    expect(await router.deliverExecutions([x])).toBe(3);
    down = false;
    // The next catch-up delivers what it lists and what was held, even rows it did not list, in order.
    expect(await router.deliverExecutions([])).toBe(0);
    expect(seen).toEqual(['x', 'x', 'x', 'y', 'z']);
    expect(router.holding).toBe(false);
    expect(await router.deliverExecutions([x, y, z])).toBe(0);
    expect(seen).toEqual(['x', 'x', 'x', 'y', 'z']);
  });

  it('made holding, keeps stream fills and other catch-ups until the catch-up that ends the first hold', async () => {
    const seen: string[] = [];
    const router = new PrivateStreamRouter({ holding: true, logger: silentLogger, fetchExecutions: async () => [], onExecution: (e) => void seen.push(e.execId), onOrder: () => undefined });
    router.push({ topic: 'execution', data: [exec({ execId: 'stream-new', execTime: '1701216000900' })] });
    await router.idle();
    expect(await router.deliverExecutions([exec({ execId: 'reconnect', execTime: '1701216000500' })])).toBe(2);
    expect(seen).toEqual([]);
    expect(await router.deliverExecutions([exec({ execId: 'while-down', execTime: '1701216000100' })], true)).toBe(0);
    expect(seen).toEqual(['while-down', 'reconnect', 'stream-new']);
    expect(router.holding).toBe(false);
  });

  it('orders a catch-up across symbols by time (Bybit numbers seq per symbol)', async () => {
    const seen: string[] = [];
    const router = new PrivateStreamRouter({ logger: silentLogger, fetchExecutions: async () => [], onExecution: (e) => void seen.push(e.execId), onOrder: () => undefined });
    await router.deliverExecutions([
      exec({ execId: 'btc-late', symbol: 'BTCUSDT', seq: 10, execTime: '1701216000300' }),
      exec({ execId: 'eth-early', symbol: 'ETHUSDT', seq: 900, execTime: '1701216000100' }),
      exec({ execId: 'btc-early', symbol: 'BTCUSDT', seq: 9, execTime: '1701216000100' }),
    ]);
    expect(seen).toEqual(['btc-early', 'eth-early', 'btc-late']);
  });
});

describe('API key permission gate', () => {
  const trade = { ContractTrade: ['Order', 'Position'], Wallet: [] as string[] };
  it('accepts a trade-only key', () => {
    expect(judgeKeyPermissions({ readOnly: 0, permissions: trade, ips: ['1.2.3.4'] }, false)).toEqual({ readOnly: false, canWithdraw: false, canTradeContracts: true, ipBound: true });
  });
  it('refuses a key that can withdraw unless explicitly allowed', () => {
    const info = { readOnly: 0, permissions: { ...trade, Wallet: ['AccountTransfer', 'Withdraw'] } };
    let err: unknown;
    try {
      judgeKeyPermissions(info, false);
    } catch (e) {
      err = e;
    }
    expect(isDeskError(err, 'CONFIG')).toBe(true);
    expect(String((err as { detail: { reason: string } }).detail.reason)).toMatch(/withdraw/);
    expect(judgeKeyPermissions(info, true).canWithdraw).toBe(true);
  });
  it('refuses a read-only key', () => {
    expect(() => judgeKeyPermissions({ readOnly: 1, permissions: trade }, false)).toThrow(/read-only/);
  });
});
