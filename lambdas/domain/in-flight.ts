/**
 * Runs `write` for each item with at most `limit` in flight (a fan-out's conditional writes), and counts the
 * items for which it answered true (the writes that were new).
 */
export async function countInFlight<T>(
  items: readonly T[],
  limit: number,
  write: (item: T) => Promise<boolean>,
): Promise<number> {
  let written = 0;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      if (await write(item)) written++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return written;
}
