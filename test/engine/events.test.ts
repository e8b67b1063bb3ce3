import { describe, expect, it } from 'vitest';
import { EventBus, type DeskEvent } from '../../engine/events.ts';

const ev: DeskEvent = { type: 'feed.stale', at: 1, lagMs: 5 };

describe('EventBus', () => {
  it('isolates a throwing listener: the others still get the event and the emitter never sees the error', () => {
    const failures: string[] = [];
    const bus = new EventBus((err) => failures.push((err as Error).message));
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('front-end broke');
    });
    bus.subscribe((e) => void got.push(e.type));
    expect(() => bus.emit(ev)).not.toThrow();
    expect(got).toEqual(['feed.stale']);
    expect(failures).toEqual(['front-end broke']);
  });

  it('reports an async listener rejection to the hook instead of leaving it unhandled (which would crash the desk)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failures: DeskEvent[] = [];
      const bus = new EventBus((_err, e) => failures.push(e));
      bus.subscribe(async () => {
        await Promise.resolve();
        throw new Error('async front-end broke');
      });
      bus.emit(ev);
      await new Promise((r) => setTimeout(r, 20));
      expect(failures).toEqual([ev]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('survives an error hook that throws, and unsubscribe stops delivery', () => {
    const bus = new EventBus(() => {
      throw new Error('logger broke');
    });
    let n = 0;
    const off = bus.subscribe(() => {
      n++;
      throw new Error('x');
    });
    expect(() => bus.emit(ev)).not.toThrow();
    off();
    bus.emit(ev);
    expect(n).toBe(1);
    expect(bus.size).toBe(0);
  });
});
