import { describe, expect, it } from 'vitest';
import { roundToStep, stepDecimals } from '../../engine/bybit/decimal.ts';
import { isDeskError } from '../../engine/errors.ts';

describe('decimal rounding to tick and lot step', () => {
  it('counts the decimals of plain and exponent steps', () => {
    expect(stepDecimals(0.1)).toBe(1);
    expect(stepDecimals(0.001)).toBe(3);
    expect(stepDecimals(1)).toBe(0);
    expect(stepDecimals(1e-7)).toBe(7);
    expect(stepDecimals(0.00005)).toBe(5);
  });

  it('renders values on the grid without float noise', () => {
    expect(roundToStep(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(roundToStep(0.3, 0.1, 'down')).toBe('0.3'); // 0.3 / 0.1 = 2.9999999999999996 must not floor to 0.2
    expect(roundToStep(37915.2, 0.1)).toBe('37915.2');
    expect(roundToStep(1.0000001, 1e-7)).toBe('1.0000001');
    expect(roundToStep(12, 0.5)).toBe('12.0');
  });

  it('rounds quantities down and prices to the nearest tick', () => {
    expect(roundToStep(0.12345, 0.001, 'down')).toBe('0.123');
    expect(roundToStep(0.12399, 0.001, 'down')).toBe('0.123');
    expect(roundToStep(0.1231, 0.001, 'up')).toBe('0.124');
    expect(roundToStep(100.06, 0.1)).toBe('100.1');
    expect(roundToStep(100.04, 0.1)).toBe('100.0');
    expect(roundToStep(0.0004, 0.001, 'down')).toBe('0.000');
  });

  it('refuses non-finite values and non-positive steps with a DeskError', () => {
    for (const bad of [() => roundToStep(Number.NaN, 0.1), () => roundToStep(1, 0), () => roundToStep(1, -0.1), () => roundToStep(Infinity, 1)]) {
      let err: unknown;
      try {
        bad();
      } catch (e) {
        err = e;
      }
      expect(isDeskError(err, 'VALIDATION')).toBe(true);
    }
  });
});
