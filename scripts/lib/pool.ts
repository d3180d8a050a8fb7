// Load the scripts generate (chaos, abuse, the digest bench's burst): a fixed number of requests in
// flight, as that many clients would keep, rather than everything at once (which measures the
// app's connection pool overflowing instead of the work).

/** Runs `fn` over `items` in order with at most `limit` in flight; resolves when all have finished. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
