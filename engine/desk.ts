import type { z } from 'zod';
import type { Broker, Execution, OrderRequest } from './exec/broker.ts';
import type { Clock } from './clock.ts';
import type { DeskConfig } from './config.ts';
import type { DeskApi } from './desk-api.ts';
import type { DeskEvent, DeskListener } from './events.ts';
import type { DeskLogger } from './log.ts';
import type { DeskMetrics } from './metrics.ts';
import type { Bar, Instrument, MarketFeed, Quote } from './market/types.ts';
import type { SignalDraft, SignalSource } from './signal-source.ts';
import type { Store } from './store/store.ts';
import type { PositionRow } from './store/positions-repo.ts';
import { KlineStore } from './market/kline-store.ts';
import type { Actor, Interval, Role, Signal } from './schemas.ts';
import {
  ActorSchema,
  CandlesInput,
  ClosePositionInput,
  ExecuteInput,
  GetSignalInput,
  KillSwitchInput,
  ListPositionsInput,
  ListSignalsInput,
  ListUsersInput,
  PauseInput,
  PnlInput,
  ScanInput,
  UpdateSettingsInput,
  StrategyStageInput,
  type BalanceResult,
  type CandlesResult,
  type CloseResult,
  type ExecuteResult,
  type LimitsResult,
  type ListUsersOutput,
  type PnlResult,
  type PreviewResult,
  type ReportResult,
  type RiskStateResult,
  type ScanResult,
  type Settings,
  type StatusResult,
  type StrategiesOutput,
  type StrategyStageResult,
} from './schemas.ts';
import { parseInput } from './validate.ts';
import { DeskError, isDeskError, toDeskError } from './errors.ts';
import { EventBus } from './events.ts';
import { DAY_MS, utcDayStart, utcWeekStart } from './clock.ts';
import { applyExecution, toPosition } from './exec/ledger.ts';
import { manageExits } from './exec/exits.ts';
import { targetFractions } from './exec/paper-broker.ts';
import { reconcile } from './exec/reconcile.ts';
import { tickLevels } from './exec/stop-rules.ts';
import { entryOrderLinkId, randomId, signalId } from './exec/ids.ts';
import { floorToStep, roundToStep } from './risk/rounding.ts';
import { sizePosition } from './risk/sizing.ts';
import { intervalMs } from './scan/interval.ts';
import { ShadowLedger } from './backtest/shadow-ledger.ts';
import { meanSd } from './backtest/stats.ts';
import { openExposure } from './exec/paper-ledger.ts';
import { GroupCommit } from './store/group-commit.ts';
import { averageFillPrice } from './exec/average-price.ts';
import { evaluateGates, type GateVerdict, type StageGates } from './backtest/gates.ts';

const HOUR_MS = 3_600_000;
const ROLE_RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

/** The actor the desk uses for its own scheduled work. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'desk', role: 'admin' };

/** Everything the Desk is built from; scripts/start.ts (or a test) wires these. */
export interface DeskDeps {
  config: DeskConfig;
  clock: Clock;
  logger: DeskLogger;
  store: Store;
  feed: MarketFeed;
  broker: Broker;
  scanner: SignalSource;
  metrics: DeskMetrics;
  instruments: Instrument[];
  /** Names of every strategy the scanner runs. */
  strategyNames: readonly string[];
  /** Demote live strategies automatically when their rolling record fails the gates (default true; backtests turn it off). */
  autoDemote?: boolean;
  /** Recent bars per series (charts); default: a store holding DESK_WARMUP_BARS per series. */
  klines?: KlineStore;
  /** Told when a burst of bars is over and committed (WAL checkpoints go there, see QuietCheckpoints). */
  onBurstOver?: () => void;
}

/**
 * Longest wait, ms, of a bar's new signals for the group commit of its burst. Each commit of a burst
 * costs about 0.25 ms of the one thread (BEGIN, the writes, the WAL frames of every page they dirty,
 * COMMIT): 2 ms gave the 200-symbol burst fewer commits and a lower p50 and p99 than 0.5 ms in 7 of 8
 * paired bench runs; 4 ms and committing only at the burst's end were no better than 2.
 */
const BAR_WRITES_MAX_WAIT_MS = 2;
/** A burst that signals on this many symbols commits them without waiting for BAR_WRITES_MAX_WAIT_MS. */
const BAR_WRITES_MAX_SIGNAL_BARS = 8;

/**
 * How long, ms, an accepted (or unknown) close keeps later closes of its position out: long enough for
 * its fill to come back from the venue; an order still unsettled after that is reconciliation's job.
 */
const CLOSE_PENDING_MS = 30_000;

/** Longest wait, ms, of a close for a quote taken now before it falls back to the last one seen. */
const CLOSE_QUOTE_WAIT_MS = 1_000;

/** Whether `signal` may still be executed at `now`: live and not past its expiry. */
function isOpenSignal(signal: Signal, now: number): boolean {
  return signal.status === 'live' && signal.expiresAt > now;
}

/** A planned entry that passed every gate. */
interface EntryPlan {
  signal: Signal;
  instrument: Instrument;
  quote: Quote;
  price: number;
  qty: number;
  notional: number;
  margin: number;
  leverage: number;
  riskUsdt: number;
  riskPct: number;
  stop: number;
  targets: number[];
}

/**
 * The one application service: every use-case a front-end may call, the closed-bar pipeline, and
 * the execution sink. Enforces roles, per-actor limits and the risk gate; rejects with DeskError only.
 */
export class Desk implements DeskApi {
  private readonly bus: EventBus;
  private readonly instruments: Map<string, Instrument>;
  private readonly klines: KlineStore;
  private readonly finest: Interval;
  private readonly startedAt: number;
  private lastBarAt: number | null = null;
  private stopping = false;
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** Desk time at which the last successful reconcile began its venue catch-up (see ReconcileOptions). */
  private caughtUpTo: number | undefined;
  /** Venue positions without a stop, by id, and when reconcile last reported them. */
  private readonly stoplessReported = new Map<string, number>();
  private reconciling: Promise<void> | null = null;
  /** Orders whose place call is running (reconcile leaves them to it). */
  private readonly placing = new Set<string>();
  private readonly touched = new Map<string, number>();
  private readonly validActors = new WeakMap<object, Actor>();
  private readonly shadow: ShadowLedger;
  private readonly backtestRecord = new Map<string, number[]>();
  /** Close time (bar start) of the finest bars the breaker was last checked for. */
  private breakerBarStart: number | null = null;
  /** The UTC day the stored risk state was last seen rolled to. */
  private rolledDay: number | null = null;
  /** The breaker check running beside the bar pipeline, if any. */
  private breakerPoll: Promise<void> | null = null;
  /** A bar marked an open position while breakerPoll was running: check once more after it. */
  private breakerAgain = false;
  /** The risk-day roll in progress, shared by whoever sees the new UTC day first. */
  private rolling: { day: number; done: Promise<void> } | null = null;
  /** Signal inserts and expiries of the bars taken this event-loop turn, committed together (see GroupCommit). */
  private readonly barWrites: GroupCommit;

  /** Builds the desk; nothing runs until start(). */
  constructor(private readonly d: DeskDeps) {
    this.bus = new EventBus((err, ev) => d.logger.error({ err: errText(err), event: ev.type }, 'event listener failed'));
    this.instruments = new Map(d.instruments.map((i) => [i.symbol, i]));
    this.klines = d.klines ?? new KlineStore({ capacity: d.config.DESK_WARMUP_BARS });
    this.finest = [...d.config.DESK_INTERVALS].sort((a, b) => intervalMs(a) - intervalMs(b))[0]!;
    this.startedAt = d.clock.now();
    d.broker.onExecution((e) => this.onExecution(e));
    d.metrics.openPositionsSource.read = () => d.store.positions.openCount(d.broker.mode);
    this.barWrites = new GroupCommit(
      d.store,
      (err, symbol) => d.logger.error({ err: errText(err), symbol }, 'bar pipeline failed'),
      // Wall-time expiry once per batch of bars (it scans every live signal).
      () => {
        const now = d.clock.now();
        const expired = d.store.signals.expire(now);
        return () => this.announceExpired(expired, now);
      },
      BAR_WRITES_MAX_WAIT_MS,
      BAR_WRITES_MAX_SIGNAL_BARS,
    );
    this.shadow = new ShadowLedger({
      feeRate: d.config.PAPER_FEE_RATE,
      equity: d.config.PAPER_START_EQUITY,
      limits: { riskPct: d.config.RISK_PER_TRADE_PCT, maxMarginPct: d.config.RISK_MAX_MARGIN_PCT, maxLeverage: d.config.RISK_MAX_LEVERAGE },
      instruments: d.instruments,
    });
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Reconciles with the venue, warms every series from the feed's history, rolls the risk day, and
   * starts the feed. Rejects with the feed's or venue's DeskError if they cannot be reached, or with
   * INTERNAL when the ledger could not record the executions the venue made while the desk was down.
   */
  async start(): Promise<void> {
    const { config, feed, scanner, logger } = this.d;
    // Reconcile first: the private stream is already delivering, and fills the venue made while the
    // desk was down must reach the ledger before newer ones (a target before the stop that followed).
    await this.runReconcile();
    for (const symbol of config.DESK_UNIVERSE) {
      for (const interval of config.DESK_INTERVALS) {
        const bars = await feed.history(symbol, interval, config.DESK_WARMUP_BARS);
        if (bars.length > 0) scanner.warm(symbol, interval, bars);
        for (const b of bars) this.klines.append(b);
        const last = bars[bars.length - 1];
        if (last && interval === this.finest) this.d.store.positions.markPrice(this.d.broker.mode, symbol, last.close);
      }
    }
    await this.rollDayIfNeeded();
    // The feed hands bars over one by one; their signal writes are committed once per burst (when the
    // feed has no more bars queued), or at the end of the event-loop turn at the latest.
    await feed.start(
      (bar) => this.takeBar(bar),
      () => {
        this.barWrites.flush();
        this.d.onBurstOver?.();
      },
    );
    logger.info({ mode: this.d.broker.mode, feed: feed.kind, universe: config.DESK_UNIVERSE.length }, 'desk started');
  }

  /** Reconciles now and every `everyMs` after (live venues); errors are logged, never thrown. */
  scheduleReconcile(everyMs: number): void {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = setInterval(() => void this.runReconcile().catch(() => {}), everyMs);
    this.reconcileTimer.unref();
  }

  /** Stops the feed and the broker; idempotent. Does not close the database (the owner does). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.d.feed.stop();
    this.barWrites.flush();
    await this.breakerPoll;
    await this.d.broker.close();
  }

  /** Emits an event to every subscriber (used by schedulers for report.daily). */
  emit(event: DeskEvent): void {
    this.bus.emit(event);
  }

  /** Subscribes to desk events; returns the unsubscribe function. */
  subscribe(listener: DeskListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Appends a front-end audit row; detail is flattened to short scalars; never throws. */
  audit(actor: Actor, action: string, outcome: string, detail: Record<string, unknown> = {}): void {
    const flat: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(detail).slice(0, 20)) {
      flat[k.slice(0, 40)] = typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v).slice(0, 120);
    }
    try {
      this.d.store.audit.add(this.d.clock.now(), { kind: actor.kind, id: String(actor.id).slice(0, 64) }, action.slice(0, 60), outcome.slice(0, 60), flat);
    } catch (err) {
      this.d.logger.error({ err: errText(err), action }, 'audit write failed');
    }
  }

  /**
   * The closed-bar pipeline for one bar, committed on its own: see takeBar. Resolves once the bar's
   * signals and expiries are stored and their events emitted. Never throws: failures are logged.
   */
  async onBar(bar: Bar): Promise<void> {
    await this.takeBar(bar);
    this.barWrites.flush();
  }

  /**
   * The closed-bar pipeline as the feed drives it: exits on the finest interval (venue triggers,
   * break-even, trailing), then scoring; the new signals and the expiries this bar causes are queued
   * into the turn's group commit (barWrites) and announced after it commits, so a burst of closed bars
   * pays for one SQLite commit. The daily-loss breaker is checked on every fill, after every finest
   * bar that marked an open position and once per close time otherwise, always beside the pipeline
   * (a venue balance call must not hold up the other symbols' bars; execute checks the loss on its
   * own fresh balance, so no entry slips through meanwhile). Never throws: failures are logged.
   */
  private async takeBar(bar: Bar): Promise<void> {
    const { store, broker, scanner, metrics, logger, clock } = this.d;
    const t0 = performance.now();
    // A bar of a symbol whose previous bar is still queued: commit that one first (shadow tracking,
    // expiry and the one-live-signal rule must see it).
    this.barWrites.flushFor(bar.symbol);
    this.barWrites.flushIfDue();
    this.lastBarAt = clock.now();
    metrics.barsProcessed.inc({ interval: bar.interval });
    try {
      this.klines.append(bar);
      // Most bars have nothing to wait for here (no shadow entry or exit, no fill, no day roll): the
      // awaits are skipped for them, as each would cost a promise and a turn of the microtask queue.
      const shadowDone = this.shadow.onBar(bar);
      if (shadowDone) await shadowDone;
      if (bar.interval === this.finest) {
        // Most symbols hold nothing: their bar skips the position work (and its allocations).
        const held = store.positions.openOn(broker.mode, bar.symbol) !== null;
        if (held) {
          // Every read sees the mark now (the breaker's balance, the exits below); its row is written
          // with the burst's group commit rather than in a commit of its own per held symbol.
          const mode = broker.mode;
          const symbol = bar.symbol;
          store.positions.stageMark(mode, symbol, bar.close);
          this.barWrites.add(`mark|${symbol}`, () => store.positions.writeStagedMark(mode, symbol) ?? undefined, false);
        }
        const exitsDone = broker.onBar(bar);
        if (exitsDone) await exitsDone;
        if (held) {
          this.emitAll(
            await manageExits(store, broker, bar, {
              trailMinLeverage: this.d.config.RISK_TRAIL_MIN_LEVERAGE,
              tickOf: (s) => this.instrument(s).tickSize,
              now: clock.now(),
            }),
          );
        }
        const rolled = this.rollDayIfNeeded();
        if (rolled) await rolled;
        // Beside the pipeline: a live venue's balance is a REST call, and awaiting it here would hold
        // up every later bar of the burst. Entries do not wait for it: execute checks the loss on the
        // balance it fetches itself.
        if (store.positions.openOn(broker.mode, bar.symbol)) {
          this.breakerBarStart = bar.start;
          this.pollBreaker(true);
        } else if (bar.start !== this.breakerBarStart) {
          this.breakerBarStart = bar.start;
          this.pollBreaker();
        }
      }
      const now = clock.now();
      const funding = this.d.feed.funding(bar.symbol, bar.start + intervalMs(bar.interval));
      const drafts = scanner.onBar(bar, funding, now);
      // Freshness in market time (TTL in bars of the signal's own series) here; in wall time
      // (expiresAt) once per batch (see barWrites).
      const stale = bar.start - this.d.config.DESK_SIGNAL_TTL_BARS * intervalMs(bar.interval);
      // Most bars neither create a signal nor expire one: they cost no transaction at all.
      if (drafts.length === 0 && !store.signals.mayExpireSeries(bar.symbol, bar.interval, stale) && !store.signals.mayExpire(now)) return;
      // A bar with new signals is urgent (a trader waits for the alert); one that only expires old
      // signals rides along with the next commit.
      this.barWrites.add(
        bar.symbol,
        () => {
          // Expired first: a slot (symbol, side, strategy) whose old signal runs out on this bar takes
          // this bar's new one (the one-live-signal index would turn it away otherwise).
          const expired = store.signals.expireSeries(bar.symbol, bar.interval, stale);
          const created = this.persistDrafts(drafts, now);
          return () => {
            this.announce(created);
            if (created.length > 0) metrics.barToSignalSeconds.observe((performance.now() - t0) / 1000);
            this.announceExpired(expired, now);
          };
        },
        drafts.length > 0,
      );
    } catch (err) {
      logger.error({ err: errText(err), symbol: bar.symbol, interval: bar.interval }, 'bar pipeline failed');
    }
  }

  // ------------------------------------------------------------------ read use-cases

  /** The desk at a glance; any role. */
  async status(actor: Actor): Promise<StatusResult> {
    this.authorize(actor, 'viewer', 'status');
    const { config, clock, store, feed, broker } = this.d;
    this.barWrites.flush();
    const risk = store.risk.get();
    const bal = await broker.balance();
    const now = clock.now();
    return {
      mode: broker.mode,
      feed: feed.kind,
      entriesPaused: risk.entriesPaused,
      killSwitch: risk.killSwitch,
      breaker: {
        tripped: risk.breakerTripped,
        dayStartEquity: round2(risk.dayStartEquity),
        dayPnl: round2(risk.dayStartEquity > 0 ? bal.equity - risk.dayStartEquity : 0),
        limitPct: config.RISK_DAILY_LOSS_PCT,
      },
      uptimeMs: now - this.startedAt,
      feedLagMs: feed.lagMs(),
      lastBarAt: this.lastBarAt,
      universe: [...config.DESK_UNIVERSE],
      intervals: [...config.DESK_INTERVALS],
      openPositions: store.positions.openCount(broker.mode),
      liveSignals: store.signals.countLive(now),
      strategies: this.stages().map((s) => ({ name: s.name, stage: s.stage })),
      now,
    };
  }

  /**
   * Runs an on-demand scan of the current features (all series, or one symbol / interval). Counts
   * against the actor's daily scan limit in one SQL statement; RATE_LIMITED carries the reset time.
   */
  async runScan(actor: Actor, raw?: z.input<typeof ScanInput>): Promise<ScanResult> {
    const input = parseInput(ScanInput, raw);
    this.authorize(actor, 'viewer', 'scan');
    const { config, clock, store, scanner, feed, metrics } = this.d;
    if (input.symbol && !config.DESK_UNIVERSE.includes(input.symbol)) {
      throw new DeskError('NOT_FOUND', { field: 'symbol', symbol: input.symbol }, 'symbol is not in the scan universe');
    }
    const now = clock.now();
    const day = utcDayStart(now);
    const hit = store.limits.hit(actorKey(actor), 'scan', day, DAY_MS, config.LIMIT_SCANS_PER_DAY);
    if (!hit.allowed) this.refuse(actor, 'scan', new DeskError('RATE_LIMITED', { limit: 'scan', max: hit.max, resetAt: hit.resetAt }));
    const t0 = performance.now();
    const drafts = scanner.scanNow(input.symbol ? [input.symbol] : undefined, input.interval ? [input.interval] : undefined, (s, at) => feed.funding(s, at), now);
    this.barWrites.flush();
    this.announce(this.persistDrafts(drafts, now));
    const signals: Signal[] = [];
    const seen = new Set<string>();
    for (const dr of drafts) {
      const live = store.signals
        .listLive(now, dr.symbol, 200)
        .find((s) => s.side === dr.side && s.strategy === dr.strategy);
      if (live && !seen.has(live.id)) {
        seen.add(live.id);
        signals.push(live);
      }
    }
    metrics.scanSeconds.observe((performance.now() - t0) / 1000);
    store.audit.add(now, actor, 'scan', 'ok', { symbol: input.symbol ?? null, found: signals.length });
    return { scanned: countSeries(config, input.symbol, input.interval), signals, limit: { used: hit.used, max: hit.max, resetAt: hit.resetAt } };
  }

  /** Lists signals newest first; any role. */
  async listSignals(actor: Actor, raw?: z.input<typeof ListSignalsInput>): Promise<{ signals: Signal[] }> {
    const input = parseInput(ListSignalsInput, raw);
    this.authorize(actor, 'viewer', 'signals.list');
    const { store, clock } = this.d;
    // Signals as of every bar already taken (its inserts and expiries may still be queued).
    this.barWrites.flush();
    const signals =
      input.status === 'live'
        ? store.signals.listLive(clock.now(), input.symbol ?? null, input.limit)
        : store.signals.listAll(input.symbol ?? null, input.limit).map((s) => this.withExpiry(s));
    return { signals };
  }

  /** One signal by id; NOT_FOUND if unknown; any role. */
  async getSignal(actor: Actor, raw: z.input<typeof GetSignalInput>): Promise<{ signal: Signal }> {
    const input = parseInput(GetSignalInput, raw);
    this.authorize(actor, 'viewer', 'signals.get');
    this.barWrites.flush();
    const s = this.d.store.signals.get(input.id);
    if (!s) throw new DeskError('NOT_FOUND', { field: 'id', id: input.id }, 'no such signal');
    return { signal: this.withExpiry(s) };
  }

  /** What executing would do now, with the first refusing gate (if any); never places anything. */
  async previewExecution(actor: Actor, raw: z.input<typeof ExecuteInput>): Promise<PreviewResult> {
    const input = parseInput(ExecuteInput, raw);
    this.authorize(actor, 'viewer', 'trade.preview');
    const { store, clock, broker } = this.d;
    // The same view of the signal as execute() would have.
    this.barWrites.flush();
    const signal = store.signals.get(input.signalId);
    if (!signal) throw new DeskError('NOT_FOUND', { field: 'signalId', id: input.signalId }, 'no such signal');
    const bal = await broker.balance();
    // What execute would see: the daily loss on this balance trips the breaker first.
    await this.checkLoss(bal);
    const { quote, error } = await this.quoteNow(signal);
    try {
      const plan = this.planEntry(actor, signal, input.riskPct, bal, quote, clock.now(), error);
      return previewOf(plan, true, null, clock.now());
    } catch (e) {
      const de = toDeskError(e);
      const guess = this.roughPlan(actor, signal, input.riskPct, bal.equity, quote);
      return { ...guess, allowed: false, refusal: { code: de.code, detail: de.detail } };
    }
  }

  /** Positions of the desk's mode; any role. */
  async listPositions(actor: Actor, raw?: z.input<typeof ListPositionsInput>) {
    const input = parseInput(ListPositionsInput, raw);
    this.authorize(actor, 'viewer', 'positions.list');
    return { positions: this.d.store.positions.list(this.d.broker.mode, input.status, input.limit).map(toPosition) };
  }

  /** Wallet equity, available and margin in use (USDT); any role. */
  async balance(actor: Actor): Promise<BalanceResult> {
    this.authorize(actor, 'viewer', 'account.balance');
    const { store, broker } = this.d;
    const bal = await broker.balance();
    const { usedMargin: used, unrealizedPnl: unrealized } = openExposure(store.positions.openAll(broker.mode));
    return {
      mode: broker.mode,
      currency: 'USDT',
      equity: round2(bal.equity),
      available: round2(bal.available),
      usedMargin: round2(used),
      unrealizedPnl: round2(unrealized),
    };
  }

  /** Realized PnL (closed positions) for the UTC day, ISO week, or all time; any role. */
  async pnl(actor: Actor, raw?: z.input<typeof PnlInput>): Promise<PnlResult> {
    const input = parseInput(PnlInput, raw);
    this.authorize(actor, 'viewer', 'account.pnl');
    const now = this.d.clock.now();
    const from = input.period === 'day' ? utcDayStart(now) : input.period === 'week' ? utcWeekStart(now) : 0;
    const closed = this.d.store.positions.closedSince(this.d.broker.mode, from);
    let realized = 0;
    let fees = 0;
    let wins = 0;
    for (const p of closed) {
      realized += p.realizedPnl;
      fees += p.fees;
      if (p.realizedPnl - p.fees > 0) wins++;
    }
    return {
      period: input.period,
      from,
      to: now,
      realized: round2(realized),
      fees: round2(fees),
      trades: closed.length,
      wins,
      losses: closed.length - wins,
      winRate: closed.length > 0 ? Math.round((wins / closed.length) * 1000) / 10 : null,
    };
  }

  /** The actor's settings (created with defaults on first use); any role. */
  async getSettings(actor: Actor): Promise<{ settings: Settings }> {
    this.authorize(actor, 'viewer', 'settings.get');
    return { settings: this.d.store.actors.get(actor.kind, actor.id)!.settings };
  }

  /** Updates the actor's own settings (any subset); any role. */
  async updateSettings(actor: Actor, raw: z.input<typeof UpdateSettingsInput>): Promise<{ settings: Settings }> {
    const input = parseInput(UpdateSettingsInput, raw);
    this.authorize(actor, 'viewer', 'settings.set');
    const { store, clock } = this.d;
    const cur = store.actors.get(actor.kind, actor.id)!.settings;
    const next: Settings = {
      ...cur,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    };
    next.mutedSymbols = [...new Set(next.mutedSymbols.map((s) => s.toUpperCase()))];
    next.subscriptions = [...new Set(next.subscriptions)];
    store.actors.setSettings(actor.kind, actor.id, next);
    store.audit.add(clock.now(), actor, 'settings.set', 'ok', { keys: Object.keys(input).join(',') });
    return { settings: next };
  }

  /** The actor's limits: used, max and reset time; any role. */
  async limits(actor: Actor): Promise<LimitsResult> {
    this.authorize(actor, 'viewer', 'limits');
    const { store, clock, config } = this.d;
    const now = clock.now();
    const key = actorKey(actor);
    const scan = store.limits.peek(key, 'scan', utcDayStart(now), DAY_MS, config.LIMIT_SCANS_PER_DAY);
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const exec = store.limits.peek(key, 'execute', hour, HOUR_MS, config.LIMIT_EXECUTES_PER_HOUR);
    return {
      limits: [
        { name: 'scan', used: scan.used, max: scan.max, resetAt: scan.resetAt },
        { name: 'execute', used: exec.used, max: exec.max, resetAt: exec.resetAt },
      ],
    };
  }

  /** USDT notional of the entries this actor opened since the start of the UTC day, from the ledger; any role. */
  async entryNotionalToday(actor: Actor): Promise<number> {
    this.authorize(actor, 'viewer', 'usage');
    const { store, clock, broker } = this.d;
    return store.orders.entryNotional(broker.mode, actor.kind, actor.id, utcDayStart(clock.now()));
  }

  /** Known actors, most recent first; admin. */
  async listUsers(actor: Actor, raw?: z.input<typeof ListUsersInput>): Promise<z.infer<typeof ListUsersOutput>> {
    const input = parseInput(ListUsersInput, raw);
    this.authorize(actor, 'admin', 'users.list');
    return {
      users: this.d.store.actors.list(input.limit).map((a) => ({ kind: a.kind, id: a.id, role: a.role, firstSeen: a.firstSeen, lastSeen: a.lastSeen })),
    };
  }

  /** The daily report now; admin (the scheduler calls it as the system actor). */
  async report(actor: Actor): Promise<ReportResult> {
    this.authorize(actor, 'admin', 'report');
    const { store, clock, broker, feed } = this.d;
    const now = clock.now();
    const risk = store.risk.get();
    const day = await this.pnl(SYSTEM_ACTOR, { period: 'day' });
    return {
      at: now,
      uptimeMs: now - this.startedAt,
      feedLagMs: feed.lagMs(),
      signals24h: store.signals.countSince(now - DAY_MS),
      trades24h: store.orders.entriesSince(broker.mode, now - DAY_MS),
      pnlDay: round2(day.realized - day.fees),
      openPositions: store.positions.openCount(broker.mode),
      breakerTripped: risk.breakerTripped,
      killSwitch: risk.killSwitch,
      entriesPaused: risk.entriesPaused,
    };
  }

  /** The most recent closed bars of one series, oldest first; NOT_FOUND outside the universe; any role. */
  async candles(actor: Actor, raw: z.input<typeof CandlesInput>): Promise<CandlesResult> {
    const input = parseInput(CandlesInput, raw);
    this.authorize(actor, 'viewer', 'candles');
    const v = this.klines.series(input.symbol, input.interval);
    if (!v) throw new DeskError('NOT_FOUND', { field: 'symbol', symbol: input.symbol, interval: input.interval }, 'no bars for that series');
    const from = Math.max(0, v.length - input.limit);
    const bars: CandlesResult['bars'] = [];
    for (let i = from; i < v.length; i++) {
      bars.push({ start: v.start[i]!, open: v.open[i]!, high: v.high[i]!, low: v.low[i]!, close: v.close[i]!, volume: v.volume[i]! });
    }
    return { symbol: input.symbol, interval: input.interval, bars };
  }

  /** Strategy stages (stored promotions/demotions over the configured default); any role. */
  async strategies(actor: Actor): Promise<z.infer<typeof StrategiesOutput>> {
    this.authorize(actor, 'viewer', 'strategies');
    const mode = this.d.broker.mode;
    const stored = this.d.store.risk.stages();
    const gates = this.stageGates();
    return {
      strategies: this.stages().map((s) => {
        const rets = this.d.store.positions.closedTradesOfStrategy(mode, s.name).map((t) => t.net);
        const { mean, sd } = meanSd(rets);
        const live = evaluateGates(this.liveReturns(s.name), gates);
        const verdict = s.stage === 'live' ? live : this.promotionVerdict(s.name);
        const st = stored.get(s.name);
        return {
          name: s.name,
          stage: s.stage,
          closedTrades: rets.length,
          sharpe: sd && mean !== null && sd > 0 ? round2(mean / sd) : null,
          expectancy: mean === null ? null : round2(mean),
          changedAt: st?.changedAt ?? null,
          reason: st?.reason ?? null,
          record: {
            backtest: recordOf(evaluateGates(this.backtestRecord.get(s.name) ?? [], gates)),
            shadow: recordOf(evaluateGates(this.shadowReturns(s.name), gates)),
            live: recordOf(live),
          },
          gates: { pass: verdict.pass, reasons: verdict.reasons },
        };
      }),
    };
  }

  // ------------------------------------------------------------------ strategy lifecycle

  /**
   * Sets the backtest record (per-trade net returns, % of entry notional, per strategy) that promotion
   * weighs together with the shadow record; replaces any earlier record of those strategies; non-finite
   * values are dropped. For the composition root or a script after runBacktest; never throws.
   */
  recordBacktest(returnsPct: Readonly<Record<string, readonly number[]>>): void {
    for (const [name, rets] of Object.entries(returnsPct)) this.backtestRecord.set(name, rets.filter((r) => Number.isFinite(r)));
  }

  /**
   * Promotes a shadow strategy to live when its backtest + shadow record passes the gates
   * (≥ STRATEGY_PROMOTE_MIN_TRADES closed trades, per-trade Sharpe > STRATEGY_PROMOTE_MIN_SHARPE,
   * expectancy > 0); admin. Already live: nothing changes. Rejects NOT_FOUND for an unknown strategy
   * and STRATEGY_NOT_LIVE {strategy, reasons} when the gates are not met.
   */
  async promoteStrategy(actor: Actor, raw: z.input<typeof StrategyStageInput>): Promise<StrategyStageResult> {
    const input = parseInput(StrategyStageInput, raw);
    this.authorize(actor, 'admin', 'strategy.promote');
    this.knownStrategy(input.name);
    if (this.stageOf(input.name) === 'live') return { name: input.name, stage: 'live', changed: false, reasons: [] };
    const v = this.promotionVerdict(input.name);
    if (!v.pass) this.refuse(actor, 'strategy.promote', new DeskError('STRATEGY_NOT_LIVE', { strategy: input.name, reasons: v.reasons.join('; ') }, 'promotion gates not met'));
    this.changeStage(actor, input.name, 'live', input.reason ?? `promoted: ${v.trades} trades, Sharpe ${fmt3(v.sharpe)}, expectancy ${fmt3(v.expectancy)}%`);
    return { name: input.name, stage: 'live', changed: true, reasons: [] };
  }

  /** Puts a strategy back in shadow (signals recorded and paper-tracked, never alerted); admin; NOT_FOUND if unknown. */
  async demoteStrategy(actor: Actor, raw: z.input<typeof StrategyStageInput>): Promise<StrategyStageResult> {
    const input = parseInput(StrategyStageInput, raw);
    this.authorize(actor, 'admin', 'strategy.demote');
    this.knownStrategy(input.name);
    if (this.stageOf(input.name) === 'shadow') return { name: input.name, stage: 'shadow', changed: false, reasons: [] };
    this.changeStage(actor, input.name, 'shadow', input.reason ?? `demoted by ${actor.kind}:${actor.id}`);
    return { name: input.name, stage: 'shadow', changed: true, reasons: [] };
  }

  /**
   * Judges every live strategy on its rolling window (its last STRATEGY_PROMOTE_MIN_TRADES closed
   * positions in this desk's mode) and demotes those whose full window fails the gates; admin. The desk
   * runs the same check by itself whenever a position of a strategy closes. Returns the demotions.
   */
  async reviewStrategies(actor: Actor): Promise<StrategyStageResult[]> {
    this.authorize(actor, 'admin', 'strategy.review');
    const out: StrategyStageResult[] = [];
    for (const s of this.stages()) {
      const r = this.autoDemote(s.name);
      if (r) out.push(r);
    }
    return out;
  }

  private stageGates(): StageGates {
    return { minTrades: this.d.config.STRATEGY_PROMOTE_MIN_TRADES, minSharpe: this.d.config.STRATEGY_PROMOTE_MIN_SHARPE };
  }

  private shadowReturns(name: string): number[] {
    return this.shadow.trades(name).map((t) => t.pnlPct);
  }

  /** Net returns (% of entry notional) of the strategy's last window of closed positions in this mode, oldest first. */
  private liveReturns(name: string): number[] {
    const { store, broker } = this.d;
    return store.positions
      .closedTradesOfStrategy(broker.mode, name, this.d.config.STRATEGY_PROMOTE_MIN_TRADES)
      .map((t) => (t.notional > 0 ? (t.net / t.notional) * 100 : 0));
  }

  private promotionVerdict(name: string): GateVerdict {
    return evaluateGates([...(this.backtestRecord.get(name) ?? []), ...this.shadowReturns(name)], this.stageGates());
  }

  private autoDemote(name: string): StrategyStageResult | null {
    if (this.d.autoDemote === false || this.stageOf(name) !== 'live') return null;
    const v = evaluateGates(this.liveReturns(name), this.stageGates());
    if (v.trades < this.d.config.STRATEGY_PROMOTE_MIN_TRADES || v.pass) return null;
    this.changeStage(SYSTEM_ACTOR, name, 'shadow', `auto-demoted: rolling ${v.reasons.join('; ')}`);
    return { name, stage: 'shadow', changed: true, reasons: v.reasons };
  }

  private changeStage(actor: Actor, name: string, stage: 'live' | 'shadow', reason: string): void {
    const { store, clock } = this.d;
    const now = clock.now();
    store.tx(() => {
      store.risk.setStage(name, stage, now, reason);
      store.audit.add(now, actor, stage === 'live' ? 'strategy.promote' : 'strategy.demote', 'ok', { strategy: name, reason });
    });
    this.bus.emit({ type: 'strategy.stage', at: now, strategy: name, stage, reason });
  }

  private knownStrategy(name: string): void {
    if (!this.d.strategyNames.includes(name)) throw new DeskError('NOT_FOUND', { field: 'name', name }, 'no such strategy');
  }

  /** Actors of front-end `kind` that want alerts for `signal` (alerts on, not muted, subscribed or no filter). */
  async alertRecipients(signal: Signal, kind: Actor['kind']): Promise<{ actorId: string; settings: Settings }[]> {
    if (signal.stage !== 'live') return [];
    return this.d.store.actors
      .byKind(kind)
      .filter((a) => a.settings.alerts)
      .filter((a) => !a.settings.mutedSymbols.includes(signal.symbol))
      .filter((a) => a.settings.subscriptions.length === 0 || a.settings.subscriptions.includes(signal.strategy) || a.settings.subscriptions.includes(signal.symbol))
      .map((a) => ({ actorId: a.id, settings: a.settings }));
  }

  // ------------------------------------------------------------------ money use-cases

  /**
   * Executes a live signal: role, idempotency (one order per signal × actor, by a unique orderLinkId),
   * the hourly execute limit (one SQL statement), then — atomically with the order row — freshness,
   * kill switch, pause, breaker, stage, cooldown, position caps, quote age (the quote is asked for
   * just before; a failed ask is refused here) and sizing. The order row exists before the venue is
   * called, so a crash can always be reconciled by orderLinkId.
   */
  async execute(actor: Actor, raw: z.input<typeof ExecuteInput>): Promise<ExecuteResult> {
    const input = parseInput(ExecuteInput, raw);
    this.authorize(actor, 'trader', 'trade.execute');
    const { store, clock, broker, config } = this.d;
    if (this.stopping) throw new DeskError('SHUTTING_DOWN');
    // The signal's fate as of every bar already taken (a market-time expiry may still be queued).
    this.barWrites.flush();
    const linkId = entryOrderLinkId(input.signalId, actor);
    const prior = store.orders.byLinkId(linkId);
    if (prior) return this.orderResult(prior.id, true);
    const bal = await broker.balance();
    // The daily loss on this very balance: the checks on the bar path run beside it and may not have
    // caught up with the wallet yet.
    try {
      await this.checkLoss(bal);
    } catch (e) {
      this.refuse(actor, 'trade.execute', toDeskError(e), { signalId: input.signalId });
    }
    // A quote taken now (one REST request on Bybit), asked before the transaction; the checks inside
    // it see the signal as it is then, refuse the quote if it aged past RISK_QUOTE_MAX_AGE_MS, and
    // report a failed ask in its place among them (after the signal, risk and position checks).
    const known = store.signals.get(input.signalId);
    const { quote, error: quoteError } = known ? await this.quoteNow(known) : { quote: null, error: null };
    let prepared: { dup: string } | { plan: EntryPlan; orderId: string; quoteId: number };
    try {
      prepared = store.tx(() => {
        const again = store.orders.byLinkId(linkId);
        if (again) return { dup: again.id };
        if (this.stopping) throw new DeskError('SHUTTING_DOWN');
        const now = clock.now();
        // Check-and-count in one statement, inside the transaction: a refused plan rolls the count back,
        // so the allowance counts orders actually placed.
        const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
        const hit = store.limits.hit(actorKey(actor), 'execute', hour, HOUR_MS, config.LIMIT_EXECUTES_PER_HOUR);
        if (!hit.allowed) throw new DeskError('RATE_LIMITED', { limit: 'execute', max: hit.max, resetAt: hit.resetAt });
        const signal = store.signals.get(input.signalId);
        if (!signal) throw new DeskError('NOT_FOUND', { field: 'signalId', id: input.signalId }, 'no such signal');
        const plan = this.planEntry(actor, signal, input.riskPct, bal, quote, now, quoteError);
        const quoteId = store.orders.addQuote(plan.quote, now);
        const orderId = randomId('o');
        store.orders.insert(
          {
            id: orderId,
            mode: broker.mode,
            orderLinkId: linkId,
            signalId: signal.id,
            positionId: null,
            actorKind: actor.kind,
            actorId: actor.id,
            symbol: signal.symbol,
            side: signal.side,
            qty: plan.qty,
            type: 'Market',
            price: null,
            reduceOnly: false,
            stop: plan.stop,
            targets: plan.targets,
            leverage: plan.leverage,
            quoteId,
          },
          now,
        );
        store.audit.add(now, actor, 'trade.execute', 'submitting', { signalId: signal.id, orderLinkId: linkId, qty: plan.qty, quoteId });
        return { plan, orderId, quoteId };
      });
    } catch (e) {
      this.refuse(actor, 'trade.execute', toDeskError(e), { signalId: input.signalId });
    }
    if ('dup' in prepared) return this.orderResult(prepared.dup, true);
    const { plan, orderId, quoteId } = prepared;
    this.bus.emit({
      type: 'order.placed',
      at: clock.now(),
      orderId,
      orderLinkId: linkId,
      signalId: plan.signal.id,
      actorKind: actor.kind,
      actorId: actor.id,
      symbol: plan.signal.symbol,
      side: plan.signal.side,
      qty: plan.qty,
      reduceOnly: false,
    });
    const fr = targetFractions(plan.targets.length);
    const step = plan.instrument.qtyStep;
    const req: OrderRequest = {
      orderLinkId: linkId,
      symbol: plan.signal.symbol,
      side: plan.signal.side,
      qty: plan.qty,
      type: 'Market',
      reduceOnly: false,
      stopLoss: plan.stop,
      takeProfits: scaleOut(plan.targets, fr, plan.qty, step),
      leverage: plan.leverage,
      quote: { ...plan.quote, id: quoteId },
      instrument: plan.instrument,
    };
    return this.submit(actor, orderId, req, 'trade.execute');
  }

  /**
   * Closes an open position fully or partly — allowed under kill switch, pause and breaker; trader or
   * admin. Refuses CLOSE_PENDING while another close of the position is still being placed.
   */
  async closePosition(actor: Actor, raw: z.input<typeof ClosePositionInput>): Promise<CloseResult> {
    const input = parseInput(ClosePositionInput, raw);
    this.authorize(actor, 'trader', 'positions.close');
    const { store, clock, broker } = this.d;
    const mode = broker.mode;
    if (this.stopping) throw new DeskError('SHUTTING_DOWN');
    const find = () => (input.positionId ? store.positions.get(input.positionId) : store.positions.openOn(mode, input.symbol!));
    // The quote is asked for first, so that the checks below and the order row see one state of the
    // position; a close must not wait on, or fail with, the ticker request (see closeQuote).
    const seen = find();
    const quote = seen && seen.mode === mode && seen.status === 'open' ? await this.closeQuote(seen) : null;
    if (this.stopping) throw new DeskError('SHUTTING_DOWN');
    const pos = find();
    if (!pos || pos.mode !== mode) throw new DeskError('NOT_FOUND', { field: input.positionId ? 'positionId' : 'symbol' }, 'no such position');
    if (pos.status !== 'open') throw new DeskError('POSITION_CLOSED', { positionId: pos.id });
    const inst = this.instrument(pos.symbol);
    const qty = input.fraction >= 1 ? pos.qty : floorToStep(pos.qty * input.fraction, inst.qtyStep);
    if (!(qty > 0) || qty < inst.minQty) throw new DeskError('SIZE_TOO_SMALL', { qty, minQty: inst.minQty });
    const now = clock.now();
    if (!quote) throw new DeskError('NO_QUOTE', { symbol: pos.symbol });
    const orderId = randomId('o');
    const linkId = `sc-${orderId.slice(1)}-${now.toString(36)}`;
    let quoteId: number;
    try {
      quoteId = store.tx(() => {
        // A second close while the first is still being placed (a double tap, two front-ends) would be
        // sized on the same quantity and could close more than asked: refused, nothing sent.
        if (store.orders.inflightCloses(pos.id, now - CLOSE_PENDING_MS) > 0) throw new DeskError('CLOSE_PENDING', { positionId: pos.id, retryAfterMs: CLOSE_PENDING_MS });
        const qid = store.orders.addQuote(quote, now);
        store.orders.insert(
          {
            id: orderId,
            mode,
            orderLinkId: linkId,
            signalId: null,
            positionId: pos.id,
            actorKind: actor.kind,
            actorId: actor.id,
            symbol: pos.symbol,
            side: pos.side,
            qty,
            type: 'Market',
            price: null,
            reduceOnly: true,
            stop: null,
            targets: [],
            leverage: pos.leverage,
            quoteId: qid,
          },
          now,
        );
        store.audit.add(now, actor, 'positions.close', 'submitting', { positionId: pos.id, qty, quoteId: qid });
        return qid;
      });
    } catch (e) {
      this.refuse(actor, 'positions.close', toDeskError(e), { positionId: pos.id });
    }
    await this.submit(actor, orderId, { orderLinkId: linkId, symbol: pos.symbol, side: pos.side, qty, type: 'Market', reduceOnly: true, quote: { ...quote, id: quoteId }, instrument: inst }, 'positions.close');
    const after = store.positions.get(pos.id)!;
    const lastFill = store.orders.fillsOf(pos.id).at(-1);
    return {
      positionId: pos.id,
      symbol: pos.symbol,
      closedQty: qty,
      remainingQty: after.qty,
      price: lastFill?.price ?? null,
      realizedPnl: round2(after.realizedPnl - after.fees),
      status: after.status,
    };
  }

  /** Pauses new entries (closes still allowed); admin. */
  async pauseEntries(actor: Actor, raw?: z.input<typeof PauseInput>): Promise<RiskStateResult> {
    const input = parseInput(PauseInput, raw);
    this.authorize(actor, 'admin', 'risk.pause');
    return this.setRisk(actor, 'risk.pause', (r) => ({ ...r, entriesPaused: true }), input.reason ?? 'paused', 'paused', true);
  }

  /** Resumes entries and clears a tripped daily-loss breaker; admin. */
  async resumeEntries(actor: Actor, raw?: z.input<typeof PauseInput>): Promise<RiskStateResult> {
    const input = parseInput(PauseInput, raw);
    this.authorize(actor, 'admin', 'risk.resume');
    const before = this.d.store.risk.get();
    const res = this.setRisk(actor, 'risk.resume', (r) => ({ ...r, entriesPaused: false, breakerTripped: false }), input.reason ?? 'resumed', 'paused', false);
    if (before.breakerTripped) this.bus.emit({ type: 'risk.cleared', at: this.d.clock.now(), what: 'breaker', actorId: actor.id });
    return res;
  }

  /** Kill switch (close-only) on — trader or admin — or off — admin only. */
  async setKillSwitch(actor: Actor, raw: z.input<typeof KillSwitchInput>): Promise<RiskStateResult> {
    const input = parseInput(KillSwitchInput, raw);
    this.authorize(actor, input.on ? 'trader' : 'admin', 'risk.killSwitch');
    return this.setRisk(actor, 'risk.killSwitch', (r) => ({ ...r, killSwitch: input.on }), input.reason ?? (input.on ? 'kill switch on' : 'kill switch off'), 'kill_switch', input.on);
  }

  // ------------------------------------------------------------------ internals

  private setRisk(
    actor: Actor,
    action: string,
    change: (r: { entriesPaused: boolean; killSwitch: boolean; breakerTripped: boolean }) => { entriesPaused: boolean; killSwitch: boolean; breakerTripped: boolean },
    reason: string,
    what: 'paused' | 'kill_switch',
    on: boolean,
  ): RiskStateResult {
    const { store, clock } = this.d;
    const now = clock.now();
    const next = store.tx(() => {
      const cur = store.risk.get();
      const n = change(cur);
      store.risk.setFlags(n, reason, now);
      store.audit.add(now, actor, action, 'ok', { reason });
      return n;
    });
    this.bus.emit(on ? { type: 'risk.tripped', at: now, what, reason, actorId: actor.id } : { type: 'risk.cleared', at: now, what, actorId: actor.id });
    return { entriesPaused: next.entriesPaused, killSwitch: next.killSwitch, breakerTripped: next.breakerTripped };
  }

  private async submit(actor: Actor, orderId: string, req: OrderRequest, action: string): Promise<ExecuteResult> {
    this.placing.add(orderId);
    try {
      return await this.placeAndRecord(actor, orderId, req, action);
    } finally {
      this.placing.delete(orderId);
    }
  }

  private async placeAndRecord(actor: Actor, orderId: string, req: OrderRequest, action: string): Promise<ExecuteResult> {
    const { store, clock, broker, metrics } = this.d;
    try {
      const ack = await broker.place(req);
      const cur = store.orders.byId(orderId)!;
      if (cur.status === 'submitting') store.orders.setStatus(orderId, 'accepted', clock.now(), { venueOrderId: ack.orderId });
      metrics.ordersPlaced.inc({ mode: broker.mode, outcome: 'ok' });
      store.audit.add(clock.now(), actor, action, 'placed', { orderLinkId: req.orderLinkId, venueOrderId: ack.orderId, duplicate: ack.duplicate });
      return this.orderResult(orderId, ack.duplicate);
    } catch (e) {
      const de = toDeskError(e);
      const status = de.code === 'UNKNOWN_OUTCOME' ? 'unknown' : 'rejected';
      // The fill may have come over the private stream before the call gave up: it stays filled.
      if (store.orders.byId(orderId)!.status === 'submitting') store.orders.setStatus(orderId, status, clock.now(), { errorCode: de.code });
      metrics.ordersPlaced.inc({ mode: broker.mode, outcome: status });
      this.bus.emit({ type: 'order.rejected', at: clock.now(), orderLinkId: req.orderLinkId, actorKind: actor.kind, actorId: actor.id, symbol: req.symbol, code: de.code });
      this.refuse(actor, action, de, { orderLinkId: req.orderLinkId });
    }
  }

  private orderResult(orderId: string, duplicate: boolean): ExecuteResult {
    const { store } = this.d;
    const o = store.orders.byId(orderId)!;
    const fills = o.positionId ? store.orders.fillsOf(o.positionId).filter((f) => f.orderLinkId === o.orderLinkId) : [];
    const avg = averageFillPrice(fills);
    if (o.status === 'rejected' || o.status === 'cancelled') {
      throw new DeskError((o.errorCode as DeskError['code']) ?? 'EXCHANGE_REJECTED', { orderLinkId: o.orderLinkId, duplicate });
    }
    return {
      orderId: o.id,
      orderLinkId: o.orderLinkId,
      status: o.status === 'filled' ? 'filled' : 'accepted',
      symbol: o.symbol,
      side: o.side,
      qty: o.qty,
      avgPrice: avg,
      stop: o.stop ?? 0,
      targets: o.targets,
      positionId: o.positionId,
      duplicate,
    };
  }

  /** A quote of the signal's symbol taken now, or the DeskError that kept it from coming (planEntry throws it in NO_QUOTE's place); skips the ask for a signal no longer live. */
  private async quoteNow(signal: Signal): Promise<{ quote: Quote | null; error: DeskError | null }> {
    if (!isOpenSignal(signal, this.d.clock.now())) return { quote: null, error: null };
    try {
      return { quote: await this.d.feed.freshQuote(signal.symbol), error: null };
    } catch (e) {
      return { quote: null, error: toDeskError(e) };
    }
  }

  /**
   * The quote a close of `pos` is recorded with: one taken now if the venue answers within
   * CLOSE_QUOTE_WAIT_MS (a paper close, which fills at it, waits for it), else the last one seen, else
   * (live, no book on the venue: an empty bid or ask) the position's own last mark. A reduce-only market
   * close needs no price to be placed, and the kill switch or the breaker may have left closes as the
   * only way out: a slow or failing ticker request, or an empty book, must not hold them. Never rejects.
   */
  private async closeQuote(pos: PositionRow): Promise<Quote | null> {
    const symbol = pos.symbol;
    const asked = this.d.feed.freshQuote(symbol).catch(() => null);
    let timer: NodeJS.Timeout | undefined;
    // A paper close fills at this quote, so it waits for it; a live one waits CLOSE_QUOTE_WAIT_MS at most.
    const late = this.d.broker.mode === 'paper' ? [] : [new Promise<null>((r) => (timer = setTimeout(() => r(null), CLOSE_QUOTE_WAIT_MS)))];
    const fresh = await Promise.race([asked, ...late]);
    clearTimeout(timer);
    return fresh ?? this.d.feed.quote(symbol) ?? (this.d.broker.mode === 'live' ? this.markQuote(pos) : null);
  }

  /**
   * A quote made of `pos`'s last mark (the close of the last bar that marked it, else its entry
   * price), stamped with that bar's close time, source 'bar', for the record of a LIVE close only (the
   * venue fills a reduce-only market order at its own price; a paper close would fill at this one, so
   * it gets none); null when the position has no price or the desk has no bar of the symbol.
   */
  private markQuote(pos: PositionRow): Quote | null {
    const price = pos.lastPrice ?? pos.entryPrice;
    const bars = this.klines.series(pos.symbol, this.finest);
    if (!(price > 0) || !bars || bars.length === 0) return null;
    const ts = bars.start[bars.length - 1]! + intervalMs(this.finest);
    return { symbol: pos.symbol, bid: price, ask: price, last: price, mark: price, ts, source: 'bar' };
  }

  /** Every entry gate in the documented order; throws the first refusal as a DeskError (a failed quote ask in NO_QUOTE's place). */
  private planEntry(
    actor: Actor,
    signal: Signal,
    riskPctIn: number | undefined,
    bal: { equity: number; available: number },
    quote: Quote | null,
    now: number,
    quoteError: DeskError | null = null,
  ): EntryPlan {
    const { store, config, broker } = this.d;
    const mode = broker.mode;
    if (!isOpenSignal(signal, now)) {
      throw new DeskError(signal.status === 'live' || signal.status === 'expired' ? 'SIGNAL_EXPIRED' : 'SIGNAL_NOT_LIVE', { signalId: signal.id, expiresAt: signal.expiresAt });
    }
    const risk = store.risk.get();
    if (risk.killSwitch) throw new DeskError('KILL_SWITCH', { reason: risk.reason });
    if (risk.entriesPaused) throw new DeskError('ENTRIES_PAUSED', { reason: risk.reason });
    if (risk.breakerTripped) throw new DeskError('BREAKER_TRIPPED', { limitPct: config.RISK_DAILY_LOSS_PCT, resetAt: utcDayStart(now) + DAY_MS });
    if (signal.stage !== 'live' || this.stageOf(signal.strategy) !== 'live') throw new DeskError('STRATEGY_NOT_LIVE', { strategy: signal.strategy });
    const cool = store.risk.cooldownUntil(mode, signal.symbol);
    if (cool > now) throw new DeskError('COOLDOWN', { symbol: signal.symbol, until: cool });
    if (store.positions.openOn(mode, signal.symbol) || store.orders.inflightEntries(mode, signal.symbol) > 0) {
      throw new DeskError('POSITION_EXISTS', { symbol: signal.symbol });
    }
    if (store.positions.openAll(mode).length >= config.RISK_MAX_POSITIONS) throw new DeskError('MAX_POSITIONS', { max: config.RISK_MAX_POSITIONS });
    const instrument = this.instrument(signal.symbol);
    if (!quote) throw quoteError ?? new DeskError('NO_QUOTE', { symbol: signal.symbol });
    const age = now - quote.ts;
    if (age > config.RISK_QUOTE_MAX_AGE_MS) throw new DeskError('STALE_QUOTE', { symbol: signal.symbol, ageMs: age, maxMs: config.RISK_QUOTE_MAX_AGE_MS });
    const price = signal.side === 'long' ? quote.ask : quote.bid;
    const stop = roundToStep(signal.stop, instrument.tickSize);
    const riskPct = riskPctIn ?? store.actors.get(actor.kind, actor.id)?.settings.riskPct ?? config.RISK_PER_TRADE_PCT;
    const sized = sizePosition({
      side: signal.side,
      price,
      stop,
      equity: bal.equity,
      available: bal.available,
      instrument,
      limits: { riskPct: Math.min(riskPct, 5), maxMarginPct: config.RISK_MAX_MARGIN_PCT, maxLeverage: config.RISK_MAX_LEVERAGE },
    });
    if (!sized.ok) throw new DeskError(sized.code, sized.detail);
    return {
      signal,
      instrument,
      quote,
      price,
      qty: sized.qty,
      notional: sized.notional,
      margin: sized.margin,
      leverage: sized.leverage,
      riskUsdt: sized.riskUsdt,
      riskPct: sized.riskPct,
      stop,
      targets: signal.targets.map((t) => roundToStep(t, instrument.tickSize)),
    };
  }

  /** A best-effort preview for a refused plan (sizing at the signal's own entry). */
  private roughPlan(actor: Actor, signal: Signal, riskPctIn: number | undefined, equity: number, quote: Quote | null): Omit<PreviewResult, 'allowed' | 'refusal'> {
    const { config, store, clock } = this.d;
    const inst = this.instruments.get(signal.symbol);
    const price = quote ? (signal.side === 'long' ? quote.ask : quote.bid) : signal.entry;
    const riskPct = riskPctIn ?? store.actors.get(actor.kind, actor.id)?.settings.riskPct ?? config.RISK_PER_TRADE_PCT;
    const perUnit = Math.abs(price - signal.stop);
    const qty = inst && perUnit > 0 ? floorToStep((equity * riskPct) / 100 / perUnit, inst.qtyStep) : 0;
    const leverage = Math.min(config.RISK_MAX_LEVERAGE, inst?.maxLeverage ?? config.RISK_MAX_LEVERAGE);
    return {
      signalId: signal.id,
      symbol: signal.symbol,
      side: signal.side,
      qty,
      entry: price,
      stop: signal.stop,
      targets: signal.targets,
      notional: round2(qty * price),
      margin: round2((qty * price) / leverage),
      leverage,
      riskUsdt: round2(qty * perUnit),
      riskPct: equity > 0 ? round2(((qty * perUnit) / equity) * 100) : 0,
      quoteAgeMs: quote ? clock.now() - quote.ts : null,
    };
  }

  /** Stores the drafts that pass the tick rules as signals created at `now`; returns the ones inserted (announce them after commit). */
  private persistDrafts(drafts: SignalDraft[], now: number): Signal[] {
    const { store } = this.d;
    const created: Signal[] = [];
    if (drafts.length === 0) return created;
    // One read of the strategies' stages for the batch, not one per draft.
    const stages = this.stages();
    for (const dr of drafts) {
      const stage = dr.stage === 'live' && this.stageOf(dr.strategy, stages) === 'live' ? 'live' : 'shadow';
      const levels = tickLevels(dr, this.instruments.get(dr.symbol)?.tickSize);
      if (!levels) continue;
      const s: Signal = {
        id: signalId(dr.symbol, dr.interval, dr.strategy, dr.side, dr.barTime),
        symbol: dr.symbol,
        interval: dr.interval,
        side: dr.side,
        strategy: dr.strategy,
        score: dr.score,
        scoreParts: dr.scoreParts,
        entry: levels.entry,
        stop: levels.stop,
        targets: levels.targets,
        barTime: dr.barTime,
        expiresAt: dr.expiresAt,
        regime: dr.regime,
        stage,
        status: 'live',
        createdAt: now,
      };
      if (store.signals.insert(s)) created.push(s);
    }
    return created;
  }

  /** Emits signal.expired for each id. */
  private announceExpired(ids: string[], at: number): void {
    for (const id of ids) this.bus.emit({ type: 'signal.expired', at, signalId: id });
  }

  /** Counts stored signals, emits signal.created for live ones and hands shadow ones to the shadow ledger. */
  private announce(created: Signal[]): void {
    for (const s of created) {
      this.d.metrics.signalsCreated.inc({ strategy: s.strategy, stage: s.stage });
      if (s.stage === 'live') this.bus.emit({ type: 'signal.created', at: s.createdAt, signal: s });
      else this.shadow.track(s);
    }
  }

  /** Records one venue execution (rethrows only when the ledger could not), then emits, demotes and checks the breaker. */
  private async onExecution(e: Execution): Promise<void> {
    const { store, broker, config, logger } = this.d;
    let events: DeskEvent[];
    try {
      events = applyExecution(store, broker.mode, e, { cooldownMs: config.RISK_COOLDOWN_MIN * 60_000 });
    } catch (err) {
      logger.error({ err: errText(err), execId: e.execId, orderLinkId: e.orderLinkId }, 'execution could not be recorded');
      throw err;
    }
    // Recorded: what follows must not make the venue side think the fill was refused.
    try {
      this.emitAll(events);
      for (const ev of events) {
        if (ev.type !== 'position.closed') continue;
        const strategy = store.positions.strategyOf(ev.position.id);
        if (strategy) this.autoDemote(strategy);
      }
      if (events.length > 0) await this.checkBreaker();
    } catch (err) {
      logger.error({ err: errText(err), execId: e.execId }, 'after recording an execution: the breaker or stage check failed');
    }
  }

  /** Rolls the risk day when the UTC day changed; undefined (nothing to await) on every other bar. */
  private rollDayIfNeeded(): Promise<void> | undefined {
    const now = this.d.clock.now();
    const day = utcDayStart(now);
    // Only rollDay sets the stored day, so once it was seen (or set) at today's start it stays there.
    if (day === this.rolledDay) return undefined;
    // One roll at a time: execute, the breaker poll and a fill may all see the new day at once.
    if (this.rolling?.day !== day) {
      const roll = { day, done: this.rollDay(day, now).finally(() => (this.rolling = this.rolling === roll ? null : this.rolling)) };
      this.rolling = roll;
    }
    return this.rolling!.done;
  }

  private async rollDay(day: number, now: number): Promise<void> {
    const { store, broker } = this.d;
    if (store.risk.get().dayStart === day) {
      this.rolledDay = day;
      return;
    }
    const bal = await broker.balance();
    store.risk.rollDay(day, bal.equity, now);
    this.rolledDay = day;
  }

  /**
   * Starts a breaker check beside the bar pipeline unless one is running; `again` (a bar marked an open
   * position since the running check asked for the balance) runs one more check after it. Failures
   * are logged.
   */
  private pollBreaker(again = false): void {
    if (this.stopping) return;
    if (this.breakerPoll) {
      if (again) this.breakerAgain = true;
      return;
    }
    this.breakerPoll = this.checkBreaker()
      .catch((err: unknown) => this.d.logger.error({ err: errText(err) }, 'breaker check failed'))
      .finally(() => {
        this.breakerPoll = null;
        if (!this.breakerAgain || this.stopping) return;
        this.breakerAgain = false;
        this.pollBreaker();
      });
  }

  private async checkBreaker(): Promise<void> {
    const { store, broker } = this.d;
    await this.rollDayIfNeeded();
    const risk = store.risk.get();
    if (risk.breakerTripped || risk.dayStartEquity <= 0) return;
    this.tripOnLoss(await broker.balance());
  }

  /** Rolls the risk day if the UTC day changed, then trips the breaker if `bal` (just fetched by the caller) is down the day's limit; rejects like rollDay or on a database failure. */
  private async checkLoss(bal: { equity: number }): Promise<void> {
    await this.rollDayIfNeeded();
    this.tripOnLoss(bal);
  }

  /** Trips the daily-loss breaker (once: one event, one audit row) if `bal` is down the day's limit; never throws but on a database failure. */
  private tripOnLoss(bal: { equity: number }): void {
    const { store, clock, config } = this.d;
    const risk = store.risk.get();
    if (risk.breakerTripped || risk.dayStartEquity <= 0) return;
    const loss = risk.dayStartEquity - bal.equity;
    if (loss >= (risk.dayStartEquity * config.RISK_DAILY_LOSS_PCT) / 100) {
      const now = clock.now();
      const reason = `daily loss ${round2(loss)} USDT ≥ ${config.RISK_DAILY_LOSS_PCT}% of ${round2(risk.dayStartEquity)}`;
      // Checks run beside each other (fills, bars, the per-close-time poll): only the first trips.
      const tripped = store.tx(() => {
        const cur = store.risk.get();
        if (cur.breakerTripped || cur.dayStart !== risk.dayStart) return false;
        store.risk.setFlags({ entriesPaused: cur.entriesPaused, killSwitch: cur.killSwitch, breakerTripped: true }, reason, now);
        store.audit.add(now, SYSTEM_ACTOR, 'risk.breaker', 'tripped', { loss: round2(loss) });
        return true;
      });
      if (tripped) this.bus.emit({ type: 'risk.tripped', at: now, what: 'breaker', reason, actorId: null });
    }
  }

  /** One reconcile pass; a call while one runs joins it (a slow venue must not stack passes). */
  private runReconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const { store, broker, logger, clock } = this.d;
    const began = clock.now();
    try {
      this.emitAll(await reconcile(store, broker, logger, began, { caughtUpTo: this.caughtUpTo, placing: this.placing, stoplessReported: this.stoplessReported }));
      this.caughtUpTo = began;
    } catch (err) {
      logger.error({ err: errText(err) }, 'reconcile failed');
      // The ledger refused a venue fill: it no longer knows the book, so no new entry goes out on it
      // until someone looks (closes still work; risk.resume lifts the pause).
      if (isDeskError(err, 'INTERNAL') && typeof (err.detail as { refused?: unknown }).refused === 'number' && !store.risk.get().entriesPaused) {
        this.setRisk(SYSTEM_ACTOR, 'risk.pause', (r) => ({ ...r, entriesPaused: true }), 'the ledger could not record a venue fill', 'paused', true);
      }
      throw err;
    }
  }

  private stages(): { name: string; stage: 'live' | 'shadow' }[] {
    const stored = this.d.store.risk.stages();
    return this.d.strategyNames.map((name) => ({
      name,
      stage: stored.get(name)?.stage ?? (this.d.config.DESK_LIVE_STRATEGIES.includes(name) ? 'live' : 'shadow'),
    }));
  }

  private stageOf(name: string, stages = this.stages()): 'live' | 'shadow' {
    return stages.find((s) => s.name === name)?.stage ?? 'shadow';
  }

  private instrument(symbol: string): Instrument {
    const i = this.instruments.get(symbol);
    if (!i) throw new DeskError('NOT_FOUND', { field: 'symbol', symbol }, 'no instrument rules for symbol');
    return i;
  }

  private withExpiry(s: Signal): Signal {
    return s.status === 'live' && s.expiresAt <= this.d.clock.now() ? { ...s, status: 'expired' } : s;
  }

  private authorize(actorIn: Actor, min: Role, action: string): void {
    // Front-ends pass the same actor object on every call of a connection: its validation is remembered
    // against the exact kind/id/role it had, so a changed field is validated again.
    let actor = actorIn;
    const known = actorIn !== null && typeof actorIn === 'object' ? this.validActors.get(actorIn) : undefined;
    if (!known || known.kind !== actorIn.kind || known.id !== actorIn.id || known.role !== actorIn.role) {
      const parsed = ActorSchema.safeParse(actorIn);
      if (!parsed.success) throw new DeskError('UNAUTHENTICATED', { action });
      actor = parsed.data;
      if (typeof actorIn === 'object') this.validActors.set(actorIn, { ...parsed.data });
    } else {
      actor = known;
    }
    const { store, clock } = this.d;
    // One write per actor per minute at most (a status poll must not write on every call); the first
    // call always writes, so settings exist before anyone reads them.
    const now = clock.now();
    const key = `${actor.kind}:${actor.id}:${actor.role}`;
    const seen = this.touched.get(key);
    if (seen === undefined || now - seen >= 60_000) {
      store.actors.touch(actor, now);
      this.touched.set(key, now);
      if (this.touched.size > 100_000) this.touched.clear();
    }
    if (ROLE_RANK[actor.role] < ROLE_RANK[min]) {
      this.refuse(actor, action, new DeskError('FORBIDDEN', { action, need: min, role: actor.role }));
    }
  }

  private refuse(actor: Actor, action: string, err: DeskError, detail: Record<string, unknown> = {}): never {
    this.d.metrics.refusals.inc({ code: err.code });
    try {
      this.d.store.audit.add(this.d.clock.now(), actor, action, `refused:${err.code}`, { ...detail, ...err.detail });
    } catch {
      // the audit write must never mask the refusal itself
    }
    throw err;
  }

  private emitAll(events: DeskEvent[]): void {
    for (const e of events) this.bus.emit(e);
  }
}

function previewOf(p: EntryPlan, allowed: boolean, refusal: PreviewResult['refusal'], now: number): PreviewResult {
  return {
    signalId: p.signal.id,
    symbol: p.signal.symbol,
    side: p.signal.side,
    qty: p.qty,
    entry: p.price,
    stop: p.stop,
    targets: p.targets,
    notional: round2(p.notional),
    margin: round2(p.margin),
    leverage: p.leverage,
    riskUsdt: round2(p.riskUsdt),
    riskPct: round2(p.riskPct),
    quoteAgeMs: now - p.quote.ts,
    allowed,
    refusal,
  };
}


/** Take-profit levels with the quantity each closes: fractions of `qty` rounded down, the last takes the rest. */
function scaleOut(targets: number[], fractions: number[], qty: number, step: number): { price: number; qty: number }[] {
  let left = qty;
  return targets.map((price, i) => {
    const q = i === targets.length - 1 ? Number(left.toFixed(10)) : Math.min(left, floorToStep(qty * fractions[i]!, step));
    left = Number((left - q).toFixed(10));
    return { price, qty: q };
  });
}

function actorKey(a: Actor): string {
  return `${a.kind}:${a.id}`;
}

function countSeries(cfg: DeskConfig, symbol?: string, interval?: string): number {
  return (symbol ? 1 : cfg.DESK_UNIVERSE.length) * (interval ? 1 : cfg.DESK_INTERVALS.length);
}

function recordOf(v: GateVerdict): { trades: number; sharpe: number | null; expectancyPct: number | null } {
  return { trades: v.trades, sharpe: v.sharpe === null ? null : Math.round(v.sharpe * 1000) / 1000, expectancyPct: v.expectancy === null ? null : Math.round(v.expectancy * 1000) / 1000 };
}

function fmt3(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function errText(err: unknown): string {
  if (err instanceof DeskError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return 'non-error thrown';
}
