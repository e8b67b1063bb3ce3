import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The desk's Prometheus metrics, on their own registry (served at GET /metrics). */
export interface DeskMetrics {
  registry: Registry;
  barsProcessed: Counter<'interval'>;
  signalsCreated: Counter<'strategy' | 'stage'>;
  ordersPlaced: Counter<'mode' | 'outcome'>;
  refusals: Counter<'code'>;
  scanSeconds: Histogram;
  barToSignalSeconds: Histogram;
  feedLagSeconds: Gauge;
  /** Read at scrape time from `openPositionsSource`, so no trade pays for keeping it current. */
  openPositions: Gauge;
  /** Where the open-positions gauge reads its value when /metrics is scraped (the desk sets it); null: not set. */
  openPositionsSource: { read: (() => number) | null };
  frontendRequests: Counter<'frontend' | 'method' | 'outcome'>;
}

/** Creates a fresh metrics set (one per desk); `defaults` adds Node process metrics. Never throws. */
export function createMetrics(defaults = true): DeskMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'desk_' });
  const mk = <T>(f: () => T): T => f();
  const openPositionsSource: DeskMetrics['openPositionsSource'] = { read: null };
  return {
    registry,
    barsProcessed: mk(() => new Counter({ name: 'desk_bars_total', help: 'Closed bars processed', labelNames: ['interval'], registers: [registry] })),
    signalsCreated: mk(
      () => new Counter({ name: 'desk_signals_total', help: 'Signals created', labelNames: ['strategy', 'stage'], registers: [registry] }),
    ),
    ordersPlaced: mk(() => new Counter({ name: 'desk_orders_total', help: 'Orders placed', labelNames: ['mode', 'outcome'], registers: [registry] })),
    refusals: mk(() => new Counter({ name: 'desk_refusals_total', help: 'Use-case refusals by DeskError code', labelNames: ['code'], registers: [registry] })),
    scanSeconds: mk(() => new Histogram({ name: 'desk_scan_seconds', help: 'Scan duration', registers: [registry], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2] })),
    barToSignalSeconds: mk(
      () =>
        new Histogram({
          name: 'desk_bar_to_signal_seconds',
          help: 'Closed bar received to signal.created',
          registers: [registry],
          buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.25],
        }),
    ),
    feedLagSeconds: mk(() => new Gauge({ name: 'desk_feed_lag_seconds', help: 'Seconds since the feed last delivered', registers: [registry] })),
    openPositions: mk(
      () =>
        new Gauge({
          name: 'desk_open_positions',
          help: 'Open positions',
          registers: [registry],
          collect() {
            const read = openPositionsSource.read;
            try {
              if (read) this.set(read());
            } catch {
              // A store already closed (shutdown) keeps the last value rather than failing the scrape.
            }
          },
        }),
    ),
    openPositionsSource,
    frontendRequests: mk(
      () =>
        new Counter({
          name: 'desk_frontend_requests_total',
          help: 'Front-end calls by front-end, method and outcome',
          labelNames: ['frontend', 'method', 'outcome'],
          registers: [registry],
        }),
    ),
  };
}
