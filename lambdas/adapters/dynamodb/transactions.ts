import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TryAgain } from '../../domain/errors.js';
import { sha256Hex } from '../../domain/hashing.js';
import {
  type DynamoDBDocumentClient,
  TransactionCanceledException,
  TransactWriteCommand,
} from '../aws-sdk.js';

/** Errors that mean "DynamoDB is busy": retrying later will very likely succeed. */
const BUSY_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  // The same ClientRequestToken is still being applied (an SDK retry overtook the first attempt): unknown yet.
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export type RetryPolicy = {
  /** Most attempts for a transaction cancelled by `TransactionConflict` (the SDK does not retry those). */
  maxAttempts: number;
  /** No retry starts when it would begin more than this many ms after the first attempt. */
  budgetMs: number;
  /** Ceiling of the first wait; the ceiling halves for every `halvingMs` since the first attempt, down to `minDelayMs`. */
  firstDelayMs: number;
  halvingMs: number;
  minDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
};

/**
 * Issue 21 (flash crowd, measured in the bench's flash-crowd phase): retries ordered by arrival. A request waits
 * between half its ceiling and its ceiling, and the ceiling shrinks with the time the request has been trying,
 * so a request that came earlier tries again sooner than one that came later and, as the counter comes free,
 * is the more likely to take it: closer to first come, first served than jitter by attempt count. The budget
 * outlasts the rush on a counter (40 seats at 20–40 ms per transaction is 1–2 s, more when every other round's
 * counter is contended too), so a person is rarely sent back to try again behind later arrivals; it stays well
 * inside the function timeout (10 s) and API Gateway's 29 s.
 */
export const defaultRetryPolicy: RetryPolicy = {
  // A safety net: the budget ends the retries first (waits average 7.5 ms at the minimum).
  maxAttempts: 2_000,
  budgetMs: 7_000,
  firstDelayMs: 200,
  halvingMs: 100,
  minDelayMs: 10,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: () => performance.now(),
};

/** The wait before the next attempt of a request that has been trying for `elapsedMs`. */
export function retryDelayMs(policy: RetryPolicy, elapsedMs: number): number {
  const ceiling = Math.max(policy.minDelayMs, policy.firstDelayMs / 2 ** (elapsedMs / policy.halvingMs));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

export class TransactionCancelled extends Error {
  constructor(readonly reasons: CancellationReason[]) {
    super('TransactionCancelled');
    this.name = 'TransactionCancelled';
  }
}

function isConflict(reasons: CancellationReason[] | undefined): boolean {
  return (reasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
}

export function isBusyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return BUSY_ERRORS.has(error.name) || (code !== undefined && BUSY_ERRORS.has(code));
}

/**
 * Runs one TransactWriteItems with the given ClientRequestToken. A `TransactionConflict` is retried with
 * jittered waits that shrink with the time spent trying, within a time budget (see defaultRetryPolicy), reusing the
 * token so that an attempt that did commit is never applied twice.
 * Other cancellations come back as TransactionCancelled (reasons in item order) for the caller to map;
 * persistent conflicts, throttling and network failures become TryAgain (503 with Retry-After).
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  input: Omit<TransactWriteCommandInput, 'ClientRequestToken'>,
  clientRequestToken: string,
  policy: RetryPolicy = defaultRetryPolicy,
  /**
   * A conflict the caller would rather plan around than wait out (another seat shard): its answer is thrown at
   * once instead of a retry. The cancelled attempt wrote nothing.
   */
  planAround?: (reasons: CancellationReason[]) => Error | undefined,
): Promise<void> {
  const started = policy.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ ...input, ClientRequestToken: clientRequestToken }));
      return;
    } catch (error) {
      if (error instanceof TransactionCanceledException && !isConflict(error.CancellationReasons)) {
        throw new TransactionCancelled(error.CancellationReasons ?? []);
      }
      const instead =
        error instanceof TransactionCanceledException
          ? planAround?.(error.CancellationReasons ?? [])
          : undefined;
      if (instead) throw instead;
      // The SDK has already retried throttling and network errors with backoff: report them, do not pile on.
      if (isBusyError(error)) throw new TryAgain(1);
      if (!(error instanceof TransactionCanceledException)) throw error;
      const wait = retryDelayMs(policy, policy.now() - started);
      if (attempt >= policy.maxAttempts || policy.now() + wait - started > policy.budgetMs)
        throw new TryAgain(1);
      await policy.sleep(wait);
    }
  }
}

/**
 * The ClientRequestToken of one logical write, the same however often it runs (a retried stream record, the
 * sweep after a lease): within DynamoDB's 10 minutes a replay that already committed is not applied again.
 * Only for writes whose parameters are the same on every run: a token reused with others is refused.
 */
export function operationToken(...parts: (string | number)[]): string {
  // At most 36 printable characters.
  return sha256Hex(parts.join('\n')).slice(0, 36);
}

/** Reads fail over to TryAgain when DynamoDB is busy, like writes do. */
export async function readOrTryAgain<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isBusyError(error)) throw new TryAgain(1);
    throw error;
  }
}
