import { ClosePositionInput, DeskError, EventBus, ExecuteInput, GetSignalInput, KillSwitchInput, ListPositionsInput, ListSignalsInput, METRIC_NAMES, PnlInput, parseInput, type Actor, type DeskApi, type ManualClock, type Position, type Signal } from '../../engine/index.ts';

/** A small in-memory DeskApi for protocol-shape tests (the real desk lives in engine/desk.ts). */
export interface FakeDesk extends DeskApi {
  signals: Signal[];
  positions: Position[];
  executeCalls: number;
  closeCalls: number;
  mode: 'paper' | 'live';
  /** Price the fake fills at, per symbol. */
  prices: Record<string, number>;
  /** Quantity preview/execute size to. */
  qty: number;
  /** When set, execute throws this. */
  failExecute: DeskError | Error | null;
  bus: EventBus;
}

const need = (actor: Actor, role: 'trader' | 'admin'): void => {
  const rank = { viewer: 0, trader: 1, admin: 2 } as const;
  if (rank[actor.role] < rank[role]) throw new DeskError('FORBIDDEN', { need: role });
};

/** A live signal fixture at `price`. */
export function makeSignal(id: string, symbol: string, price: number, now: number): Signal {
  return {
    id,
    symbol,
    interval: '60',
    side: 'long',
    strategy: 'bb-grid-long',
    score: 7.2,
    scoreParts: METRIC_NAMES.map((name) => ({ name, score: 7, weight: 1, value: 1 })),
    entry: price,
    stop: price * 0.98,
    targets: [price * 1.02, price * 1.04],
    barTime: now - 3_600_000,
    createdAt: now,
    expiresAt: now + 3 * 3_600_000,
    status: 'live',
    stage: 'live',
    regime: 'range',
  };
}

/** Creates the fake desk on `clock`. */
export function createFakeDesk(clock: ManualClock): FakeDesk {
  const bus = new EventBus();
  let killSwitch = false;
  let paused = false;
  let orderSeq = 0;
  const executed = new Map<string, { orderId: string; positionId: string; qty: number; price: number }>();
  const d: FakeDesk = {
    audit: () => {},
    entryNotionalToday: async () => 0,
    candles: async (_a, i) => ({ symbol: String(i.symbol), interval: i.interval, bars: [] }),
    signals: [makeSignal('sig-btc', 'BTCUSDT', 60000, clock.now()), makeSignal('sig-eth', 'ETHUSDT', 3000, clock.now())],
    positions: [],
    executeCalls: 0,
    closeCalls: 0,
    mode: 'paper',
    prices: { BTCUSDT: 60000, ETHUSDT: 3000, DOGEUSDT: 0.1 },
    qty: 0.01,
    failExecute: null,
    bus,
    async status() {
      return {
        mode: d.mode,
        feed: 'replay',
        entriesPaused: paused,
        killSwitch,
        breaker: { tripped: false, dayStartEquity: 10000, dayPnl: 0, limitPct: 5 },
        uptimeMs: 1000,
        feedLagMs: 5,
        lastBarAt: clock.now(),
        universe: ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'],
        intervals: ['60'],
        openPositions: d.positions.filter((p) => p.status === 'open').length,
        liveSignals: d.signals.filter((s) => s.status === 'live').length,
        strategies: [{ name: 'bb-grid-long', stage: 'live' }],
        now: clock.now(),
      };
    },
    async runScan() {
      return { scanned: 3, signals: [], limit: { used: 1, max: 10, resetAt: clock.now() + 1000 } };
    },
    async listSignals(_a, input) {
      const q = parseInput(ListSignalsInput, input);
      return { signals: d.signals.filter((s) => q.status === 'all' || s.status === 'live').slice(0, q.limit) };
    },
    async getSignal(_a, input) {
      const q = parseInput(GetSignalInput, input);
      const s = d.signals.find((x) => x.id === q.id);
      if (!s) throw new DeskError('NOT_FOUND', { what: 'signal', id: q.id });
      return { signal: s };
    },
    async previewExecution(_a, input) {
      const q = parseInput(ExecuteInput, input);
      const s = d.signals.find((x) => x.id === q.signalId);
      if (!s) throw new DeskError('NOT_FOUND', { what: 'signal', id: q.signalId });
      const price = d.prices[s.symbol] ?? s.entry;
      const notional = d.qty * price;
      const refusal = killSwitch ? { code: 'KILL_SWITCH', detail: {} } : null;
      return {
        signalId: s.id,
        symbol: s.symbol,
        side: s.side,
        qty: d.qty,
        entry: price,
        stop: s.stop,
        targets: s.targets,
        notional,
        margin: notional / 3,
        leverage: 3,
        riskUsdt: d.qty * (price - s.stop),
        riskPct: q.riskPct ?? 1,
        quoteAgeMs: 10,
        allowed: refusal === null,
        refusal,
      };
    },
    async execute(actor, input) {
      need(actor, 'trader');
      const q = parseInput(ExecuteInput, input);
      d.executeCalls++;
      if (d.failExecute) throw d.failExecute;
      const s = d.signals.find((x) => x.id === q.signalId);
      if (!s) throw new DeskError('NOT_FOUND', { what: 'signal' });
      const key = `${s.id}:${actor.id}`;
      const prev = executed.get(key);
      if (prev) {
        return { orderId: prev.orderId, orderLinkId: key, status: 'filled', symbol: s.symbol, side: s.side, qty: prev.qty, avgPrice: prev.price, stop: s.stop, targets: s.targets, positionId: prev.positionId, duplicate: true };
      }
      if (killSwitch) throw new DeskError('KILL_SWITCH');
      const price = d.prices[s.symbol] ?? s.entry;
      const orderId = `o-${++orderSeq}`;
      const positionId = `p-${orderSeq}`;
      executed.set(key, { orderId, positionId, qty: d.qty, price });
      d.positions.push({
        id: positionId, mode: d.mode, symbol: s.symbol, side: s.side, qty: d.qty, initialQty: d.qty, entryPrice: price, stop: s.stop,
        targets: s.targets, targetsHit: 0, leverage: 3, breakEvenLocked: false, signalId: s.id, actorKind: actor.kind, actorId: actor.id, openedAt: clock.now(),
        closedAt: null, closeReason: null, realizedPnl: 0, fees: 0, lastPrice: price, unrealizedPnl: 0, status: 'open',
      });
      bus.emit({ type: 'order.placed', at: clock.now(), orderId, orderLinkId: key, signalId: s.id, actorKind: actor.kind, actorId: actor.id, symbol: s.symbol, side: s.side, qty: d.qty, reduceOnly: false });
      return { orderId, orderLinkId: key, status: 'filled', symbol: s.symbol, side: s.side, qty: d.qty, avgPrice: price, stop: s.stop, targets: s.targets, positionId, duplicate: false };
    },
    async listPositions(_a, input) {
      const q = parseInput(ListPositionsInput, input);
      return { positions: d.positions.filter((p) => q.status === 'all' || p.status === q.status).slice(0, q.limit) };
    },
    async closePosition(actor, input) {
      need(actor, 'trader');
      const q = parseInput(ClosePositionInput, input);
      d.closeCalls++;
      const p = d.positions.find((x) => (q.positionId ? x.id === q.positionId : x.symbol === q.symbol) && x.status === 'open');
      if (!p) throw new DeskError('NOT_FOUND', { what: 'position' });
      const closedQty = p.qty * q.fraction;
      p.qty -= closedQty;
      if (p.qty <= 1e-12) {
        p.qty = 0;
        p.status = 'closed';
        p.closedAt = clock.now();
      }
      return { positionId: p.id, symbol: p.symbol, closedQty, remainingQty: p.qty, price: p.entryPrice, realizedPnl: 0, status: p.status };
    },
    async balance() {
      return { mode: d.mode, currency: 'USDT', equity: 10000, available: 9000, usedMargin: 1000, unrealizedPnl: 0 };
    },
    async pnl(_a, input) {
      const q = parseInput(PnlInput, input);
      return { period: q.period, from: 0, to: clock.now(), realized: 0, fees: 0, trades: 0, wins: 0, losses: 0, winRate: null };
    },
    async pauseEntries(actor) {
      need(actor, 'admin');
      paused = true;
      return { entriesPaused: paused, killSwitch, breakerTripped: false };
    },
    async resumeEntries(actor) {
      need(actor, 'admin');
      paused = false;
      return { entriesPaused: paused, killSwitch, breakerTripped: false };
    },
    async setKillSwitch(actor, input) {
      const q = parseInput(KillSwitchInput, input);
      need(actor, q.on ? 'trader' : 'admin');
      killSwitch = q.on;
      return { entriesPaused: paused, killSwitch, breakerTripped: false };
    },
    async getSettings() {
      throw new DeskError('INTERNAL');
    },
    async updateSettings() {
      throw new DeskError('INTERNAL');
    },
    async limits() {
      return { limits: [] };
    },
    async listUsers() {
      return { users: [] };
    },
    async report() {
      throw new DeskError('INTERNAL');
    },
    async strategies() {
      return { strategies: [] };
    },
    async alertRecipients() {
      return [];
    },
    subscribe(listener) {
      return bus.subscribe(listener);
    },
  };
  return d;
}
