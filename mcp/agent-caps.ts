import { DeskError, utcDayStart, type Actor, type Clock, type DeskConfig } from '../engine/index.ts';

/** The agent caps from config: notional per order and per UTC day (USDT), symbol allowlist, live switch. */
export interface AgentCapsConfig {
  maxNotionalOrder: number;
  maxNotionalDay: number;
  /** Empty means "the desk's universe". */
  allowedSymbols: readonly string[];
  liveEnabled: boolean;
}

/** Reads the MCP_* cap keys from the desk config; never throws. */
export function capsFromConfig(config: DeskConfig): AgentCapsConfig {
  return {
    maxNotionalOrder: config.MCP_MAX_NOTIONAL_ORDER,
    maxNotionalDay: config.MCP_MAX_NOTIONAL_DAY,
    allowedSymbols: config.MCP_ALLOWED_SYMBOLS,
    liveEnabled: config.MCP_LIVE_ENABLED,
  };
}

/** A hold on part of an actor's daily notional; settle it with the real figure or release it. */
export interface Reservation {
  /** Replaces the held amount with the actual notional that traded (idempotent after the first call). */
  settle(actualNotional: number): void;
  /** Gives the held amount back (nothing traded); no-op after settle or release. */
  release(): void;
}

/**
 * Entry-only caps for MCP agents, on top of the Desk's own gates. The per-day notional is a counter
 * keyed by actor and UTC day, seeded once per actor and day from the desk's ledger (`ready`), so a
 * restart does not hand an agent a fresh allowance; check-and-reserve is then one synchronous step,
 * so two concurrent orders can't both squeeze under the cap. Its checks fail only with DeskError AGENT_CAP.
 */
export class AgentCaps {
  private readonly used = new Map<string, number>();
  private readonly seeded = new Map<string, Promise<void>>();

  /** Creates the ledger; `ledger` gives the actor's entry notional already traded today (durable). */
  constructor(
    readonly caps: AgentCapsConfig,
    private readonly clock: Clock,
    private readonly ledger: (actor: Actor) => Promise<number> = async () => 0,
  ) {}

  /**
   * Seeds today's counter for `actor` from the desk's ledger (once per actor and UTC day; concurrent
   * callers share one lookup). Call before check/reserve; rejects with the desk's error if it cannot read.
   */
  ready(actor: Actor): Promise<void> {
    const k = this.key(actor, utcDayStart(this.clock.now()));
    let p = this.seeded.get(k);
    if (!p) {
      p = this.ledger(actor).then((traded) => {
        this.used.set(k, (this.used.get(k) ?? 0) + (Number.isFinite(traded) && traded > 0 ? traded : 0));
      });
      p.catch(() => this.seeded.delete(k));
      this.seeded.set(k, p);
    }
    return p;
  }

  private key(actor: Actor, day: number): string {
    return `${actor.kind}:${actor.id}:${day}`;
  }

  /** Notional (USDT) this actor has used today. */
  usedToday(actor: Actor): number {
    return this.used.get(this.key(actor, utcDayStart(this.clock.now()))) ?? 0;
  }

  /** Throws AGENT_CAP when agents may not trade in `mode` (live needs MCP_LIVE_ENABLED). */
  checkMode(mode: 'paper' | 'live'): void {
    if (mode === 'live' && !this.caps.liveEnabled) {
      throw new DeskError('AGENT_CAP', { cap: 'live_disabled' }, 'live trading through MCP is disabled');
    }
  }

  /**
   * Throws AGENT_CAP if an entry of `notional` USDT in `symbol` breaks a cap (`universe` is the
   * allowlist when none is configured); reserves nothing.
   */
  check(actor: Actor, symbol: string, notional: number, universe: readonly string[]): void {
    const allowed = this.caps.allowedSymbols.length > 0 ? this.caps.allowedSymbols : universe;
    if (!allowed.includes(symbol)) throw new DeskError('AGENT_CAP', { cap: 'symbol', symbol }, 'symbol not allowed for agents');
    if (!Number.isFinite(notional) || notional < 0) throw new DeskError('AGENT_CAP', { cap: 'order_notional', notional: null }, 'bad notional');
    if (notional > this.caps.maxNotionalOrder) {
      throw new DeskError(
        'AGENT_CAP',
        { cap: 'order_notional', notional: round2(notional), max: this.caps.maxNotionalOrder },
        'order notional above the agent cap',
      );
    }
    const used = this.usedToday(actor);
    if (used + notional > this.caps.maxNotionalDay) {
      throw new DeskError(
        'AGENT_CAP',
        { cap: 'day_notional', notional: round2(notional), usedToday: round2(used), max: this.caps.maxNotionalDay },
        'daily agent notional cap reached',
      );
    }
  }

  /** Checks like `check` and, in the same synchronous step, holds `notional` against today's cap. */
  reserve(actor: Actor, symbol: string, notional: number, universe: readonly string[]): Reservation {
    this.check(actor, symbol, notional, universe);
    const now = this.clock.now();
    this.prune(now);
    const k = this.key(actor, utcDayStart(now));
    this.used.set(k, (this.used.get(k) ?? 0) + notional);
    let held = notional;
    let done = false;
    return {
      settle: (actual: number) => {
        if (done) return;
        done = true;
        const a = Number.isFinite(actual) && actual >= 0 ? actual : held;
        this.used.set(k, Math.max(0, (this.used.get(k) ?? 0) - held + a));
        held = a;
      },
      release: () => {
        if (done) return;
        done = true;
        this.used.set(k, Math.max(0, (this.used.get(k) ?? 0) - held));
      },
    };
  }

  private prune(now: number): void {
    const today = utcDayStart(now);
    for (const k of this.used.keys()) {
      const day = Number(k.slice(k.lastIndexOf(':') + 1));
      if (day < today) this.used.delete(k);
    }
    for (const k of this.seeded.keys()) {
      if (Number(k.slice(k.lastIndexOf(':') + 1)) < today) this.seeded.delete(k);
    }
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
