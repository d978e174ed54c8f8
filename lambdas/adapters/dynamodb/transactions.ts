import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TryAgain } from '../../domain/errors.js';

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
  /** Ceiling of the first wait; each later wait's ceiling is half the one before, down to `minDelayMs`. */
  firstDelayMs: number;
  minDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
};

/**
 * Issue 21 (flash crowd, measured in the bench's flash-crowd phase): a budget in time long enough to outlast
 * the rush on a counter (40 seats at 20–40 ms per transaction is 1–2 s), and waits that shrink with every
 * attempt, so that a request which has waited longer tries more often than a newcomer and first come, first
 * served is approached. The budget stays well inside the function timeout (10 s) and API Gateway's 29 s.
 */
export const defaultRetryPolicy: RetryPolicy = {
  // A safety net: the budget ends the retries first (waits average 5 ms at the minimum).
  maxAttempts: 400,
  budgetMs: 3_000,
  firstDelayMs: 200,
  minDelayMs: 10,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: () => performance.now(),
};

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
 * jittered waits that shrink with every attempt, within a time budget (see defaultRetryPolicy), reusing the
 * token so that an attempt that did commit is never applied twice.
 * Other cancellations come back as TransactionCancelled (reasons in item order) for the caller to map;
 * persistent conflicts, throttling and network failures become TryAgain (503 with Retry-After).
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  input: Omit<TransactWriteCommandInput, 'ClientRequestToken'>,
  clientRequestToken: string,
  policy: RetryPolicy = defaultRetryPolicy,
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
      // The SDK has already retried throttling and network errors with backoff: report them, do not pile on.
      if (isBusyError(error)) throw new TryAgain(1);
      if (!(error instanceof TransactionCanceledException)) throw error;
      const ceiling = Math.max(policy.minDelayMs, policy.firstDelayMs / 2 ** (attempt - 1));
      const wait = Math.round(policy.random() * ceiling);
      if (attempt >= policy.maxAttempts || policy.now() + wait - started > policy.budgetMs)
        throw new TryAgain(1);
      await policy.sleep(wait);
    }
  }
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
