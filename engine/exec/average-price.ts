/**
 * The quantity-weighted average price of `fills`, cut to 12 significant digits so that one fill at
 * 0.4208 reads 0.4208 and not the 0.42079999999999995 that qty × price / qty gives in binary floating
 * point; null when nothing was filled. Never throws.
 */
export function averageFillPrice(fills: readonly { qty: number; price: number }[]): number | null {
  let qty = 0;
  let value = 0;
  for (const f of fills) {
    qty += f.qty;
    value += f.qty * f.price;
  }
  return qty > 0 ? Number((value / qty).toPrecision(12)) : null;
}
