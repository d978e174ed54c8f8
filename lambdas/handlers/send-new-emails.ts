import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toEntry } from '../adapters/dynamodb/outbox.js';
import { emailDependencies } from '../email-composition.js';
import { logDelivery, logger, withBusinessMetrics } from '../observability.js';
import { deliverNewEntry } from '../use-cases/deliver-email.js';

const email = emailDependencies();

/** A new outbox entry: what the event source mapping's filter lets through (checked again here). */
export function isNewOutboxEntry(record: DynamoDBRecord): boolean {
  const pk = record.dynamodb?.NewImage?.pk?.S;
  return record.eventName === 'INSERT' && pk !== undefined && pk.startsWith('MAIL#');
}

/**
 * The table's stream (new outbox entries only): the first attempt at each email, right after the commit that
 * owed it. A record that fails (the table unreachable) is reported alone, so the stream retries it and not
 * the batch; the claim keeps a retried record or the scheduled retry from sending an email twice.
 */
export const handler = withBusinessMetrics(async function sendNewEmails(
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<DynamoDBBatchResponse> {
  if (context) logger.addContext(context);
  const results = await Promise.all(
    event.Records.filter(isNewOutboxEntry).map(async (record) => {
      const image = record.dynamodb?.NewImage as Record<string, AttributeValue>;
      try {
        const outcome = await deliverNewEntry(toEntry(unmarshall(image)), email);
        if (outcome) logDelivery(outcome);
        return undefined;
      } catch (error) {
        logger.warn('email left to the stream retry', {
          errorName: error instanceof Error ? error.name : typeof error,
        });
        return record.dynamodb?.SequenceNumber ?? '';
      }
    }),
  );
  return {
    batchItemFailures: results
      .filter((id): id is string => id !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
});
