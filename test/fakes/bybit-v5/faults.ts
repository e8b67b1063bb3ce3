/** One REST call as the fake received it (never the secret, never the signature itself). */
export interface LoggedRequest {
  method: string;
  path: string;
  /** Query parameters (GET) or the parsed JSON body (POST). */
  params: Record<string, unknown>;
  /** True when the call carried signing headers. */
  signed: boolean;
  /** Signature check result: true/false for signed calls, null for public ones. */
  signatureValid: boolean | null;
  /** The retCode answered (null while unanswered, e.g. a timed-out call). */
  retCode: number | null;
  /** Wall-clock receive time (epoch ms). */
  at: number;
}

interface Injection {
  retCode: number;
  retMsg?: string;
  left: number;
}

/**
 * Fault plan of the fake: injected retCodes, per-path latency and swallowed replies. Paths match
 * exactly ("/v5/order/create") or everything ("*"); never throws.
 */
export class FaultPlan {
  private injections = new Map<string, Injection[]>();
  private latency = new Map<string, number>();
  private timeouts = new Map<string, number>();

  /** Answers the next `times` calls to `path` with `retCode` (no effect is applied). */
  injectRetCode(path: string, retCode: number, opts: { times?: number; retMsg?: string } = {}): void {
    const list = this.injections.get(path) ?? [];
    list.push({ retCode, retMsg: opts.retMsg, left: opts.times ?? 1 });
    this.injections.set(path, list);
  }

  /** Takes the pending injection for `path` (or "*"), if any. */
  takeInjection(path: string): { retCode: number; retMsg?: string } | null {
    for (const key of [path, '*']) {
      const list = this.injections.get(key);
      const head = list?.[0];
      if (!list || !head) continue;
      head.left -= 1;
      if (head.left <= 0) list.shift();
      return { retCode: head.retCode, retMsg: head.retMsg };
    }
    return null;
  }

  /** Delays every answer on `path` (or "*" for all) by `ms`; 0 removes it. */
  setLatency(path: string, ms: number): void {
    if (ms <= 0) this.latency.delete(path);
    else this.latency.set(path, ms);
  }

  /** Latency in ms for `path` (path-specific wins over "*"). */
  latencyFor(path: string): number {
    return this.latency.get(path) ?? this.latency.get('*') ?? 0;
  }

  /** The next `times` calls to `path` apply their effect but never get an answer. */
  timeoutNext(path: string, times = 1): void {
    this.timeouts.set(path, (this.timeouts.get(path) ?? 0) + times);
  }

  /** Consumes one pending swallow for `path`; true when this call must go unanswered. */
  takeTimeout(path: string): boolean {
    const n = this.timeouts.get(path) ?? 0;
    if (n <= 0) return false;
    this.timeouts.set(path, n - 1);
    return true;
  }
}
