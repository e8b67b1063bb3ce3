import { usableLength } from './feature-columns.ts';
import type { FeatureColumns } from './feature-columns.ts';
import { FEATURE_KEYS } from './feature-object.ts';
import { FeatureState } from './feature-state.ts';
import type { Features } from './features.ts';

/** Every Features field as a column over bars (index = bar), for backtests and charts. */
export type FeatureSeries = { [K in keyof Features]: Float64Array };

/**
 * Features of every bar of `cols` (first `length` bars, default all), computed by feeding a fresh
 * FeatureState bar by bar, so row i equals what the live state produced at bar i. Throws RangeError on
 * a bad length, short columns, a non-finite value or non-ascending starts (as FeatureState.update).
 */
export function computeFeatureSeries(cols: FeatureColumns, length?: number): FeatureSeries {
  const n = usableLength(cols, length);
  const out = {} as FeatureSeries;
  for (const k of FEATURE_KEYS) out[k] = new Float64Array(n);
  const cols2 = FEATURE_KEYS.map((k) => out[k]);
  const state = new FeatureState();
  for (let i = 0; i < n; i++) {
    const f = state.updateAt(cols, i);
    for (let k = 0; k < FEATURE_KEYS.length; k++) cols2[k][i] = f[FEATURE_KEYS[k]];
  }
  return out;
}
