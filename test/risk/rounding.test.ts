import { describe, expect, it } from 'vitest';
import { ceilToStep, floorToStep, roundToStep, stepDecimals } from '../../engine/risk/rounding.ts';

describe('stepDecimals', () => {
  it('counts the decimals of plain and exponent-written steps, mantissa digits included', () => {
    expect(stepDecimals(5)).toBe(0);
    expect(stepDecimals(0.5)).toBe(1);
    expect(stepDecimals(0.001)).toBe(3);
    expect(stepDecimals(0.000025)).toBe(6);
    expect(stepDecimals(1e-7)).toBe(7);
    expect(stepDecimals(2.5e-7)).toBe(8);
    expect(stepDecimals(1.25e-9)).toBe(11);
  });

  it('refuses a step that is not a positive finite number', () => {
    for (const bad of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => stepDecimals(bad)).toThrow(RangeError);
  });
});

describe('snapping to a step', () => {
  it('keeps prices on a sub-micro tick such as 2.5e-7 (no rounding to 7 decimals off the grid)', () => {
    const tick = 2.5e-7;
    const p = roundToStep(0.00000113, tick);
    expect(p).toBe(0.00000125);
    expect(floorToStep(0.00000123, tick)).toBe(0.000001);
    expect(ceilToStep(0.00000101, tick)).toBe(0.00000125);
    for (const v of [p, floorToStep(0.00000123, tick), ceilToStep(0.00000101, tick)]) {
      expect(Math.abs(v / tick - Math.round(v / tick))).toBeLessThan(1e-9);
    }
  });

  it('quantities round down, never up, and values already on the grid stay put despite float noise', () => {
    expect(floorToStep(0.0299999, 0.001)).toBe(0.029);
    expect(floorToStep(0.3, 0.1)).toBe(0.3);
    expect(ceilToStep(0.3, 0.1)).toBe(0.3);
    expect(floorToStep(12.34, 1)).toBe(12);
    expect(ceilToStep(12.01, 0.5)).toBe(12.5);
    expect(roundToStep(63_512.37, 0.1)).toBe(63_512.4);
  });
});
