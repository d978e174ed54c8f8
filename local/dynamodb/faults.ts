/**
 * The embedded endpoint's fault switch: fails the next calls of an operation with an error DynamoDB really
 * returns (throttling, a transaction conflict, an internal error), before they do anything, so tests can
 * see how the application copes without a real service misbehaving on cue.
 */
import { conflictCancellation, transactionConflict } from './transaction-requests.js';
import { type DynamoError, dynamoError } from './wire.js';

export type FaultCode =
  | 'TransactionConflict'
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'InternalServerError';

export type FaultSwitch = {
  /**
   * Fails the next `times` calls of `op` (e.g. 'TransactWriteItems', 'PutItem') with `code`, before they do
   * anything. TransactionConflict on a transaction gives a TransactionCanceledException whose first reason is
   * TransactionConflict; on another operation a TransactionConflictException. Note that AWS SDK clients retry
   * throttling and 5xx errors by themselves (set `maxAttempts: 1` to see them).
   */
  failNext(op: string, code: FaultCode, times?: number): void;
  /** Drops all pending faults. */
  clear(): void;
};

export class Faults implements FaultSwitch {
  readonly #pending: { op: string; code: FaultCode; remaining: number }[] = [];

  failNext(op: string, code: FaultCode, times = 1): void {
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`times must be a positive integer, got ${times}`);
    this.#pending.push({ op, code, remaining: times });
  }

  clear(): void {
    this.#pending.length = 0;
  }

  take(op: string): FaultCode | undefined {
    const index = this.#pending.findIndex((f) => f.op === op);
    const fault = this.#pending[index];
    if (!fault) return undefined;
    if (--fault.remaining === 0) this.#pending.splice(index, 1);
    return fault.code;
  }
}

/** The error a faulted call answers with; a transaction's cancellation carries one reason per item. */
export function faultError(op: string, code: FaultCode, itemCount: number): DynamoError {
  switch (code) {
    case 'TransactionConflict':
      return op === 'TransactWriteItems' || op === 'TransactGetItems'
        ? conflictCancellation(itemCount)
        : transactionConflict();
    case 'ProvisionedThroughputExceededException':
      return dynamoError(
        code,
        'The level of configured provisioned throughput for the table was exceeded. ' +
          'Consider increasing your provisioning level with the UpdateTable API.',
      );
    case 'ThrottlingException':
      return dynamoError(code, 'Rate of requests exceeds the allowed throughput.');
    case 'InternalServerError':
      return dynamoError(code, 'Internal server error', 500);
  }
}
