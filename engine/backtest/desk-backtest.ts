import type { Actor, Interval, Signal } from '../schemas.ts';
import type { DeskConfig } from '../config.ts';
import type { Strategy } from '../scan/strategy.ts';
import type { BacktestData, BacktestSeries } from './data.ts';
import type { TradeRecord } from './trade.ts';
import { Desk } from '../desk.ts';
import { ManualClock } from '../clock.ts';
import { silentLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { openDb } from '../store/db.ts';
import { createStore } from '../store/store.ts';
import { PaperBroker } from '../exec/paper-broker.ts';
import { createPaperLedger } from '../exec/paper-ledger.ts';
import { Scanner } from '../scan/scanner.ts';
import { ReplayMerge, type MergeSource } from '../market/replay-merge.ts';
import { intervalMs } from '../scan/interval.ts';
import { DeskError, toDeskError } from '../errors.ts';
import { BacktestFeed, barAt } from './backtest-feed.ts';
import { FundingSchedule, fundingPayment } from './funding.ts';
import { tradeRecord } from './trade.ts';

/** The actor every backtest entry is executed as (the risk gate applies to it like to anyone). */
export const BACKTEST_ACTOR: Actor = { kind: 'system', id: 'backtest', role: 'admin' };

/** Equity samples of one run: after each close time, the paper wallet equity (USDT). */
export interface EquityCurve {
  t: number[];
  equity: number[];
}

/** The outcome of one interval's desk run. */
export interface RunResult {
  interval: Interval;
  symbols: string[];
  /** Close time of the first and last traded bar. */
  from: number;
  to: number;
  /** Closed bars the desk processed (warm-up excluded). */
  bars: number;
  startEquity: number;
  endEquity: number;
  trades: TradeRecord[];
  equity: EquityCurve;
  /** Signals the desk created. */
  signals: number;
  /** Entries the risk gate or broker refused, by DeskError code. */
  refusals: Record<string, number>;
}

/** Options of one desk run. */
export interface DeskRunOptions {
  /** Base desk config (risk limits, fees, start equity, score threshold, TTL). */
  config: DeskConfig;
  data: BacktestData;
  interval: Interval;
  strategies: readonly Strategy[];
  /** Called now and then with (bars done, bars total); must not throw. */
  onProgress?: (done: number, total: number) => void;
}

interface Source extends MergeSource {
  s: BacktestSeries;
}

/**
 * Walks one interval of `data` forward bar by bar through a real Desk (in-memory SQLite, the same
 * Scanner, risk gate, PaperBroker, ledger and exit management as the live desk), with a ManualClock
 * at each bar's close. Fill model (no look-ahead): every signal created on the bars closing at T is
 * executed by BACKTEST_ACTOR through desk.execute at T against a quote of the NEXT bar's open of its
 * symbol (± half a tick), so a decision on bar t fills at the first price after t's close; exits are
 * the paper broker's bar-triggered stops and targets from bar t+1 on. Funding: at each settlement in
 * (previous close, T] a position still open after the bars at T pays qty × (close at T) × rate.
 * Positions still open at the end are closed at the last close. Rejects with DeskError CONFIG when
 * the interval has no series.
 */
export async function runDeskBacktest(o: DeskRunOptions): Promise<RunResult> {
  const series = o.data.series.filter((s) => s.interval === o.interval);
  const symbols = [...new Set(series.map((s) => s.symbol))].sort();
  if (series.length === 0) throw new DeskError('CONFIG', { interval: o.interval }, `backtest: no series for interval ${o.interval}`);
  const ivMs = intervalMs(o.interval);
  const firstStart = Math.min(...series.map((s) => s.data.start[s.from] as number));
  const config: DeskConfig = {
    ...o.config,
    DESK_DB: ':memory:',
    DESK_UNIVERSE: symbols,
    DESK_INTERVALS: [o.interval],
    DESK_LIVE_STRATEGIES: o.strategies.map((s) => s.name),
    DESK_WARMUP_BARS: Math.max(1, ...series.map((s) => s.from - s.warmFrom)),
    LIMIT_EXECUTES_PER_HOUR: 100_000,
  };
  const clock = new ManualClock(firstStart);
  const { db } = await openDb(':memory:', () => clock.now());
  try {
    const store = createStore(db);
    const feed = new BacktestFeed(series, o.data.instruments, o.data.funding);
    const instruments = await feed.instruments(symbols);
    const qtyStep = new Map(instruments.map((i) => [i.symbol, i.qtyStep]));
    const broker = new PaperBroker(createPaperLedger(store, config.PAPER_START_EQUITY, () => clock.now()), clock, {
      feeRate: config.PAPER_FEE_RATE,
      maxQuoteAgeMs: config.RISK_QUOTE_MAX_AGE_MS,
      qtyStepOf: (s) => qtyStep.get(s) ?? 0.001,
    });
    const scanner = new Scanner({ threshold: config.DESK_SCORE_THRESHOLD, ttlBars: config.DESK_SIGNAL_TTL_BARS, liveStrategies: config.DESK_LIVE_STRATEGIES, strategies: o.strategies });
    const desk = new Desk({
      config,
      clock,
      logger: silentLogger,
      store,
      feed,
      broker,
      scanner,
      metrics: createMetrics(false),
      instruments,
      strategyNames: scanner.strategies.map((s) => s.name),
      autoDemote: false,
    });
    await desk.start();

    const pending: Signal[] = [];
    let signals = 0;
    desk.subscribe((ev) => {
      if (ev.type === 'signal.created') {
        pending.push(ev.signal);
        signals++;
      }
    });
    const sources: Source[] = series.map((s) => ({ s, symbol: s.symbol, intervalMs: ivMs, start: s.data.start, cursor: s.from, end: s.end }));
    const bySymbol = new Map(sources.map((x) => [x.symbol, x]));
    const schedules = new Map(symbols.map((sym) => {
      const f = o.data.funding.get(sym);
      return [sym, f ? new FundingSchedule(f.time.subarray(0, f.length), f.rate.subarray(0, f.length), firstStart) : null] as const;
    }));
    const lastClose = new Map<string, number>();
    const fundingOf = new Map<string, number>();
    const refusals: Record<string, number> = {};
    const curve: EquityCurve = { t: [], equity: [] };
    const merge = new ReplayMerge(sources);
    const total = merge.remaining();
    let done = 0;
    const sampleEvery = Math.max(series.length, Math.ceil(total / 2000));
    let nextSample = 0;
    let T = firstStart;
    for (let close = merge.peekClose(); close !== undefined; close = merge.peekClose()) {
      T = close;
      clock.set(T);
      while (merge.peekClose() === T) {
        const nx = merge.next()!;
        const bar = barAt(nx.source.s, nx.index);
        lastClose.set(bar.symbol, bar.close);
        await desk.onBar(bar);
        done++;
      }
      // Funding settled in (previous close, T] on what is still open after this close's exits.
      for (const sym of symbols) {
        const due = schedules.get(sym)?.due(T);
        if (!due || due.length === 0) continue;
        const pos = store.positions.openOn(broker.mode, sym);
        if (!pos) continue;
        let paid = 0;
        for (const d of due) paid += fundingPayment(pos.side, pos.qty, lastClose.get(sym) ?? pos.entryPrice, d.rate);
        pos.realizedPnl -= paid;
        store.positions.save(pos);
        fundingOf.set(pos.id, (fundingOf.get(pos.id) ?? 0) + paid);
      }
      // Entries: each new signal at the open of its symbol's next bar.
      const batch = pending.splice(0, pending.length);
      for (const sig of batch) {
        const src = bySymbol.get(sig.symbol);
        if (!src || src.cursor >= src.end) {
          refusals.NO_NEXT_BAR = (refusals.NO_NEXT_BAR ?? 0) + 1;
          continue;
        }
        feed.setQuote(sig.symbol, src.s.data.open[src.cursor] as number, T);
        try {
          await desk.execute(BACKTEST_ACTOR, { signalId: sig.id });
        } catch (e) {
          const code = toDeskError(e).code;
          refusals[code] = (refusals[code] ?? 0) + 1;
        }
      }
      // The wallet query scans every position row, so the curve is sampled (≤ ~2000 points), not every close.
      if (done >= nextSample || merge.peekClose() === undefined) {
        curve.t.push(T);
        curve.equity.push((await broker.balance()).equity);
        nextSample = done + sampleEvery;
      }
      if (o.onProgress && (done & 1023) === 0) o.onProgress(done, total);
    }
    // Close what is left at the last close.
    for (const pos of store.positions.openAll(broker.mode)) {
      feed.setQuote(pos.symbol, lastClose.get(pos.symbol) ?? pos.entryPrice, T);
      try {
        await desk.closePosition(BACKTEST_ACTOR, { positionId: pos.id });
      } catch (e) {
        const code = `END_CLOSE_${toDeskError(e).code}`;
        refusals[code] = (refusals[code] ?? 0) + 1;
      }
    }
    o.onProgress?.(done, total);
    const endEquity = (await broker.balance()).equity;
    if (curve.t.length > 0) curve.equity[curve.equity.length - 1] = endEquity;
    const trades: TradeRecord[] = [];
    for (const p of store.positions.closedSince(broker.mode, 0)) {
      const sig = p.signalId ? store.signals.get(p.signalId) : null;
      const funding = fundingOf.get(p.id) ?? 0;
      const ended = p.closeReason === 'close' && p.actorId === BACKTEST_ACTOR.id && p.closedAt === T;
      trades.push(
        tradeRecord({
          symbol: p.symbol,
          interval: sig?.interval ?? o.interval,
          strategy: sig?.strategy ?? 'unknown',
          side: p.side,
          openedAt: p.openedAt,
          closedAt: p.closedAt ?? T,
          entryPrice: p.entryPrice,
          qty: p.initialQty,
          grossPnl: p.realizedPnl + funding,
          fees: p.fees,
          funding,
          closeReason: ended ? 'end' : (p.closeReason ?? 'close'),
        }),
      );
    }
    await desk.stop();
    return {
      interval: o.interval,
      symbols,
      from: firstStart + ivMs,
      to: T,
      bars: done,
      startEquity: config.PAPER_START_EQUITY,
      endEquity,
      trades,
      equity: curve,
      signals,
      refusals,
    };
  } finally {
    db.close();
  }
}
