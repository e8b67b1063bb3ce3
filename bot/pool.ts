/**
 * Runs `fn` over `items` with at most `n` in flight (n < 1 counts as 1); never rejects: each failure
 * goes to `onError`. Bounds how many Bot API connections a fan-out opens at once.
 */
export async function runPooled<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>, onError: (e: unknown, x: T) => void): Promise<void> {
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < items.length) {
      const x = items[i++] as T;
      await fn(x).catch((e: unknown) => onError(e, x));
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, n), items.length) }, worker));
}
