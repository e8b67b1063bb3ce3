import type { Bar } from '../market/types.ts';
import type { DeskLogger } from '../log.ts';

/** What a feed reports when a series had a hole: how many bars were missing and whether all were refilled. */
export interface GapInfo {
  symbol: string;
  interval: string;
  /** First missing bar start and last missing bar start (epoch ms). */
  from: number;
  to: number;
  missing: number;
  /** Bars fetched over REST and delivered before the new one. */
  refilled: number;
  repaired: boolean;
  reason: 'missing-bar' | 'reconnect';
}

/** What a sequencer needs from its feed. */
export interface SequencerDeps {
  symbol: string;
  interval: string;
  intervalMs: number;
  /** Closed bars with start in [from, to] (to = null: up to now), ascending; rejects when REST fails. */
  fetchRange(from: number, to: number | null): Promise<Bar[]>;
  /** Hands bars, already in order, to the desk; awaited. Calls must be served in call order (a serial queue). */
  deliver(bars: Bar[]): Promise<void>;
  onGap(info: GapInfo): void;
  logger: DeskLogger;
  /** REST attempts per repair before giving up and reporting the hole (default 3). */
  repairAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Counters a sequencer keeps, for tests and metrics. */
export interface SequencerStats {
  delivered: number;
  duplicates: number;
  refilled: number;
  unrepaired: number;
}

/**
 * Orders the closed bars of one symbol × interval: every operation runs on one promise chain, so
 * bars leave strictly ascending by start, each at most once (dedupe by start), and a hole (next start ≠
 * last start + interval, or a reconnect) is refilled over REST and delivered BEFORE the bar after it.
 * Never rejects: a failed repair is retried (bounded), then reported through onGap with repaired=false.
 */
export class KlineSequencer {
  private last: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Jobs (bars with a gap or a duplicate, catch-ups) queued and not yet settled. */
  private jobs = 0;
  private readonly s: SequencerStats = { delivered: 0, duplicates: 0, refilled: 0, unrepaired: 0 };

  /** Builds an idle sequencer with no baseline. */
  constructor(private readonly d: SequencerDeps) {}

  /** Start of the last bar delivered (or the history baseline), or null. */
  get lastStart(): number | null {
    return this.last;
  }

  /** A copy of the counters. */
  stats(): SequencerStats {
    return { ...this.s };
  }

  /** Sets the baseline from history: bars up to `start` count as already delivered; never moves back. */
  setBaseline(start: number): void {
    if (this.last === null || start > this.last) this.last = start;
  }

  /** Queues one closed bar from the stream; resolves once it (and any refilled gap before it) was handled. */
  push(bar: Bar): Promise<void> {
    // The common case, the next bar of an idle series, is handed over at once: one delivery instead
    // of a job on the chain, at every closed bar of every symbol. Order still holds: deliveries run
    // one after another in call order, and a job queued later (a gap, a catch-up) waits for this one.
    if (this.jobs === 0 && this.last !== null && bar.start === this.last + this.d.intervalMs) {
      this.last = bar.start;
      this.s.delivered++;
      const run = this.d.deliver([bar]).catch(this.jobFailed);
      this.chain = run;
      return run;
    }
    return this.enqueue(() => this.handleBar(bar));
  }

  /** Queues a REST catch-up of every closed bar after the last one (after a (re)connect); resolves when done. */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.handleCatchUp());
  }

  /** Resolves when everything queued so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.jobs++;
    const run = this.chain
      .then(job)
      .catch(this.jobFailed)
      .finally(() => this.jobs--);
    this.chain = run;
    return run;
  }

  private readonly jobFailed = (e: unknown): void => {
    this.d.logger.error({ symbol: this.d.symbol, interval: this.d.interval, err: e instanceof Error ? e.name : 'error' }, 'kline sequencer job failed');
  };

  private async fetchWithRetry(from: number, to: number | null): Promise<Bar[] | null> {
    const attempts = Math.max(1, this.d.repairAttempts ?? 3);
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.d.fetchRange(from, to);
      } catch {
        if (i < attempts - 1 && this.d.sleep) await this.d.sleep(200 * 2 ** i);
      }
    }
    return null;
  }

  private async handleBar(bar: Bar): Promise<void> {
    const iv = this.d.intervalMs;
    if (this.last !== null && bar.start <= this.last) {
      this.s.duplicates++;
      return;
    }
    if (this.last === null || bar.start === this.last + iv) {
      await this.emit([bar]);
      return;
    }
    const from = this.last + iv;
    const to = bar.start - iv;
    const missing = Math.round((to - from) / iv) + 1;
    const fetched = await this.fetchWithRetry(from, to);
    const fill = this.inOrderAfter(fetched ?? [], this.last, bar.start);
    const repaired = fetched !== null && fill.length >= missing;
    if (!repaired) this.s.unrepaired++;
    this.s.refilled += fill.length;
    this.d.onGap({ symbol: this.d.symbol, interval: this.d.interval, from, to, missing, refilled: fill.length, repaired, reason: 'missing-bar' });
    await this.emit([...fill, bar]);
  }

  private async handleCatchUp(): Promise<void> {
    if (this.last === null) return;
    const from = this.last + this.d.intervalMs;
    const fetched = await this.fetchWithRetry(from, null);
    if (fetched === null) {
      this.s.unrepaired++;
      this.d.onGap({ symbol: this.d.symbol, interval: this.d.interval, from, to: from, missing: 0, refilled: 0, repaired: false, reason: 'reconnect' });
      return;
    }
    const fill = this.inOrderAfter(fetched, this.last, Number.POSITIVE_INFINITY);
    if (fill.length === 0) return;
    this.s.refilled += fill.length;
    const to = fill[fill.length - 1]!.start;
    const missing = Math.round((to - from) / this.d.intervalMs) + 1;
    this.d.onGap({ symbol: this.d.symbol, interval: this.d.interval, from, to, missing, refilled: fill.length, repaired: fill.length >= missing, reason: 'reconnect' });
    await this.emit(fill);
  }

  /** Bars strictly between `after` and `before`, ascending, one per start. */
  private inOrderAfter(bars: Bar[], after: number, before: number): Bar[] {
    const byStart = new Map<number, Bar>();
    for (const b of bars) if (b.start > after && b.start < before) byStart.set(b.start, b);
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  }

  private async emit(bars: Bar[]): Promise<void> {
    if (bars.length === 0) return;
    this.last = bars[bars.length - 1]!.start;
    this.s.delivered += bars.length;
    await this.d.deliver(bars);
  }
}
