/** One series a ReplayMerge walks: bar starts (ascending), its interval length and a cursor. */
export interface MergeSource {
  symbol: string;
  intervalMs: number;
  start: Float64Array;
  /** Index of the next bar to hand out. */
  cursor: number;
  /** Exclusive end index. */
  end: number;
}

function before(a: MergeSource, b: MergeSource): boolean {
  const ca = (a.start[a.cursor] as number) + a.intervalMs;
  const cb = (b.start[b.cursor] as number) + b.intervalMs;
  if (ca !== cb) return ca < cb;
  if (a.intervalMs !== b.intervalMs) return a.intervalMs < b.intervalMs;
  return a.symbol < b.symbol;
}

/**
 * K-way merge of several bar series by bar CLOSE time (start + interval), ties by interval (finer
 * first) then symbol: a binary heap of cursors, O(log k) per bar, no per-bar allocation. Never throws.
 */
export class ReplayMerge<S extends MergeSource = MergeSource> {
  private readonly heap: S[] = [];

  /** Builds the merge over `sources`, skipping those already exhausted (cursor ≥ end). */
  constructor(sources: readonly S[]) {
    for (const s of sources) if (s.cursor < s.end) this.push(s);
  }

  /** Bars left across all sources. */
  remaining(): number {
    let n = 0;
    for (const s of this.heap) n += s.end - s.cursor;
    return n;
  }

  /** Close time of the next bar, or undefined when the merge is exhausted. */
  peekClose(): number | undefined {
    const s = this.heap[0];
    return s ? (s.start[s.cursor] as number) + s.intervalMs : undefined;
  }

  /**
   * Hands out the source whose cursor points at the next bar, with `index` = that bar's row, and
   * advances its cursor; undefined when exhausted.
   */
  next(): { source: S; index: number } | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const index = top.cursor++;
    if (top.cursor >= top.end) {
      const last = this.heap.pop() as S;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
    } else {
      this.down(0);
    }
    return { source: top, index };
  }

  private push(s: S): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as S, h[p] as S)) break;
      [h[i], h[p]] = [h[p] as S, h[i] as S];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(h[l] as S, h[m] as S)) m = l;
      if (r < n && before(h[r] as S, h[m] as S)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as S, h[i] as S];
      i = m;
    }
  }
}
