import type { Bar } from './market/types.ts';
import type { Interval, Signal } from './schemas.ts';

/** A scanner's output before the desk stores it: a Signal without id, status or creation time. */
export type SignalDraft = Omit<Signal, 'id' | 'status' | 'createdAt'>;

/** What the desk needs from a scanner (engine/scan/scanner.ts implements it). */
export interface SignalSource {
  /** Loads warm-up history of one series; throws DeskError VALIDATION on out-of-order bars. */
  warm(symbol: string, interval: Interval, bars: Bar[]): void;
  /** Updates the series with a closed bar and returns surviving candidates as drafts. */
  onBar(bar: Bar, funding: number | null, now: number): SignalDraft[];
  /** Evaluates the current features of the selected series without a new bar. */
  scanNow(
    symbols: readonly string[] | undefined,
    intervals: readonly Interval[] | undefined,
    fundingOf: (symbol: string, at: number) => number | null,
    now: number,
  ): SignalDraft[];
}
