import type { ChangeFeed, StreamRecord } from './dynamodb/change-feed.js';

/** A Lambda event filter pattern: per field, the values (or `{ prefix }`) it may have, nested like the record. */
type FilterPattern = {
  readonly [field: string]: FilterPattern | readonly (string | { readonly prefix: string })[];
};

/** Lambda event filtering, as far as the patterns in `lambdas/routes.ts` use it: exact values and prefixes. */
export function matchesFilter(pattern: FilterPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = (value as Record<string, unknown> | undefined)?.[field];
    if (!Array.isArray(expected)) return matchesFilter(expected as FilterPattern, actual);
    return expected.some((option) =>
      typeof option === 'string'
        ? actual === option
        : typeof actual === 'string' && actual.startsWith(option.prefix),
    );
  });
}

type StreamHandler = (event: {
  Records: StreamRecord[];
}) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export type StreamFeedOptions = {
  feed: Pick<ChangeFeed, 'subscribe'>;
  tableName: string;
  /** A record passes when it matches any of the patterns (as the mapping's several filters do). */
  filters: readonly FilterPattern[];
  handler: StreamHandler;
  batchSize: number;
  /** How long records gather before a batch goes (a few ms: the stream's own delay is about that). */
  batchWindowMs: number;
  /** Attempts after the first for a record the handler reported as failed (as the mapping's retryAttempts). */
  retryAttempts: number;
  retryDelayMs: number;
  onError(error: unknown): void;
};

/**
 * The local stand-in for an event source mapping on the table's stream: the embedded DynamoDB's change feed,
 * filtered as AWS filters it, in batches to the same handler; records the handler reports as failed are
 * retried alone a bounded number of times and then dropped (the scheduled retry still has the entry).
 */
export function feedStream(options: StreamFeedOptions) {
  let pending: { record: StreamRecord; attempt: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let enabled = true;

  const run = async (batch: { record: StreamRecord; attempt: number }[]) => {
    try {
      const { batchItemFailures } = await options.handler({ Records: batch.map((b) => b.record) });
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      const retry = batch.filter(
        (b) => failed.has(b.record.dynamodb.SequenceNumber) && b.attempt < options.retryAttempts,
      );
      if (retry.length > 0 && !closed) {
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs).unref());
        enqueue(retry.map((b) => ({ record: b.record, attempt: b.attempt + 1 })));
      }
    } catch (error) {
      options.onError(error);
    }
  };
  const flush = () => {
    timer = undefined;
    while (pending.length > 0) {
      const batch = pending.slice(0, options.batchSize);
      pending = pending.slice(options.batchSize);
      const running = run(batch).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
  };
  const enqueue = (entries: { record: StreamRecord; attempt: number }[]) => {
    if (closed) return;
    pending.push(...entries);
    timer ??= setTimeout(flush, options.batchWindowMs);
  };
  const unsubscribe = options.feed.subscribe(
    options.tableName,
    (records) =>
      // A disabled mapping passes nothing on (here: ever); what it missed, the scheduled retry sends.
      enabled &&
      enqueue(
        records
          .filter((r) => options.filters.some((filter) => matchesFilter(filter, r)))
          .map((record) => ({ record, attempt: 0 })),
      ),
  );

  /** Resolves once every record fed so far is handled (and its retries are done). */
  const idle = async (): Promise<void> => {
    while (timer || inFlight.size > 0) {
      if (timer) {
        clearTimeout(timer);
        flush();
      }
      await Promise.all(inFlight);
    }
  };
  return {
    idle,
    setEnabled(value: boolean) {
      enabled = value;
    },
    async close() {
      unsubscribe();
      await idle();
      closed = true;
    },
  };
}
