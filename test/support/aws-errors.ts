import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** A cancelled transaction as DynamoDB reports it: one reason per item, a code alone or with the item it read. */
export function cancelled(...reasons: (string | { Code: string; Item?: Record<string, unknown> })[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons.map((reason) =>
      typeof reason === 'string' ? { Code: reason } : (reason as never),
    ),
  });
}

/** An AWS error known only by its name (a throttle, a timeout), as the SDK throws it. */
export function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}
