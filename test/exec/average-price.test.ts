import { describe, expect, it } from 'vitest';
import { averageFillPrice } from '../../engine/exec/average-price.ts';

describe('averageFillPrice', () => {
  it('one fill reads as its own price, without binary noise (2577 @ 0.4208 from a desk:sim run)', () => {
    expect(0.4208 * 2577 / 2577).not.toBe(0.4208); // what the plain formula gives
    expect(averageFillPrice([{ qty: 2577, price: 0.4208 }])).toBe(0.4208);
  });

  it('weights by quantity; null when nothing filled', () => {
    expect(averageFillPrice([{ qty: 1, price: 100 }, { qty: 3, price: 104 }])).toBe(103);
    expect(averageFillPrice([{ qty: 0.5, price: 0.1 }, { qty: 0.5, price: 0.2 }])).toBe(0.15);
    expect(averageFillPrice([])).toBeNull();
    expect(averageFillPrice([{ qty: 0, price: 5 }])).toBeNull();
  });
});
