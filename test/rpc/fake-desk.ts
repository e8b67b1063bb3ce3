import {
  DESK_ERROR_CODES,
  DeskError,
  type DeskErrorCode,
  EventBus,
  type DeskEvent,
  type DeskApi,
  type Actor,
  type Settings,
  type Signal,
  type StatusResult,
} from '../../engine/index.ts';

/** One call the fake desk received: the use-case, the actor and the input as passed. */
export interface FakeCall {
  use: string;
  actor: Actor;
  input: unknown;
}

/** A protocol-shape test double of DeskApi: records calls, answers fixed shapes, throws on cue. */
export interface FakeDesk extends DeskApi {
  calls: FakeCall[];
  /** Emits a DeskEvent to subscribers. */
  emit(event: DeskEvent): void;
  /** Number of current event subscribers. */
  readonly listeners: number;
}

const SIGNAL: Signal = {
  id: 'sig-1',
  symbol: 'BTCUSDT',
  interval: '60',
  side: 'long',
  strategy: 'bb-grid-long',
  score: 7.2,
  scoreParts: ['bandPosition', 'rsi', 'volume', 'funding', 'squeeze', 'trend', 'volatility', 'streak'].map((name) => ({
    name: name as Signal['scoreParts'][number]['name'],
    score: 7,
    weight: 1,
    value: 0.5,
  })),
  entry: 60_000,
  stop: 59_000,
  targets: [61_000, 62_000],
  barTime: 1_700_000_000_000,
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_010_800_000,
  status: 'live',
  stage: 'live',
  regime: 'range',
};

const SETTINGS: Settings = { language: 'en', alertDetail: 'compact', alerts: true, subscriptions: [], mutedSymbols: [], riskPct: null };

/**
 * Builds the fake: `getSignal({id:'err:CODE'})` throws DeskError CODE (detail carries a field and a
 * secret-looking message), `getSignal({id:'crash'})` throws a plain Error with sensitive text, and
 * admin-only use-cases refuse non-admins with FORBIDDEN like the real Desk.
 */
export function createFakeDesk(): FakeDesk {
  const bus = new EventBus();
  const calls: FakeCall[] = [];
  const rec = (use: string, actor: Actor, input?: unknown): void => {
    calls.push({ use, actor, input });
  };
  const admin = (actor: Actor): void => {
    if (actor.role !== 'admin') throw new DeskError('FORBIDDEN', { need: 'admin' });
  };
  const status: StatusResult = {
    mode: 'paper',
    feed: 'replay',
    entriesPaused: false,
    killSwitch: false,
    breaker: { tripped: false, dayStartEquity: 10_000, dayPnl: 0, limitPct: 5 },
    uptimeMs: 1000,
    feedLagMs: 10,
    lastBarAt: 1_700_000_000_000,
    universe: ['BTCUSDT'],
    intervals: ['60'],
    openPositions: 0,
    liveSignals: 1,
    strategies: [{ name: 'bb-grid-long', stage: 'live' }],
    now: 1_700_000_000_000,
  };
  const risk = { entriesPaused: false, killSwitch: false, breakerTripped: false };
  return {
    calls,
    emit: (e) => bus.emit(e),
    get listeners() {
      return bus.size;
    },
    async status(a) {
      rec('status', a);
      return status;
    },
    async runScan(a, i) {
      rec('runScan', a, i);
      return { scanned: 1, signals: [], limit: { used: 1, max: 10, resetAt: 0 } };
    },
    async listSignals(a, i) {
      rec('listSignals', a, i);
      return { signals: [SIGNAL] };
    },
    async getSignal(a, i) {
      rec('getSignal', a, i);
      const id = (i as { id: string }).id;
      if (id.startsWith('err:')) {
        const code = id.slice(4) as DeskErrorCode;
        if (!DESK_ERROR_CODES.includes(code)) throw new Error('bad cue');
        throw new DeskError(code, { field: 'id', reason: 'cue', symbol: 'BTCUSDT' }, `internal path /srv/secret for ${code}`);
      }
      if (id === 'crash') throw new Error('ECONNREFUSED 10.0.0.5:5432 password=hunter2');
      if (id !== SIGNAL.id) throw new DeskError('NOT_FOUND', { what: 'signal', id });
      return { signal: SIGNAL };
    },
    async previewExecution(a, i) {
      rec('previewExecution', a, i);
      return {
        signalId: SIGNAL.id,
        symbol: 'BTCUSDT',
        side: 'long',
        qty: 0.01,
        entry: 60_000,
        stop: 59_000,
        targets: [61_000],
        notional: 600,
        margin: 200,
        leverage: 3,
        riskUsdt: 10,
        riskPct: 0.1,
        quoteAgeMs: 100,
        allowed: true,
        refusal: null,
      };
    },
    async execute(a, i) {
      rec('execute', a, i);
      if (a.role === 'viewer') throw new DeskError('FORBIDDEN', { need: 'trader' });
      return {
        orderId: 'o-1',
        orderLinkId: 'l-1',
        status: 'filled',
        symbol: 'BTCUSDT',
        side: 'long',
        qty: 0.01,
        avgPrice: 60_000,
        stop: 59_000,
        targets: [61_000],
        positionId: 'p-1',
        duplicate: false,
      };
    },
    async listPositions(a, i) {
      rec('listPositions', a, i);
      return { positions: [] };
    },
    async closePosition(a, i) {
      rec('closePosition', a, i);
      throw new DeskError('NOT_FOUND', { what: 'position' });
    },
    async balance(a) {
      rec('balance', a);
      return { mode: 'paper', currency: 'USDT', equity: 10_000, available: 10_000, usedMargin: 0, unrealizedPnl: 0 };
    },
    async pnl(a, i) {
      rec('pnl', a, i);
      return { period: 'day', from: 0, to: 1, realized: 0, fees: 0, trades: 0, wins: 0, losses: 0, winRate: null };
    },
    async pauseEntries(a, i) {
      rec('pauseEntries', a, i);
      admin(a);
      return { ...risk, entriesPaused: true };
    },
    async resumeEntries(a, i) {
      rec('resumeEntries', a, i);
      admin(a);
      return risk;
    },
    async setKillSwitch(a, i) {
      rec('setKillSwitch', a, i);
      return { ...risk, killSwitch: (i as { on: boolean }).on };
    },
    async getSettings(a) {
      rec('getSettings', a);
      return { settings: SETTINGS };
    },
    async updateSettings(a, i) {
      rec('updateSettings', a, i);
      return { settings: { ...SETTINGS, ...(i as Partial<Settings>) } };
    },
    async limits(a) {
      rec('limits', a);
      return { limits: [{ name: 'scans', used: 0, max: 10, resetAt: 0 }] };
    },
    async listUsers(a, i) {
      rec('listUsers', a, i);
      admin(a);
      return { users: [] };
    },
    async report(a) {
      rec('report', a);
      admin(a);
      return {
        at: 0,
        uptimeMs: 0,
        feedLagMs: null,
        signals24h: 0,
        trades24h: 0,
        pnlDay: 0,
        openPositions: 0,
        breakerTripped: false,
        killSwitch: false,
        entriesPaused: false,
      };
    },
    async strategies(a) {
      rec('strategies', a);
      return { strategies: [] };
    },
    async alertRecipients() {
      return [];
    },
    async candles(a, i) {
      rec('candles', a, i);
      const { symbol, interval } = i as { symbol: string; interval: '60' };
      return { symbol, interval, bars: [{ start: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }] };
    },
    async entryNotionalToday(a) {
      rec('entryNotionalToday', a);
      return 0;
    },
    audit(a, action, outcome, detail) {
      rec('audit', a, { action, outcome, detail });
    },
    subscribe(l) {
      return bus.subscribe(l);
    },
  };
}

/** The fake's one known signal. */
export const FAKE_SIGNAL = SIGNAL;
