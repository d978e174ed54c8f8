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
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export type RetryPolicy = {
  /** Attempts for a transaction cancelled by `TransactionConflict` (the SDK does not retry those). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
};

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 20,
  maxDelayMs: 800,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
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
 * full-jitter backoff, reusing the token so that an attempt that did commit is never applied twice.
 * Other cancellations come back as TransactionCancelled (reasons in item order) for the caller to map;
 * persistent conflicts, throttling and network failures become TryAgain (503 with Retry-After).
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  input: Omit<TransactWriteCommandInput, 'ClientRequestToken'>,
  clientRequestToken: string,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<void> {
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
      if (attempt >= policy.maxAttempts) throw new TryAgain(1);
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await policy.sleep(Math.round(policy.random() * ceiling));
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
