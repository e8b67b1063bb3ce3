import type { Interval, Side } from '../schemas.ts';
import type { Bar, Instrument } from '../market/types.ts';
import type { PaperBookEntry } from '../exec/paper-broker.ts';
import type { SignalDraft } from '../scan/scanner.ts';
import type { BacktestSeries } from './data.ts';
import type { DeskRunOptions, EquityCurve, RunResult } from './desk-backtest.ts';
import type { TradeRecord } from './trade.ts';
import type { ManagedPosition } from './desk-rules.ts';
import { Scanner } from '../scan/scanner.ts';
import { intervalMs } from '../scan/interval.ts';
import { FundingStore } from '../market/funding-store.ts';
import { barExits, EXIT_FILL_SLOTS } from '../exec/paper-broker.ts';
import { reduceFill, stopOutCools } from '../exec/ledger.ts';
import { sizePosition } from '../risk/sizing.ts';
import { roundToStep } from '../risk/rounding.ts';
import { utcDayStart } from '../clock.ts';
import { DeskError } from '../errors.ts';
import { barAt } from './backtest-feed.ts';
import { FundingCursor, FundingSchedule, fundingPayment } from './funding.ts';
import { managedStop, quoteAsk, quoteBid, tickLevels } from './desk-rules.ts';
import { tradeRecord } from './trade.ts';

/** One open or closed position of the fast desk (the paper book entry plus the ledger's fields). */
class Pos implements PaperBookEntry, ManagedPosition {
  positionId: string;
  qty: number;
  initialQty: number;
  stop: number;
  initialStop: number;
  targetsHit = 0;
  breakEvenLocked = false;
  realizedPnl = 0;
  fees = 0;
  /** Last marked price; NaN = none yet (the ledger's null). */
  lastPrice = NaN;
  funding = 0;
  closedAt = 0;
  closeReason = '';
  constructor(
    readonly seq: number,
    readonly symbol: string,
    readonly interval: Interval,
    readonly strategy: string,
    readonly side: Side,
    qty: number,
    readonly entryPrice: number,
    stop: number,
    readonly targets: number[],
    readonly leverage: number,
    readonly openedAt: number,
  ) {
    this.positionId = `f${seq}`;
    this.qty = qty;
    this.initialQty = qty;
    this.stop = stop;
    this.initialStop = stop;
  }
}

/** One series of the run: its columns, cursor, funding cursor, its position slot and live-signal slots. */
interface Lane {
  s: BacktestSeries;
  symbol: string;
  start: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** The funding rate in force at a close (FundingStore.rateAt walked forward); null without a funding file. */
  rate: FundingCursor | null;
  cursor: number;
  end: number;
  inst: Instrument;
  pos: Pos | null;
  cooldownUntil: number;
  schedule: FundingSchedule | null;
  lastClose: number;
  /** Per strategy × side (2k long, 2k+1 short): bar time of the live signal, NaN when none. */
  liveBarTime: Float64Array;
  /** Live signals on this lane. */
  liveCount: number;
  liveExpires: Float64Array;
}

interface Pending {
  lane: Lane;
  strategy: string;
  side: Side;
  stop: number;
  targets: number[];
}

/**
 * The desk's closed-bar pipeline for one interval without SQLite, events or async: the same Scanner
 * (fed row by row from the loaded columns through onRowInto), the desk's signal rules (tick levels, one
 * live signal per symbol/side/strategy, market-time and wall-time expiry), its entry gates in order
 * (breaker, cooldown, position exists, max positions, sizePosition on the paper wallet), the paper
 * broker's exit rule (barExits), the ledger's fill arithmetic, the exit manager's stop moves
 * (managedStop), the daily-loss breaker and the runner's funding and end-of-run closes. State lives in
 * per-series slots and typed arrays: the loop creates no objects of its own per bar (the strategies'
 * candidates, drafts, signals, positions and trades do).
 * Same fill model and RunResult as runDeskBacktest, which the equivalence test holds it to. Throws
 * DeskError CONFIG when the interval has no series or a symbol has no instrument rules, VALIDATION
 * (before running anything) when a row is non-finite or out of order — files from loadBacktestData
 * never are; the desk would log such a bar and go on, a backtest should not.
 */
export function runFastBacktest(o: DeskRunOptions): RunResult {
  return new FastDesk(o).run();
}

/** Every row the run reads (warm-up and traded) is finite with strictly increasing starts; throws DeskError VALIDATION naming the first bad one. */
function checkRows(s: BacktestSeries): void {
  const d = s.data;
  let prev = -Infinity;
  for (let i = s.warmFrom; i < s.end; i++) {
    const t = d.start[i] as number;
    const ok = t > prev && Number.isFinite(t) && Number.isFinite(d.open[i]) && Number.isFinite(d.high[i]) && Number.isFinite(d.low[i]) && Number.isFinite(d.close[i]) && Number.isFinite(d.volume[i]);
    if (!ok) throw new DeskError('VALIDATION', { field: `${s.symbol}-${s.interval}[${i}]`, reason: 'non-finite value or start not after the previous row' });
    prev = t;
  }
}

class FastDesk {
  private readonly cfg: DeskRunOptions['config'];
  private readonly lanes: Lane[];
  private readonly scanner: Scanner;
  private readonly funding = new FundingStore();
  private readonly strategyIndex = new Map<string, number>();
  private readonly ivMs: number;
  private readonly firstStart: number;
  private readonly drafts: SignalDraft[] = [];
  private readonly fills = new Float64Array(EXIT_FILL_SLOTS * 8);
  private readonly open: Pos[] = [];
  private readonly closed: Pos[] = [];
  private readonly pending: Pending[] = [];
  private readonly refusals: Record<string, number> = {};
  private readonly cooldownMs: number;
  private readonly ttlMs: number;
  // Realized PnL net of fees of closed positions, as a Kahan–Babuška–Neumaier sum (SQLite's SUM).
  private closedSum = 0;
  private closedErr = 0;
  private equity = 0;
  private available = 0;
  private dayStart: number;
  private dayStartEquity: number;
  private breakerTripped = false;
  /** Whether the wallet may have changed since the breaker last looked (marks, fills, funding). */
  private walletChanged = true;
  private minExpires = Infinity;
  private signals = 0;
  private seq = 0;
  private now = 0;

  constructor(private readonly o: DeskRunOptions) {
    this.cfg = o.config;
    const series = o.data.series.filter((s) => s.interval === o.interval);
    if (series.length === 0) throw new DeskError('CONFIG', { interval: o.interval }, `backtest: no series for interval ${o.interval}`);
    this.ivMs = intervalMs(o.interval);
    this.firstStart = Math.min(...series.map((s) => s.data.start[s.from] as number));
    this.cooldownMs = this.cfg.RISK_COOLDOWN_MIN * 60_000;
    this.ttlMs = this.cfg.DESK_SIGNAL_TTL_BARS * this.ivMs;
    this.scanner = new Scanner({
      threshold: this.cfg.DESK_SCORE_THRESHOLD,
      ttlBars: this.cfg.DESK_SIGNAL_TTL_BARS,
      liveStrategies: o.strategies.map((s) => s.name),
      strategies: o.strategies,
    });
    this.scanner.strategies.forEach((s, i) => this.strategyIndex.set(s.name, i));
    const slots = 2 * this.scanner.strategies.length;
    // The desk's feed loads funding into a FundingStore, which refuses unordered files (DeskError VALIDATION); so does this.
    for (const [sym, f] of o.data.funding) this.funding.set(sym, f.time.subarray(0, f.length), f.rate.subarray(0, f.length));
    this.lanes = [...series]
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
      .map((s): Lane => {
        const inst = o.data.instruments.find((i) => i.symbol === s.symbol);
        if (!inst) throw new DeskError('CONFIG', { symbol: s.symbol }, `backtest: no instrument rules for ${s.symbol}`);
        checkRows(s);
        const f = o.data.funding.get(s.symbol);
        return {
          s,
          symbol: s.symbol,
          start: s.data.start,
          open: s.data.open,
          high: s.data.high,
          low: s.data.low,
          close: s.data.close,
          volume: s.data.volume,
          rate: f ? new FundingCursor(f.time, f.rate, f.length) : null,
          cursor: s.from,
          end: s.end,
          inst,
          pos: null,
          cooldownUntil: 0,
          schedule: f ? new FundingSchedule(f.time.subarray(0, f.length), f.rate.subarray(0, f.length), this.firstStart) : null,
          lastClose: NaN,
          liveBarTime: new Float64Array(slots).fill(NaN),
          liveCount: 0,
          liveExpires: new Float64Array(slots).fill(NaN),
        };
      });
    // desk.start(): the risk day starts at the first bar's open with the start equity.
    this.dayStart = utcDayStart(this.firstStart);
    this.dayStartEquity = this.cfg.PAPER_START_EQUITY;
  }

  run(): RunResult {
    const o = this.o;
    const lanes = this.lanes;
    for (const l of lanes) {
      const warm: Bar[] = [];
      for (let i = l.s.warmFrom; i < l.s.from; i++) warm.push(barAt(l.s, i));
      if (warm.length > 0) this.scanner.warm(l.symbol, o.interval, warm);
    }
    const total = lanes.reduce((a, l) => a + (l.end - l.cursor), 0);
    const sampleEvery = Math.max(lanes.length, Math.ceil(total / 2000));
    const curve: EquityCurve = { t: [], equity: [] };
    let nextSample = 0;
    let done = 0;
    let T = this.firstStart;
    const iv = this.ivMs;
    for (;;) {
      let close = Infinity;
      for (let k = 0; k < lanes.length; k++) {
        const l = lanes[k]!;
        if (l.cursor < l.end) {
          const c = (l.start[l.cursor] as number) + iv;
          if (c < close) close = c;
        }
      }
      if (close === Infinity) break;
      T = close;
      this.now = T;
      for (let k = 0; k < lanes.length; k++) {
        const l = lanes[k]!;
        if (l.cursor < l.end && (l.start[l.cursor] as number) + iv === T) {
          this.onBar(l, l.cursor);
          l.cursor++;
          done++;
        }
      }
      this.settleFunding(T);
      if (this.pending.length > 0) this.enterPending(T);
      if (done >= nextSample || done === total) {
        this.balance();
        curve.t.push(T);
        curve.equity.push(this.equity);
        nextSample = done + sampleEvery;
      }
      if (o.onProgress && (done & 1023) === 0) o.onProgress(done, total);
    }
    this.closeAll();
    o.onProgress?.(done, total);
    this.balance();
    const endEquity = this.equity;
    if (curve.t.length > 0) curve.equity[curve.equity.length - 1] = endEquity;
    const trades: TradeRecord[] = this.closed
      .slice()
      .sort((a, b) => a.closedAt - b.closedAt || a.seq - b.seq)
      .map((p) =>
        tradeRecord({
          symbol: p.symbol,
          interval: p.interval,
          strategy: p.strategy,
          side: p.side,
          openedAt: p.openedAt,
          closedAt: p.closedAt,
          entryPrice: p.entryPrice,
          qty: p.initialQty,
          grossPnl: p.realizedPnl + p.funding,
          fees: p.fees,
          funding: p.funding,
          closeReason: p.closeReason === 'close' && p.closedAt === T ? 'end' : p.closeReason,
        }),
      );
    return {
      interval: o.interval,
      symbols: lanes.map((l) => l.symbol),
      from: this.firstStart + iv,
      to: T,
      bars: done,
      startEquity: this.cfg.PAPER_START_EQUITY,
      endEquity,
      trades,
      equity: curve,
      signals: this.signals,
      refusals: this.refusals,
    };
  }

  /** Desk.onBar for the finest (only) interval: mark, venue exits, stop management, breaker, scan, signals, expiry. */
  private onBar(l: Lane, i: number): void {
    const start = l.start[i] as number;
    const close = l.close[i] as number;
    l.lastClose = close;
    const p = l.pos;
    if (p !== null) {
      p.lastPrice = close;
      this.walletChanged = true;
      const n = barExits(p, l.open[i] as number, l.high[i] as number, l.low[i] as number, l.inst.qtyStep, this.fills);
      for (let k = 0; k < n; k++) {
        const base = k * EXIT_FILL_SLOTS;
        this.reduce(l, p, this.fills[base + 1]!, this.fills[base + 2]!, this.fills[base] === 0 ? 'stop' : 'target');
        this.checkBreaker();
      }
      if (l.pos !== null) {
        const moved = managedStop(p, close, this.cfg.RISK_TRAIL_MIN_LEVERAGE, l.inst.tickSize);
        if (moved !== null) p.stop = moved.stop;
        if (p.targetsHit >= 1) p.breakEvenLocked = true;
      }
    }
    this.checkBreaker();
    const drafts = this.drafts;
    const n = this.scanner.onRowInto(l.symbol, this.o.interval, l.s.data, i, l.rate === null ? null : l.rate.at(start + this.ivMs), this.now, drafts);
    // As the desk: the signals this bar ages out first, so their slots take this bar's drafts.
    if (l.liveCount > 0) {
      const stale = start - this.ttlMs;
      const live = l.liveBarTime;
      for (let k = 0; k < live.length; k++) if ((live[k] as number) <= stale) this.expire(l, k);
    }
    for (let k = 0; k < n; k++) this.persist(l, drafts[k]!);
    if (this.now >= this.minExpires) this.expireAll(this.now);
  }

  /** Desk.persistDrafts: tick levels, then at most one live signal per symbol/side/strategy. */
  private persist(l: Lane, dr: SignalDraft): void {
    // A live signal on the slot blocks the insert whatever the levels, so it is checked first.
    const slot = 2 * this.strategyIndex.get(dr.strategy)! + (dr.side === 'long' ? 0 : 1);
    if (l.liveBarTime[slot] === l.liveBarTime[slot]) return;
    const levels = tickLevels(dr, l.inst.tickSize);
    if (!levels) return;
    l.liveBarTime[slot] = dr.barTime;
    l.liveExpires[slot] = dr.expiresAt;
    l.liveCount++;
    if (dr.expiresAt < this.minExpires) this.minExpires = dr.expiresAt;
    this.signals++;
    this.pending.push({ lane: l, strategy: dr.strategy, side: dr.side, stop: levels.stop, targets: levels.targets });
  }

  private expire(l: Lane, slot: number): void {
    l.liveCount--;
    l.liveBarTime[slot] = NaN;
    l.liveExpires[slot] = NaN;
  }

  /** SignalsRepo.expire(now): every live signal whose expiry is at or before `now`. */
  private expireAll(now: number): void {
    let min = Infinity;
    for (const l of this.lanes) {
      const ex = l.liveExpires;
      for (let k = 0; k < ex.length; k++) {
        const e = ex[k] as number;
        if (e !== e) continue;
        if (e <= now) this.expire(l, k);
        else if (e < min) min = e;
      }
    }
    this.minExpires = min;
  }

  /** The runner's funding: settlements in (previous close, T] charged on what is still open. */
  private settleFunding(T: number): void {
    for (let k = 0; k < this.lanes.length; k++) {
      const l = this.lanes[k]!;
      const sch = l.schedule;
      if (sch === null) continue;
      let rate = sch.next(T);
      if (rate !== rate) continue;
      const p = l.pos;
      let paid = 0;
      for (; rate === rate; rate = sch.next(T)) {
        if (p !== null) paid += fundingPayment(p.side, p.qty, l.lastClose === l.lastClose ? l.lastClose : p.entryPrice, rate);
      }
      if (p === null) continue;
      p.realizedPnl -= paid;
      p.funding += paid;
      this.walletChanged = true;
    }
  }

  /** The runner's entries: each new signal at the open of its symbol's next bar, through the desk's gates. */
  private enterPending(T: number): void {
    const batch = this.pending.splice(0, this.pending.length);
    for (const sig of batch) {
      const l = sig.lane;
      if (l.cursor >= l.end) {
        this.refuse('NO_NEXT_BAR');
        continue;
      }
      const inst = l.inst;
      // Desk.planEntry, in its order (kill switch, pause, stage, quote age never refuse here).
      if (this.breakerTripped) {
        this.refuse('BREAKER_TRIPPED');
        continue;
      }
      if (l.cooldownUntil > T) {
        this.refuse('COOLDOWN');
        continue;
      }
      if (l.pos !== null) {
        this.refuse('POSITION_EXISTS');
        continue;
      }
      if (this.open.length >= this.cfg.RISK_MAX_POSITIONS) {
        this.refuse('MAX_POSITIONS');
        continue;
      }
      // The quote the runner sets (next open ± half a tick); pure, so taken only for entries that reach sizing.
      const open = l.open[l.cursor] as number;
      const price = sig.side === 'long' ? quoteAsk(open, inst.tickSize) : quoteBid(open, inst.tickSize);
      const stop = roundToStep(sig.stop, inst.tickSize);
      // The wallet the desk reads before its gates; nothing changes it between there and here.
      this.balance();
      const sized = sizePosition({
        side: sig.side,
        price,
        stop,
        equity: this.equity,
        available: this.available,
        instrument: inst,
        limits: { riskPct: Math.min(this.cfg.RISK_PER_TRADE_PCT, 5), maxMarginPct: this.cfg.RISK_MAX_MARGIN_PCT, maxLeverage: this.cfg.RISK_MAX_LEVERAGE },
      });
      if (!sized.ok) {
        this.refuse(sized.code);
        continue;
      }
      const targets = sig.targets.map((t) => roundToStep(t, inst.tickSize));
      const p = new Pos(++this.seq, l.symbol, this.o.interval, sig.strategy, sig.side, sized.qty, price, stop, targets, sized.leverage, T);
      p.fees = sized.qty * price * this.cfg.PAPER_FEE_RATE;
      l.pos = p;
      this.open.push(p);
      this.walletChanged = true;
      this.checkBreaker();
    }
  }

  /** The end of the run: every open position closed at its symbol's last close (the synthetic quote's bid/ask). */
  private closeAll(): void {
    for (const p of this.open.slice()) {
      const l = this.lanes.find((x) => x.pos === p)!;
      const px = l.lastClose === l.lastClose ? l.lastClose : p.entryPrice;
      const qty = p.qty;
      if (!(qty > 0) || qty < l.inst.minQty) {
        this.refuse('END_CLOSE_SIZE_TOO_SMALL');
        continue;
      }
      this.reduce(l, p, qty, p.side === 'long' ? quoteBid(px, l.inst.tickSize) : quoteAsk(px, l.inst.tickSize), 'close');
    }
  }

  /** A reducing fill through the ledger's arithmetic (applyReduce): PnL, fee, quantity, targets hit, close and cooldown. */
  private reduce(l: Lane, p: Pos, fillQty: number, price: number, kind: 'stop' | 'target' | 'close'): void {
    if (l.pos !== p) return;
    this.walletChanged = true;
    // The ledger's own reduce arithmetic (engine/exec/ledger.ts), so both books close positions alike.
    if (!reduceFill(p, fillQty, price, fillQty * price * this.cfg.PAPER_FEE_RATE, kind)) return;
    p.closedAt = this.now;
    p.closeReason = kind;
    if (stopOutCools(p, kind, this.cooldownMs)) l.cooldownUntil = Math.max(l.cooldownUntil, this.now + this.cooldownMs);
    l.pos = null;
    this.open.splice(this.open.indexOf(p), 1);
    this.closed.push(p);
    this.addClosed(p.realizedPnl - p.fees);
  }

  private addClosed(v: number): void {
    const s = this.closedSum;
    const t = s + v;
    this.closedErr += Math.abs(s) > Math.abs(v) ? s - t + v : v - t + s;
    this.closedSum = t;
  }

  /** The paper wallet (paperBalance): equity = start + realized net of fees + unrealized at the last mark; available = equity − margin. */
  private balance(): void {
    let s = this.closedSum;
    let e = this.closedErr;
    let unrealized = 0;
    let used = 0;
    const open = this.open;
    for (let k = 0; k < open.length; k++) {
      const p = open[k]!;
      const v = p.realizedPnl - p.fees;
      const t = s + v;
      e += Math.abs(s) > Math.abs(v) ? s - t + v : v - t + s;
      s = t;
    }
    for (let k = 0; k < open.length; k++) {
      const p = open[k]!;
      const dir = p.side === 'long' ? 1 : -1;
      unrealized += ((p.lastPrice === p.lastPrice ? p.lastPrice : p.entryPrice) - p.entryPrice) * p.qty * dir;
      used += (p.entryPrice * p.qty) / p.leverage;
    }
    this.equity = this.cfg.PAPER_START_EQUITY + (s + e) + unrealized;
    this.available = this.equity - used;
  }

  /** Desk.checkBreaker: roll the UTC day (start equity, breaker cleared), then trip on the daily loss limit. */
  private checkBreaker(): void {
    const day = utcDayStart(this.now);
    if (this.dayStart !== day) {
      this.balance();
      this.dayStart = day;
      this.dayStartEquity = this.equity;
      this.breakerTripped = false;
      this.walletChanged = true;
    }
    if (this.breakerTripped || this.dayStartEquity <= 0) return;
    // Same day, same wallet as the last look: the answer cannot have changed.
    if (!this.walletChanged) return;
    this.walletChanged = false;
    this.balance();
    if (this.dayStartEquity - this.equity >= (this.dayStartEquity * this.cfg.RISK_DAILY_LOSS_PCT) / 100) this.breakerTripped = true;
  }

  private refuse(code: string): void {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
  }
}
