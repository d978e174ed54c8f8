import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../domain/email.js';
import { countInFlight } from '../../domain/in-flight.js';
import { type MessageRecord, type OrganiserMessage, RECIPIENTS_PER_LIST } from '../../domain/message.js';
import type { MessageStore, RecipientList } from '../../ports.js';
import { type DynamoDBDocumentClient, GetCommand } from '../aws-sdk.js';
import { allOfIndexPartition } from './index-query.js';
import { messageIndexPartition, messageKey, RECIPIENT_LIST_PREFIX } from './keys.js';
import { putOutboxEntryOnce } from './outbox.js';
import { defaultRetryPolicy, type RetryPolicy, TransactionCancelled, transactWrite } from './transactions.js';

/** A transaction holds at most 100 items: the message and 99 lists of 500 ids. */
export const MAX_MESSAGE_RECIPIENTS = 99 * RECIPIENTS_PER_LIST;
/** Conditional puts in flight at once while a list is fanned out. */
const PUTS_IN_FLIGHT = 16;
/** Recipient lists are only needed until the fan-out ran; TTL removes them after a week. */
const KEEP_LISTS_SECONDS = 7 * 24 * 60 * 60;

const listSortKey = (index: number) => `${RECIPIENT_LIST_PREFIX}${String(index).padStart(4, '0')}`;

/**
 * One recipient list: a new one on the table's stream is fanned out into outbox entries (an organisers' message,
 * or with `kind: 'programme-change'` the notices of an event update, whose list id is the update's notice id).
 */
export function recipientListPut(
  tableName: string,
  eventId: string,
  messageId: string,
  index: number,
  createdAt: string,
  fields: Record<string, unknown>,
) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...messageKey(eventId, messageId, listSortKey(index)),
        type: 'message-recipients',
        eventId,
        messageId,
        ...fields,
        expiresAt: Math.floor(Date.parse(createdAt) / 1000) + KEEP_LISTS_SECONDS,
      },
    },
  };
}

function toRecord(item: Record<string, unknown>): MessageRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gpk, gsi1sk: _gsk, type: _type, ...record } = item;
  return record as MessageRecord;
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async createMessage(message: OrganiserMessage, recipientIds: readonly string[]): Promise<void> {
    if (recipientIds.length > MAX_MESSAGE_RECIPIENTS) {
      throw new Error(`at most ${MAX_MESSAGE_RECIPIENTS} recipients per message`);
    }
    const lists: string[][] = [];
    for (let start = 0; start < recipientIds.length; start += RECIPIENTS_PER_LIST) {
      lists.push(recipientIds.slice(start, start + RECIPIENTS_PER_LIST));
    }
    // Through transactWrite like every request's transaction: a conflict is retried with the same token, a busy
    // DynamoDB is 503 TRY_AGAIN for the organiser instead of a 500.
    await transactWrite(
      this.client,
      {
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...messageKey(message.eventId, message.id),
                type: 'message',
                gsi1pk: messageIndexPartition(message.eventId),
                gsi1sk: `${message.createdAt}#${message.id}`,
                ...message,
                queued: 0,
                sent: 0,
                failed: 0,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...lists.map((registrationIds, index) =>
            recipientListPut(this.tableName, message.eventId, message.id, index, message.createdAt, {
              registrationIds,
            }),
          ),
        ],
      },
      message.id,
      this.retryPolicy,
    );
  }

  async messagesOf(eventId: string): Promise<MessageRecord[]> {
    const items = await allOfIndexPartition(this.client, {
      tableName: this.tableName,
      partition: messageIndexPartition(eventId),
      newestFirst: true,
    });
    return items.map(toRecord);
  }

  async getMessage(eventId: string, messageId: string): Promise<MessageRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: messageKey(eventId, messageId) }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async queueCopies(list: RecipientList, entries: readonly OutboxEntry[]): Promise<number> {
    const written = await countInFlight(entries, PUTS_IN_FLIGHT, (entry) =>
      putOutboxEntryOnce(this.client, this.tableName, entry),
    );
    await this.countListOnce(list);
    return written;
  }

  /** Marks the list fanned out and adds its size to the message's `queued`, once however often it runs. */
  private async countListOnce(list: RecipientList): Promise<void> {
    try {
      // The message's counter is written by every copy's settle too: a conflict is waited out (transactWrite).
      // A fresh token per run: a replay is answered by the condition, and its `queuedAt` differs anyway.
      await transactWrite(
        this.client,
        {
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: messageKey(list.eventId, list.messageId, list.listId),
                UpdateExpression: 'SET queuedAt = :now',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(queuedAt)',
                ExpressionAttributeValues: { ':now': new Date().toISOString() },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: messageKey(list.eventId, list.messageId),
                UpdateExpression: 'ADD queued :size',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':size': list.registrationIds.length },
              },
            },
          ],
        },
        randomUUID(),
        this.retryPolicy,
      );
    } catch (error) {
      // Counted by an earlier run of the same list (a retried stream record); anything else is tried again.
      const counted =
        error instanceof TransactionCancelled && error.reasons[0]?.Code === 'ConditionalCheckFailed';
      if (!counted) throw error;
    }
  }
}
