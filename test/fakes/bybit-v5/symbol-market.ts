import { money } from './decimal.ts';
import { firstAtOrAfter, lastAtOrBefore, type FundingSeries, type KlineSeries } from './kline-data.ts';

/** One kline as the fake serves it: strings exactly as recorded (or aggregated from recorded base bars). */
export interface ServedBar {
  start: number;
  end: number;
  interval: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  turnover: string;
  /** True when the bar is closed at the symbol's market time. */
  confirm: boolean;
}

/** The OHLC range of one base bar, as floats, used by the matching engine. */
export interface BarRange {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Turnover is not in the source files: estimated as volume x mean(o,h,l,c), documented in README. */
function turnoverOf(v: number, o: number, h: number, l: number, c: number): string {
  return money((v * (o + h + l + c)) / 4);
}

/**
 * The replayed market of one symbol: a cursor over its base-interval series of real klines. The
 * cursor bar is the newest closed base bar; "market time" is its end (start + interval).
 */
export class SymbolMarket {
  readonly symbol: string;
  readonly base: KlineSeries;
  readonly series: Map<string, KlineSeries>;
  readonly funding: FundingSeries | null;
  private idx: number;

  /** Builds a market over `series` (keyed by interval) with `baseInterval` as the clock; throws Error if it is absent. */
  constructor(symbol: string, series: Map<string, KlineSeries>, baseInterval: string, funding: FundingSeries | null, start?: number) {
    const base = series.get(baseInterval);
    if (!base || base.length < 2) throw new Error(`bybit-v5 fake: ${symbol} has no ${baseInterval} klines`);
    this.symbol = symbol;
    this.base = base;
    this.series = series;
    this.funding = funding;
    this.idx = start === undefined ? Math.floor(base.length * 0.75) : this.indexForTime(start);
  }

  /** Cursor index into the base series. */
  get cursor(): number {
    return this.idx;
  }

  /** Market time of this symbol: end of the cursor bar (epoch ms). */
  now(): number {
    return this.base.start[this.idx] + this.base.ms;
  }

  /** Last traded price (close of the cursor bar). */
  last(): number {
    return this.base.close[this.idx];
  }

  /** Last traded price as recorded text. */
  lastText(): string {
    return this.base.text.close[this.idx];
  }

  /** The cursor bar's range. */
  cursorBar(): BarRange {
    const i = this.idx;
    return { start: this.base.start[i], open: this.base.open[i], high: this.base.high[i], low: this.base.low[i], close: this.base.close[i] };
  }

  /** Base-bar index whose start is the last one <= `time` (clamped into the series); never throws. */
  indexForTime(time: number): number {
    const i = lastAtOrBefore(this.base.start, time);
    return Math.max(0, Math.min(this.base.length - 1, i));
  }

  /** Moves the cursor to `index` (or to the bar containing epoch-ms `time` when `byTime`); throws RangeError out of range. */
  setCursor(indexOrTime: number, byTime = false): void {
    const i = byTime ? this.indexForTime(indexOrTime) : indexOrTime;
    if (!Number.isInteger(i) || i < 0 || i >= this.base.length) throw new RangeError(`cursor ${indexOrTime} outside 0..${this.base.length - 1}`);
    this.idx = i;
  }

  /** True when at least one more base bar exists after the cursor. */
  canStep(): boolean {
    return this.idx + 1 < this.base.length;
  }

  /** Moves the cursor one base bar forward and returns that bar's range; throws RangeError at the end of the data. */
  step(): BarRange {
    if (!this.canStep()) throw new RangeError(`${this.symbol}: end of kline data`);
    this.idx += 1;
    return this.cursorBar();
  }

  /** The closed bar of `interval` at index `i` of its series, as served text; never throws for a valid index. */
  closedBar(s: KlineSeries, i: number): ServedBar {
    return {
      start: s.start[i],
      end: s.start[i] + s.ms - 1,
      interval: s.interval,
      open: s.text.open[i],
      high: s.text.high[i],
      low: s.text.low[i],
      close: s.text.close[i],
      volume: s.text.volume[i],
      turnover: turnoverOf(s.volume[i], s.open[i], s.high[i], s.low[i], s.close[i]),
      confirm: true,
    };
  }

  /**
   * The still-forming bar of series `s` at time `at` (bar start <= at < bar end), aggregated from the
   * recorded base bars inside it, or null when no recorded bar covers `at`; never throws.
   */
  formingBar(s: KlineSeries, at: number): ServedBar | null {
    const i = lastAtOrBefore(s.start, at);
    if (i < 0 || s.start[i] + s.ms <= at || s.start[i] === at) return null;
    const b = this.base;
    const from = firstAtOrAfter(b.start, s.start[i]);
    const to = lastAtOrBefore(b.start, at - b.ms);
    if (from > to) return null;
    let hi = -Infinity;
    let lo = Infinity;
    let vol = 0;
    for (let k = from; k <= to; k++) {
      hi = Math.max(hi, b.high[k]);
      lo = Math.min(lo, b.low[k]);
      vol += b.volume[k];
    }
    const open = s.text.open[i];
    const hiText = hi >= s.open[i] ? textOfMax(b, from, to) : open;
    const loText = lo <= s.open[i] ? textOfMin(b, from, to) : open;
    return {
      start: s.start[i],
      end: s.start[i] + s.ms - 1,
      interval: s.interval,
      open,
      high: hiText,
      low: loText,
      close: b.text.close[to],
      volume: money(vol),
      turnover: turnoverOf(vol, s.open[i], Math.max(hi, s.open[i]), Math.min(lo, s.open[i]), b.close[to]),
      confirm: false,
    };
  }

  /** The opening tick of bar `i` of `s` (o=h=l=c=open, zero volume, confirm=false); never throws for a valid index. */
  openingTick(s: KlineSeries, i: number): ServedBar {
    const o = s.text.open[i];
    return { start: s.start[i], end: s.start[i] + s.ms - 1, interval: s.interval, open: o, high: o, low: o, close: o, volume: '0', turnover: '0', confirm: false };
  }

  /**
   * Klines of `interval` visible at market time, newest first: closed bars plus the forming one;
   * with `start` and no `end` the oldest `limit` bars from `start`, else the newest `limit` up to `end`.
   * Returns null for an interval without data; never throws.
   */
  klines(interval: string, q: { start?: number; end?: number; limit: number }): ServedBar[] | null {
    const s = this.series.get(interval);
    if (!s) return null;
    const now = this.now();
    const lastClosed = lastAtOrBefore(s.start, now - s.ms);
    const forming = this.formingBar(s, now);
    const lo = q.start === undefined ? 0 : firstAtOrAfter(s.start, q.start);
    const endT = q.end === undefined ? Infinity : q.end;
    const hiClosed = Math.min(lastClosed, lastAtOrBefore(s.start, endT));
    const out: ServedBar[] = [];
    const withForming = forming && forming.start >= (q.start ?? -Infinity) && forming.start <= endT;
    if (q.start !== undefined && q.end === undefined) {
      for (let i = lo; i <= hiClosed && out.length < q.limit; i++) out.push(this.closedBar(s, i));
      if (withForming && out.length < q.limit) out.push(forming);
      return out.reverse();
    }
    if (withForming) out.push(forming);
    for (let i = hiClosed; i >= lo && out.length < q.limit; i--) out.push(this.closedBar(s, i));
    return out;
  }

  /** 24h statistics ending at market time from recorded base bars: open 24h ago, high, low, volume, turnover; never throws. */
  stats(windowMs: number): { prev: number; prevText: string; high: number; low: number; volume: number; turnover: number } {
    const b = this.base;
    const from = Math.max(0, firstAtOrAfter(b.start, this.now() - windowMs));
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let turnover = 0;
    for (let k = from; k <= this.idx; k++) {
      high = Math.max(high, b.high[k]);
      low = Math.min(low, b.low[k]);
      volume += b.volume[k];
      turnover += (b.volume[k] * (b.open[k] + b.high[k] + b.low[k] + b.close[k])) / 4;
    }
    return { prev: b.open[from], prevText: b.text.open[from], high, low, volume, turnover };
  }

  /** Funding rate text in force at market time (latest settlement <= now, else the earliest known), or null; never throws. */
  fundingRate(): string | null {
    const f = this.funding;
    if (!f || f.time.length === 0) return null;
    const i = lastAtOrBefore(f.time, this.now());
    return f.rate[Math.max(0, i)];
  }
}

function textOfMax(b: KlineSeries, from: number, to: number): string {
  let best = from;
  for (let k = from; k <= to; k++) if (b.high[k] > b.high[best]) best = k;
  return b.text.high[best];
}

function textOfMin(b: KlineSeries, from: number, to: number): string {
  let best = from;
  for (let k = from; k <= to; k++) if (b.low[k] < b.low[best]) best = k;
  return b.text.low[best];
}
