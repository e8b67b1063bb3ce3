// Test helper: Features of real bundled bars, computed with the indicators engineer's FeatureState.
import { FeatureState } from '../../engine/indicators/feature-state.ts';
import type { Features } from '../../engine/indicators/features.ts';
import type { Interval } from '../../engine/schemas.ts';
import { loadBars } from './data.ts';

const cache = new Map<string, Features[]>();

/** A copy of the Features of every bar of the bundled series, oldest first (cached per series). */
export function featureSeries(symbol: string, interval: Interval): Features[] {
  const key = `${symbol}-${interval}`;
  let out = cache.get(key);
  if (!out) {
    const st = new FeatureState();
    out = loadBars(symbol, interval).map((b) => ({ ...st.update(b.start, b.open, b.high, b.low, b.close, b.volume) }));
    cache.set(key, out);
  }
  return out;
}

/** The Features of the bundled bar of `symbol`/`interval` that opened at `start`; throws if there is none. */
export function featuresAt(symbol: string, interval: Interval, start: number): Features {
  const f = featureSeries(symbol, interval).find((x) => x.start === start);
  if (!f) throw new Error(`no ${symbol}-${interval} bar at ${new Date(start).toISOString()}`);
  return f;
}
