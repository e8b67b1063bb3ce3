import type { Interval, ScorePart, Signal } from '../schemas.ts';
import type { Features } from '../indicators/features.ts';
import { FeatureState } from '../indicators/feature-state.ts';
import type { FeatureColumns } from '../indicators/feature-columns.ts';
import type { Bar } from '../market/types.ts';
import type { DeskConfig } from '../config.ts';
import { DeskError } from '../errors.ts';
import type { Candidate, Strategy, StrategyContext } from './strategy.ts';
import { ALL_STRATEGIES } from './all-strategies.ts';
import { SCORE_BUFFER_LENGTH, scoreInto, scorePartsOf } from './score.ts';
import type { ScoreStyle } from './score.ts';
import { classifyRegime, DEFAULT_REGIME_THRESHOLDS } from './regime.ts';
import type { Regime, RegimeThresholds } from './regime.ts';
import { vetoRules, DEFAULT_MIN_REWARD_RISK } from './veto.ts';
import type { VetoReason } from './veto.ts';
import { intervalMs, INTERVAL_MS } from './interval.ts';

/**
 * A surviving, scored candidate: every Signal field except id, status and createdAt (the desk fills
 * those), plus the strategy's one-line `reason`.
 */
export interface SignalDraft extends Omit<Signal, 'id' | 'status' | 'createdAt'> {
  reason: string;
}

/** One dropped candidate, reported to `onVeto` (logs, metrics, backtest stats). */
export interface VetoRecord {
  symbol: string;
  interval: Interval;
  strategy: string;
  side: 'long' | 'short';
  reason: VetoReason;
  score: number;
  regime: Regime;
  barTime: number;
}

/** Scanner options; every field has a default. */
export interface ScannerOptions {
  /** Minimum 0..10 score (config DESK_SCORE_THRESHOLD); default 5.5. */
  threshold?: number;
  /** Strategies whose drafts are stage 'live' (config DESK_LIVE_STRATEGIES); the rest are 'shadow'. Default none. */
  liveStrategies?: readonly string[];
  /** A draft expires `ttlBars` bar lengths after the decision time (config DESK_SIGNAL_TTL_BARS); default 3. */
  ttlBars?: number;
  /** Enabled strategies; default ALL_STRATEGIES. Names must be unique. */
  strategies?: readonly Strategy[];
  /** Minimum reward-to-risk to the last target; default 1. */
  minRewardRisk?: number;
  /** Bars a series must have seen before strategies run (EMA200 warm-up); default 200. */
  minBars?: number;
  /** Regime classifier thresholds; default DEFAULT_REGIME_THRESHOLDS. */
  regimeThresholds?: RegimeThresholds;
  /** Called for each vetoed candidate; must not throw (a throw is swallowed). */
  onVeto?: (v: VetoRecord) => void;
  /** Called when a strategy's evaluate throws (the strategy is skipped for that bar); must not throw. */
  onStrategyError?: (strategy: string, error: unknown) => void;
}

/** Funding lookup for on-demand scans: the rate in force for `symbol` at `at`, or null when unknown. */
export type FundingOf = (symbol: string, at: number) => number | null;

/** What the scanner knows about one series. */
export interface SeriesInfo {
  symbol: string;
  interval: Interval;
  bars: number;
  lastStart: number;
}

/** One enabled strategy flattened into a single object shape (monomorphic loads on the hot path). */
interface Slot {
  strategy: Strategy;
  name: string;
  needsFunding: boolean;
  style: ScoreStyle;
  evaluate: Strategy['evaluate'];
  stage: 'live' | 'shadow';
}

interface Series {
  symbol: string;
  interval: Interval;
  /** The enabled strategies allowed on this interval (resolved once). */
  slots: Slot[];
  state: FeatureState;
  f: Features | null;
}

/** Scanner options from the desk config (threshold, live strategies, TTL); never throws. */
export function scannerOptionsFromConfig(cfg: DeskConfig): ScannerOptions {
  return { threshold: cfg.DESK_SCORE_THRESHOLD, liveStrategies: cfg.DESK_LIVE_STRATEGIES, ttlBars: cfg.DESK_SIGNAL_TTL_BARS };
}

const INTERVALS = Object.keys(INTERVAL_MS) as Interval[];

/**
 * The scanner (T1 rank → T2 veto → draft): one incremental FeatureState per symbol × interval; on each
 * closed bar it updates that series, runs the enabled strategies allowed on its interval, scores each
 * candidate on 8 metrics, vetoes (levels / regime / session / reward-risk / threshold) and returns the
 * survivors best score first. It never dedupes across calls (the desk's store keeps one live signal per
 * symbol/side/strategy) but never returns two drafts for the same symbol/side/strategy in one call.
 */
export class Scanner {
  private readonly threshold: number;
  private readonly live: ReadonlySet<string>;
  private readonly ttlBars: number;
  private readonly minRewardRisk: number;
  private readonly minBars: number;
  private readonly regimeThresholds: RegimeThresholds;
  private readonly byInterval = new Map<Interval, Slot[]>();
  /** Each symbol's series in first-seen order: one string-keyed lookup per bar, then a scan of ≤ 5 intervals. */
  private readonly series = new Map<string, Series[]>();
  private readonly ctx: StrategyContext = { symbol: '', interval: '60', funding: null };
  private readonly buf = new Float64Array(SCORE_BUFFER_LENGTH);
  /** The regime of the bar being evaluated, classified on its first candidate (null = not yet). */
  private regime: Regime | null = null;
  private readonly onVeto: ((v: VetoRecord) => void) | undefined;
  private readonly onStrategyError: ((strategy: string, error: unknown) => void) | undefined;
  /** The enabled strategies, in evaluation order. */
  readonly strategies: readonly Strategy[];

  /** Builds a scanner; throws DeskError CONFIG on a threshold outside 0..10, a bad ttlBars/minBars or duplicate strategy names. */
  constructor(opts: ScannerOptions = {}) {
    this.threshold = opts.threshold ?? 5.5;
    this.ttlBars = opts.ttlBars ?? 3;
    this.minRewardRisk = opts.minRewardRisk ?? DEFAULT_MIN_REWARD_RISK;
    this.minBars = opts.minBars ?? 200;
    this.regimeThresholds = opts.regimeThresholds ?? DEFAULT_REGIME_THRESHOLDS;
    this.live = new Set(opts.liveStrategies ?? []);
    this.onVeto = opts.onVeto;
    this.onStrategyError = opts.onStrategyError;
    this.strategies = Object.freeze([...(opts.strategies ?? ALL_STRATEGIES)]);
    if (!(this.threshold >= 0 && this.threshold <= 10)) throw new DeskError('CONFIG', { key: 'threshold' }, 'scanner: threshold must be within 0..10');
    if (!Number.isInteger(this.ttlBars) || this.ttlBars < 1) throw new DeskError('CONFIG', { key: 'ttlBars' }, 'scanner: ttlBars must be an integer ≥ 1');
    if (!Number.isInteger(this.minBars) || this.minBars < 1) throw new DeskError('CONFIG', { key: 'minBars' }, 'scanner: minBars must be an integer ≥ 1');
    if (!(this.minRewardRisk >= 0)) throw new DeskError('CONFIG', { key: 'minRewardRisk' }, 'scanner: minRewardRisk must be ≥ 0');
    const names = new Set<string>();
    for (const s of this.strategies) {
      if (names.has(s.name)) throw new DeskError('CONFIG', { key: 'strategies', name: s.name }, `scanner: duplicate strategy ${s.name}`);
      names.add(s.name);
    }
    for (const iv of INTERVALS) {
      const slots = this.strategies
        .filter((s) => s.intervals.includes(iv))
        .map((s): Slot => ({ strategy: s, name: s.name, needsFunding: s.needsFunding === true, style: s.style ?? 'reversion', evaluate: s.evaluate, stage: this.stageOf(s.name) }));
      this.byInterval.set(iv, slots);
    }
  }

  /** 'live' when `strategy` is in the configured live list, else 'shadow'; never throws. */
  stageOf(strategy: string): 'live' | 'shadow' {
    return this.live.has(strategy) ? 'live' : 'shadow';
  }

  /**
   * (Re)builds the series from `bars` (oldest first) by feeding them one by one to a fresh FeatureState,
   * replacing any previous state. Throws DeskError VALIDATION (nothing replaced) when a bar belongs
   * to another symbol/interval, has a non-finite field, or starts are not strictly increasing.
   */
  warm(symbol: string, interval: Interval, bars: readonly Bar[]): void {
    intervalMs(interval);
    let prev = -Infinity;
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      if (b.symbol !== symbol || b.interval !== interval) {
        throw new DeskError('VALIDATION', { field: `bars[${i}]`, reason: `bar is ${b.symbol}/${b.interval}, expected ${symbol}/${interval}` });
      }
      if (!barFinite(b)) throw new DeskError('VALIDATION', { field: `bars[${i}]`, reason: 'non-finite bar field' });
      if (!(b.start > prev)) throw new DeskError('VALIDATION', { field: `bars[${i}].start`, reason: 'bar starts must be strictly increasing' });
      prev = b.start;
    }
    const s: Series = { symbol, interval, slots: this.slotsFor(interval), state: new FeatureState(), f: null };
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      s.f = s.state.updateBar(b);
    }
    const list = this.series.get(symbol);
    if (list === undefined) {
      this.series.set(symbol, [s]);
      return;
    }
    const at = indexOfInterval(list, interval);
    if (at < 0) list.push(s);
    else list[at] = s;
  }

  /**
   * Feeds one closed bar (creating a cold series on first sight), then evaluates it with the funding
   * rate in force and decision time `now`; returns the surviving drafts, best score first. A bar whose
   * start is not after the series' last one (a replayed duplicate) is ignored and yields []. Throws
   * DeskError VALIDATION on an unknown interval or a non-finite bar field (the series is untouched).
   */
  onBar(bar: Bar, funding: number | null, now: number): SignalDraft[] {
    const out: SignalDraft[] = [];
    this.onBarInto(bar, funding, now, out);
    return out;
  }

  /**
   * onBar writing the drafts into `out` (emptied first, best score first) and returning their count:
   * the same work with no result array allocated per bar (backtests). Throws like onBar.
   */
  onBarInto(bar: Bar, funding: number | null, now: number, out: SignalDraft[]): number {
    if (out.length !== 0) out.length = 0;
    if (!barFinite(bar)) throw new DeskError('VALIDATION', { field: 'bar', reason: 'non-finite bar field' });
    const s = this.seriesFor(bar.symbol, bar.interval);
    if (!(bar.start > s.state.lastBarStart)) return 0;
    s.f = s.state.updateBar(bar);
    this.evaluate(s, funding, now, out);
    if (out.length > 1) out.sort(byScore);
    return out.length;
  }

  /**
   * onBarInto for row `i` of `symbol`/`interval` column arrays (a backtest's loaded klines): the same
   * validation, feature update and evaluation, with no Bar object in between. Throws like onBar.
   */
  onRowInto(symbol: string, interval: Interval, cols: FeatureColumns, i: number, funding: number | null, now: number, out: SignalDraft[]): number {
    if (out.length !== 0) out.length = 0;
    const start = cols.start[i] as number;
    if (!rowFinite(cols, i)) throw new DeskError('VALIDATION', { field: 'bar', reason: 'non-finite bar field' });
    const s = this.seriesFor(symbol, interval);
    if (!(start > s.state.lastBarStart)) return 0;
    s.f = s.state.updateAt(cols, i);
    this.evaluate(s, funding, now, out);
    if (out.length > 1) out.sort(byScore);
    return out.length;
  }

  /** The series of symbol/interval, created cold on first sight; throws DeskError VALIDATION on an unknown interval. */
  private seriesFor(symbol: string, interval: Interval): Series {
    const list = this.series.get(symbol);
    if (list !== undefined) {
      for (let k = 0; k < list.length; k++) {
        const s = list[k];
        if (s.interval === interval) return s;
      }
    }
    intervalMs(interval);
    const s: Series = { symbol, interval, slots: this.slotsFor(interval), state: new FeatureState(), f: null };
    if (list === undefined) this.series.set(symbol, [s]);
    else list.push(s);
    return s;
  }

  /**
   * On-demand scan: evaluates the CURRENT features (no new bar) of every known series matching
   * `symbols` and `intervals` (undefined/null = all), with `fundingOf(symbol, now)` as the funding rate;
   * returns the drafts best score first, at most one per symbol/side/strategy (the higher score wins,
   * ties go to the longer interval). Unknown symbols are simply not scanned; never throws on data.
   */
  scanNow(symbols: readonly string[] | null | undefined, intervals: readonly Interval[] | null | undefined, fundingOf: FundingOf, now: number): SignalDraft[] {
    const out: SignalDraft[] = [];
    for (const s of this.selected(symbols, intervals)) this.evaluate(s, fundingOf(s.symbol, now), now, out);
    return dedupe(out);
  }

  /** The series known to the scanner matching the filters (undefined/null = all); never throws. */
  list(symbols?: readonly string[] | null, intervals?: readonly Interval[] | null): SeriesInfo[] {
    return this.selected(symbols, intervals).map((s) => ({ symbol: s.symbol, interval: s.interval, bars: s.f?.bars ?? 0, lastStart: s.state.lastBarStart }));
  }

  /** A copy of the latest features of one series, or null when unknown or empty; never throws. */
  features(symbol: string, interval: Interval): Features | null {
    const list = this.series.get(symbol);
    const at = list === undefined ? -1 : indexOfInterval(list, interval);
    const f = at < 0 ? null : (list as Series[])[at].f;
    return f ? { ...f } : null;
  }

  /** Forgets one series (or every interval of `symbol`); returns how many were dropped; never throws. */
  drop(symbol: string, interval?: Interval): number {
    const list = this.series.get(symbol);
    if (list === undefined) return 0;
    if (interval === undefined) {
      this.series.delete(symbol);
      return list.length;
    }
    const at = indexOfInterval(list, interval);
    if (at < 0) return 0;
    list.splice(at, 1);
    if (list.length === 0) this.series.delete(symbol);
    return 1;
  }

  private slotsFor(interval: Interval): Slot[] {
    return this.byInterval.get(interval) ?? [];
  }

  private selected(symbols: readonly string[] | null | undefined, intervals: readonly Interval[] | null | undefined): Series[] {
    const out: Series[] = [];
    const syms = symbols ?? [...this.series.keys()];
    for (const sym of syms) {
      const list = this.series.get(sym);
      if (list === undefined) continue;
      for (const s of list) if (!intervals || intervals.includes(s.interval)) out.push(s);
    }
    return out;
  }

  private evaluate(s: Series, funding: number | null, now: number, out: SignalDraft[]): void {
    const f = s.f;
    if (f === null || !(f.bars >= this.minBars)) return;
    const slots = s.slots;
    const n = slots.length;
    if (n === 0) return;
    const ctx = this.ctx;
    ctx.symbol = s.symbol;
    ctx.interval = s.interval;
    ctx.funding = funding;
    // The hot loop only asks each strategy; the rare candidate (a few % of calls) goes to take().
    this.regime = null;
    for (let i = 0; i < n; i++) {
      const slot = slots[i];
      if (slot.needsFunding && funding === null) continue;
      let c;
      try {
        c = slot.evaluate.call(slot.strategy, f, ctx);
      } catch (e) {
        safeCall(this.onStrategyError, slot.name, e);
        continue;
      }
      if (c !== null && c !== undefined) this.take(s, f, slot, c, funding, now, out);
    }
  }

  /** Classifies (once per bar), vetoes, scores and drafts one candidate of series `s` (see evaluate). */
  private take(s: Series, f: Features, slot: Slot, c: Candidate, funding: number | null, now: number, out: SignalDraft[]): void {
    let regime = this.regime;
    if (regime === null) regime = this.regime = classifyRegime(f, this.regimeThresholds);
    // Cheap rules first; score (allocation-free) only what they let through, parts only for survivors.
    let why: VetoReason | null = vetoRules(c, slot.strategy, regime, now, this.minRewardRisk);
    const score = why === null || this.onVeto ? scoreInto(f, c.side, funding, this.buf, slot.style) : NaN;
    if (why === null && !(score >= this.threshold)) why = 'threshold';
    if (why !== null) {
      if (this.onVeto) {
        const rec: VetoRecord = { symbol: s.symbol, interval: s.interval, strategy: slot.name, side: c.side, reason: why, score, regime, barTime: f.start };
        safeCall(this.onVeto, rec);
      }
      return;
    }
    out.push(draftOf(s, c, slot.name, score, scorePartsOf(this.buf), regime, now, this.ttlBars, slot.stage, f.start));
  }
}

function draftOf(
  s: Series,
  c: Candidate,
  strategy: string,
  score: number,
  scoreParts: ScorePart[],
  regime: Regime,
  now: number,
  ttlBars: number,
  stage: 'live' | 'shadow',
  barTime: number,
): SignalDraft {
  return {
    symbol: s.symbol,
    interval: s.interval,
    side: c.side,
    strategy,
    score,
    scoreParts,
    entry: c.entry,
    stop: c.stop,
    targets: c.targets.slice(),
    barTime,
    expiresAt: now + ttlBars * INTERVAL_MS[s.interval],
    stage,
    regime,
    reason: c.reason,
  };
}

/** Index of the series of `interval` in one symbol's list, or -1. */
function indexOfInterval(list: readonly Series[], interval: Interval): number {
  for (let k = 0; k < list.length; k++) if (list[k].interval === interval) return k;
  return -1;
}

function rowFinite(c: FeatureColumns, i: number): boolean {
  return (
    Number.isFinite(c.start[i]) && Number.isFinite(c.open[i]) && Number.isFinite(c.high[i]) && Number.isFinite(c.low[i]) && Number.isFinite(c.close[i]) && Number.isFinite(c.volume[i])
  );
}

function barFinite(b: Bar): boolean {
  return (
    Number.isFinite(b.start) && Number.isFinite(b.open) && Number.isFinite(b.high) && Number.isFinite(b.low) && Number.isFinite(b.close) && Number.isFinite(b.volume)
  );
}

function byScore(a: SignalDraft, b: SignalDraft): number {
  return b.score - a.score || INTERVAL_MS[b.interval] - INTERVAL_MS[a.interval];
}

function dedupe(drafts: SignalDraft[]): SignalDraft[] {
  if (drafts.length < 2) return drafts;
  drafts.sort(byScore);
  const seen = new Set<string>();
  const out: SignalDraft[] = [];
  for (const d of drafts) {
    const k = `${d.symbol}\u0000${d.side}\u0000${d.strategy}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}

function safeCall<A extends unknown[]>(fn: ((...a: A) => void) | undefined, ...args: A): void {
  if (!fn) return;
  try {
    fn(...args);
  } catch {
    // a listener's failure must not stop the scan
  }
}
