// The positions, risk and signals repos remember what the closed-bar path reads between writes. These
// tests try to make them lie: writes from a second connection on the same file (seen from the next
// event-loop turn), writes inside a transaction that rolls back, and expiry bounds moved by inserts
// and expiries.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../engine/index.ts';
import { signalRow } from '../helpers/signal-row.ts';
import { walFiles } from '../helpers/wal-files.ts';

const files = walFiles('desk-memo-');
afterEach(() => files.close());

/** Another connection's commits are seen from the next event-loop turn (data_version is probed once a turn). */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

function position(id: string, symbol: string, openedAt = 1) {
  return { id, mode: 'paper' as const, symbol, side: 'long' as const, qty: 2, entryPrice: 100, stop: 90, targets: [110, 120], leverage: 2, signalId: null, actorKind: 'rpc', actorId: 'x', openedAt };
}


describe('PositionsRepo memo', () => {
  it('sees positions opened, marked and closed by another connection (from the next event-loop turn)', async () => {
    const [desk, other] = await files.twoStores();
    expect(desk.positions.openAll('paper')).toEqual([]);
    expect(desk.positions.openOn('paper', 'BTCUSDT')).toBeNull();
    other.positions.open(position('p1', 'BTCUSDT'));
    await nextTurn();
    expect(desk.positions.openOn('paper', 'BTCUSDT')?.id).toBe('p1');
    other.positions.markPrice('paper', 'BTCUSDT', 95);
    await nextTurn();
    expect(desk.positions.openAll('paper')[0]?.lastPrice).toBe(95);
    const p = other.positions.get('p1')!;
    other.positions.save({ ...p, qty: 0, status: 'closed', closedAt: 5, closeReason: 'stop', realizedPnl: -20, fees: 1 });
    await nextTurn();
    expect(desk.positions.openAll('paper')).toEqual([]);
    expect(desk.positions.realizedNet('paper')).toBe(-21);
  });

  it('keeps no trace of writes rolled back with their transaction', async () => {
    const [desk] = await files.twoStores();
    desk.positions.open(position('p1', 'ETHUSDT'));
    desk.positions.markPrice('paper', 'ETHUSDT', 101);
    expect(() =>
      desk.tx(() => {
        desk.positions.open(position('p2', 'BTCUSDT', 2));
        desk.positions.markPrice('paper', 'ETHUSDT', 50);
        const p = desk.positions.get('p1')!;
        desk.positions.save({ ...p, realizedPnl: 999 });
        // Inside the transaction the reads see its own writes.
        expect(desk.positions.openAll('paper').map((x) => x.id)).toEqual(['p1', 'p2']);
        expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(50);
        expect(desk.positions.realizedNet('paper')).toBe(999);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(desk.positions.openAll('paper').map((x) => x.id)).toEqual(['p1']);
    expect(desk.positions.openOn('paper', 'BTCUSDT')).toBeNull();
    expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(101);
    expect(desk.positions.realizedNet('paper')).toBe(0);
  });

  it('hands out copies: a caller mutating a row changes nothing until it saves', async () => {
    const [desk] = await files.twoStores();
    desk.positions.open(position('p1', 'SOLUSDT'));
    const row = desk.positions.openOn('paper', 'SOLUSDT')!;
    row.stop = 1;
    row.targets.push(999);
    expect(desk.positions.openOn('paper', 'SOLUSDT')).toMatchObject({ stop: 90, targets: [110, 120] });
    desk.positions.save(row);
    expect(desk.positions.openAll('paper')[0]).toMatchObject({ stop: 1 });
  });

  it('marks only the open position of the symbol, in its mode', async () => {
    const [desk, other] = await files.twoStores();
    desk.positions.open(position('p1', 'BTCUSDT'));
    desk.positions.markPrice('paper', 'ETHUSDT', 7);
    desk.positions.markPrice('live', 'BTCUSDT', 7);
    desk.positions.markPrice('paper', 'BTCUSDT', 105);
    expect(other.positions.get('p1')?.lastPrice).toBe(105);
    expect(desk.positions.openOn('paper', 'BTCUSDT')?.lastPrice).toBe(105);
  });
});

describe('RiskRepo memo', () => {
  it('sees flags, day rolls and stages written by another connection; rolled-back writes leave no trace', async () => {
    const [desk, other] = await files.twoStores();
    expect(desk.risk.get().killSwitch).toBe(false);
    expect(desk.risk.stages().size).toBe(0);
    other.risk.setFlags({ entriesPaused: false, killSwitch: true, breakerTripped: false }, 'ops', 2);
    other.risk.rollDay(86_400_000, 5_000, 3);
    other.risk.setStage('bb-grid-long', 'shadow', 4, 'demoted');
    await nextTurn();
    expect(desk.risk.get()).toMatchObject({ killSwitch: true, reason: 'ops', dayStart: 86_400_000, dayStartEquity: 5_000 });
    expect(desk.risk.stages().get('bb-grid-long')?.stage).toBe('shadow');
    expect(() =>
      desk.tx(() => {
        desk.risk.setFlags({ entriesPaused: true, killSwitch: false, breakerTripped: true }, 'x', 5);
        desk.risk.setStage('bb-grid-long', 'live', 5, 'promoted');
        expect(desk.risk.get().breakerTripped).toBe(true);
        expect(desk.risk.stages().get('bb-grid-long')?.stage).toBe('live');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(desk.risk.get()).toMatchObject({ killSwitch: true, breakerTripped: false, entriesPaused: false });
    expect(desk.risk.stages().get('bb-grid-long')?.stage).toBe('shadow');
    const copy = desk.risk.get();
    copy.killSwitch = false;
    desk.risk.stages().clear();
    expect(desk.risk.get().killSwitch).toBe(true);
    expect(desk.risk.stages().size).toBe(1);
  });
});

describe('SignalsRepo expiry bounds', () => {
  it('expires by wall time and by series bar time exactly as the UPDATEs say, across inserts', async () => {
    const [desk] = await files.twoStores();
    expect(desk.signals.expire(1_000_000)).toEqual([]);
    expect(desk.signals.expireSeries('BTCUSDT', '60', 1_000_000)).toEqual([]);
    desk.signals.insert(signalRow('a', { barTime: 1_000, expiresAt: 10_000 }));
    desk.signals.insert(signalRow('b', { side: 'short', strategy: 'bb-grid-short', barTime: 2_000, expiresAt: 5_000 }));
    desk.signals.insert(signalRow('c', { symbol: 'ETHUSDT', barTime: 500, expiresAt: 50_000 }));
    expect(desk.signals.expireSeries('BTCUSDT', '60', 999)).toEqual([]);
    expect(desk.signals.expireSeries('BTCUSDT', '240', 5_000)).toEqual([]);
    expect(desk.signals.expireSeries('BTCUSDT', '60', 1_000)).toEqual(['a']);
    expect(desk.signals.expire(4_999)).toEqual([]);
    expect(desk.signals.expire(5_000)).toEqual(['b']);
    // A new live signal with an earlier expiry than any remembered one is still found.
    desk.signals.insert(signalRow('d', { barTime: 100, expiresAt: 6_000 }));
    expect(desk.signals.expire(6_000)).toEqual(['d']);
    expect(desk.signals.expireSeries('ETHUSDT', '60', 500)).toEqual(['c']);
    expect(desk.signals.countLive(0)).toBe(0);
  });

  it('finds signals another connection inserted, and ones whose expiry was rolled back', async () => {
    const [desk, other] = await files.twoStores();
    desk.signals.insert(signalRow('a', { expiresAt: 9_000 }));
    expect(desk.signals.expire(100)).toEqual([]);
    other.signals.insert(signalRow('x', { symbol: 'SOLUSDT', barTime: 10, expiresAt: 200 }));
    await nextTurn();
    expect(desk.signals.expireSeries('SOLUSDT', '60', 10)).toEqual(['x']);
    other.signals.insert(signalRow('y', { symbol: 'WIFUSDT', expiresAt: 300 }));
    await nextTurn();
    expect(desk.signals.expire(299)).toEqual([]);
    expect(() =>
      desk.tx(() => {
        expect(desk.signals.expire(9_000).sort()).toEqual(['a', 'y']);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(desk.signals.expire(9_000).sort()).toEqual(['a', 'y']);
  });
});

describe('PositionsRepo staged marks (the closed-bar path marks held symbols, written with its group commit)', () => {
  it('every read sees a staged mark at once; the row has it once the batch that wrote it commits', async () => {
    const [desk, other] = await files.twoStores();
    desk.positions.open(position('p1', 'ETHUSDT'));
    desk.positions.openAll('paper'); // remembered
    desk.positions.stageMark('paper', 'ETHUSDT', 97);
    expect(desk.positions.openAll('paper')[0]?.lastPrice).toBe(97);
    expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(97);
    expect(desk.positions.get('p1')?.lastPrice).toBe(97);
    expect(desk.positions.list('paper', 'open', 10)[0]?.lastPrice).toBe(97);
    // Not yet in the database: another connection still reads the entry price.
    expect(other.positions.get('p1')?.lastPrice).toBe(100);
    // A write on the same connection drops the memo: rows read again still carry the staged mark.
    desk.positions.open(position('p2', 'BTCUSDT', 2));
    expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(97);
    desk.tx(() => desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice === 97 || expect.fail('inside a transaction too'));
    const forget = desk.tx(() => desk.positions.writeStagedMark('paper', 'ETHUSDT'));
    forget?.();
    await nextTurn();
    expect(other.positions.get('p1')?.lastPrice).toBe(97);
    expect(desk.positions.writeStagedMark('paper', 'ETHUSDT')).toBeNull();
  });

  /** Opens p1 on ETHUSDT, stages `price`, runs `inTx` in a transaction that then throws; returns both connections. */
  async function stagedThenRolledBack(price: number, inTx: (desk: Store) => void): Promise<[Store, Store]> {
    const [desk, other] = await files.twoStores();
    desk.positions.open(position('p1', 'ETHUSDT'));
    desk.positions.stageMark('paper', 'ETHUSDT', price);
    expect(() =>
      desk.tx(() => {
        inTx(desk);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    return [desk, other];
  }

  /** The staged mark is written by a batch that commits: the other connection reads `price`. */
  async function writtenByNextBatch(desk: Store, other: Store, price: number): Promise<void> {
    desk.tx(() => desk.positions.writeStagedMark('paper', 'ETHUSDT'))?.();
    await nextTurn();
    expect(other.positions.get('p1')?.lastPrice).toBe(price);
  }

  it('a batch rolled back leaves the mark staged, and the next batch writes it', async () => {
    const [desk, other] = await stagedThenRolledBack(96, (d) => d.positions.writeStagedMark('paper', 'ETHUSDT'));
    expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(96);
    await writtenByNextBatch(desk, other, 96);
  });

  it('a save rolled back with its transaction (a ledger write after it failed) leaves the staged mark it dropped standing', async () => {
    const [desk, other] = await stagedThenRolledBack(97, (d) => {
      const p = d.positions.get('p1')!;
      d.positions.save({ ...p, lastPrice: 96.5, stop: 91 });
      expect(d.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(96.5); // the transaction sees its own write
    });
    expect(desk.positions.openOn('paper', 'ETHUSDT')).toMatchObject({ lastPrice: 97, stop: 90 });
    await writtenByNextBatch(desk, other, 97);
  });

  it('a mark staged for a position that then closed never reaches the next position on the symbol', async () => {
    const [desk] = await files.twoStores();
    desk.positions.open(position('p1', 'ETHUSDT'));
    desk.positions.stageMark('paper', 'ETHUSDT', 80);
    const p = desk.positions.get('p1')!;
    desk.positions.save({ ...p, qty: 0, status: 'closed', closedAt: 5, closeReason: 'stop', lastPrice: 80 });
    expect(desk.positions.writeStagedMark('paper', 'ETHUSDT')).toBeNull();
    desk.positions.open({ ...position('p2', 'ETHUSDT', 6), entryPrice: 120 });
    expect(desk.positions.openOn('paper', 'ETHUSDT')?.lastPrice).toBe(120);
    // A save after the mark says what is true, as if the mark had been written when it was taken: a
    // partial exit's fill price, or the staged mark the row was read with.
    desk.positions.stageMark('paper', 'ETHUSDT', 121);
    const q = desk.positions.get('p2')!;
    expect(q.lastPrice).toBe(121);
    desk.positions.save({ ...q, lastPrice: 119.5, stop: 110 });
    expect(desk.positions.openOn('paper', 'ETHUSDT')).toMatchObject({ lastPrice: 119.5, stop: 110 });
    expect(desk.positions.writeStagedMark('paper', 'ETHUSDT')).toBeNull();
  });
});
