import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { ManualClock } from '../../engine/index.ts';
import { splitMessage, TELEGRAM_TEXT_LIMIT } from '../../bot/index.ts';
import { NonceStore } from '../../bot/nonce-store.ts';
import { FloodGuard } from '../../bot/flood-guard.ts';
import { decodeCallbackData, encodeCallbackData } from '../../bot/callback-data.ts';
import { renderChart } from '../../bot/chart.ts';
import { chatIdOfActor } from '../../bot/roles.ts';

describe('splitMessage', () => {
  it('keeps short text whole and splits long text on line boundaries', () => {
    expect(splitMessage('hello')).toEqual(['hello']);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const chunks = splitMessage(lines.join('\n'));
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(chunks.join('\n')).toBe(lines.join('\n'));
    for (const c of chunks) expect(c.startsWith('line ')).toBe(true);
  });
  it('cuts a single overlong line hard and refuses a bad limit', () => {
    const chunks = splitMessage('a'.repeat(10_000));
    expect(chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
    expect(() => splitMessage('x', 0)).toThrow(RangeError);
  });
});

describe('NonceStore', () => {
  it('binds to user and action, expires, and spends single-use nonces once', () => {
    const clock = new ManualClock(0);
    const s = new NonceStore(clock);
    const n = s.issue('1', 'c', 'sig', 30_000, true);
    const olderSibling = s.issue('1', 'c', 'sig', 30_000, true);
    expect(s.consume(n, '2', 'c').ok).toBe(false);
    expect(s.consume(n, '1', 'x')).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(s.consume(n, '1', 'c', 'other')).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(s.consume(n, '1', 'c', 'sig').ok).toBe(true);
    expect(s.consume(n, '1', 'c')).toMatchObject({ ok: false, reason: 'replayed' });
    // Siblings issued before the spend are void; a fresh confirmation issued later is valid.
    expect(s.consume(olderSibling, '1', 'c')).toMatchObject({ ok: false, reason: 'replayed' });
    const fresh = s.issue('1', 'c', 'sig', 30_000, true);
    expect(s.consume(fresh, '1', 'c').ok).toBe(true);
    const late = s.issue('1', 'c', 'sig2', 30_000, true);
    clock.advance(30_000);
    expect(s.consume(late, '1', 'c')).toMatchObject({ ok: false, reason: 'expired' });
    expect(s.consume('AAAAAAAAAAAAAAAA', '1', 'c')).toMatchObject({ ok: false, reason: 'unknown' });
  });
});

describe('callback data', () => {
  it('stays within 64 bytes and drops a ref that does not fit', () => {
    const d = encodeCallbackData('x', 'abcdefghijklmnop', 'sig_123');
    expect(d).toBe('x:abcdefghijklmnop:sig_123');
    expect(decodeCallbackData(d)).toEqual({ action: 'x', nonce: 'abcdefghijklmnop', ref: 'sig_123' });
    const long = encodeCallbackData('x', 'abcdefghijklmnop', 'y'.repeat(60));
    expect(long).toBe('x:abcdefghijklmnop');
    expect(decodeCallbackData('x:short')).toBeNull();
    expect(decodeCallbackData('x:' + 'a'.repeat(70))).toBeNull();
  });
});

describe('FloodGuard', () => {
  it('lets a burst through, then one per second per user', () => {
    const clock = new ManualClock(0);
    const g = new FloodGuard(clock, { perSecond: 1, burst: 3 });
    expect([g.allow('a'), g.allow('a'), g.allow('a'), g.allow('a')]).toEqual([true, true, true, false]);
    expect(g.allow('b')).toBe(true);
    clock.advance(1000);
    expect([g.allow('a'), g.allow('a')]).toEqual([true, false]);
  });
});

describe('chart', () => {
  it('renders a PNG with candles, bands and levels', () => {
    const candles = Array.from({ length: 60 }, (_, i) => {
      const c = 100 + Math.sin(i / 5) * 5;
      return { t: i * 3600_000, o: c - 1, h: c + 2, l: c - 2, c };
    });
    const buf = renderChart(candles, { entry: 100, stop: 94, targets: [106, 110] });
    const png = PNG.sync.read(buf);
    expect([png.width, png.height]).toEqual([640, 360]);
    expect(buf.length).toBeLessThan(60_000);
    expect(() => renderChart(candles.slice(0, 1), { entry: 1, stop: 1, targets: [1] })).toThrow(RangeError);
  });
});

describe('chatIdOfActor', () => {
  it('maps telegram actor ids only', () => {
    expect(chatIdOfActor('123')).toBe(123);
    expect(chatIdOfActor('telegram:77')).toBe(77);
    expect(chatIdOfActor('ops-token')).toBeNull();
    expect(chatIdOfActor(null)).toBeNull();
  });
});
