import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '../adapters/aws-sdk.js';
import { keyPrefixes, RECIPIENT_LIST_PREFIX } from '../adapters/dynamodb/keys.js';
import { toEntry } from '../adapters/dynamodb/outbox.js';
import { dependencies } from '../composition.js';
import { type NoticeList, noticesOf } from '../domain/programme-notice.js';
import { emailDependencies } from '../email-composition.js';
import { logDelivery, logger, withBusinessMetrics } from '../observability.js';
import type { RecipientList } from '../ports.js';
import { fanOutProgrammeNotices } from '../use-cases/admin/programme-changes.js';
import { deliverNewEntry } from '../use-cases/deliver-email.js';
import { fanOutRecipients } from '../use-cases/fan-out-message.js';

const email = emailDependencies();
const { messages, store, programmeNotices } = dependencies();

/** A new outbox entry: what the event source mapping's filter lets through (checked again here). */
export function isNewOutboxEntry(record: DynamoDBRecord): boolean {
  const pk = record.dynamodb?.NewImage?.pk?.S;
  return record.eventName === 'INSERT' && pk !== undefined && pk.startsWith(keyPrefixes.outbox);
}

/** A new recipient list of an organisers' message: the mapping's second filter (checked again here). */
export function isNewRecipientList(record: DynamoDBRecord): boolean {
  const image = record.dynamodb?.NewImage;
  return (
    record.eventName === 'INSERT' &&
    (image?.pk?.S?.startsWith(keyPrefixes.message) ?? false) &&
    (image?.sk?.S?.startsWith(RECIPIENT_LIST_PREFIX) ?? false)
  );
}

function toRecipientList(item: Record<string, unknown>): RecipientList {
  return {
    eventId: String(item.eventId),
    messageId: String(item.messageId),
    listId: String(item.sk),
    registrationIds: (item.registrationIds as string[] | undefined) ?? [],
  };
}

/**
 * One record: an email to send, or a recipient list to fan out into outbox entries (an organisers' message, or
 * the programme-change notices of an event update).
 */
async function handle(record: DynamoDBRecord): Promise<void> {
  const image = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  if (isNewRecipientList(record) && image.kind === 'programme-change') {
    const queued = await fanOutProgrammeNotices(
      {
        eventId: String(image.eventId),
        noticeId: String(image.messageId),
        notices: noticesOf(image as unknown as NoticeList),
      },
      { registrations: store, notices: programmeNotices, clock: email.clock },
    );
    logger.info('programme change fanned out', { noticeId: image.messageId, list: image.sk, queued });
    return;
  }
  if (isNewRecipientList(record)) {
    const queued = await fanOutRecipients(toRecipientList(image), {
      messages,
      clock: email.clock,
    });
    logger.info('message fanned out', { messageId: image.messageId, list: image.sk, queued });
    return;
  }
  const outcome = await deliverNewEntry(toEntry(image), email);
  if (outcome) logDelivery(outcome);
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
    event.Records.filter((record) => isNewOutboxEntry(record) || isNewRecipientList(record)).map(
      async (record) => {
        try {
          await handle(record);
          return undefined;
        } catch (error) {
          logger.warn('email left to the stream retry', {
            errorName: error instanceof Error ? error.name : typeof error,
          });
          return record.dynamodb?.SequenceNumber ?? '';
        }
      },
    ),
  );
  return {
    batchItemFailures: results
      .filter((id): id is string => id !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
});
