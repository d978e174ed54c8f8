import { type ConfirmationStatus, DELIVERY, type OutboxEntry } from '../../domain/email.js';
import { TryAgain } from '../../domain/errors.js';
import type { EmailOutbox } from '../../ports.js';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '../aws-sdk.js';
import { allOfIndexPartition } from './index-query.js';
import {
  keyPrefixes,
  META,
  messageKey,
  outboxIndexPartition,
  REGISTRATION_INDEX,
  registrationKey,
} from './keys.js';
import {
  defaultRetryPolicy,
  operationToken,
  type RetryPolicy,
  TransactionCancelled,
  transactWrite,
} from './transactions.js';

/** Due entries are spread over a few index partitions so that a burst of registrations has no hot key. */
const OUTBOX_SHARDS = 4;
/** Sent and failed entries stay a while as a delivery record, then TTL removes them. */
const KEEP_RECORD_SECONDS = 30 * 24 * 60 * 60;

export const outboxKey = (entryId: string) => ({ pk: `${keyPrefixes.outbox}${entryId}`, sk: META });

function shardOf(entryId: string): number {
  let hash = 0;
  for (const char of entryId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % OUTBOX_SHARDS;
}

export const dueIndexKeys = (entry: Pick<OutboxEntry, 'id' | 'nextAttemptAt'>) => ({
  gsi1pk: outboxIndexPartition(shardOf(entry.id)),
  gsi1sk: `${entry.nextAttemptAt}#${entry.id}`,
});

export function confirmationOf(
  entry: OutboxEntry,
  extra: Partial<ConfirmationStatus> = {},
): ConfirmationStatus {
  return { kind: entry.kind, state: entry.state, attempts: entry.attempts, ...extra };
}

/** An outbox item as read (or as the table's stream carries it): the entry without its keys. */
export function toEntry(item: Record<string, unknown>): OutboxEntry {
  const { pk: _pk, sk: _sk, gsi1pk: _gpk, gsi1sk: _gsk, type: _type, expiresAt: _exp, ...entry } = item;
  return entry as OutboxEntry;
}

/**
 * An outbox entry, due for the retry after the sender's lease, written only if no entry has its id: the same
 * id written twice (a retried fan-out, two runs of a schedule) leaves the first. False when it existed.
 */
export async function putOutboxEntryOnce(
  client: DynamoDBDocumentClient,
  tableName: string,
  entry: OutboxEntry,
): Promise<boolean> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...outboxKey(entry.id), type: 'outbox', ...dueIndexKeys(entry), ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export class DynamoOutbox implements EmailOutbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async due(now: Date, limit: number): Promise<OutboxEntry[]> {
    const upper = `${now.toISOString()}#\uffff`;
    const pages = await Promise.all(
      Array.from({ length: OUTBOX_SHARDS }, (_, shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: REGISTRATION_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :upper',
            ExpressionAttributeValues: { ':pk': outboxIndexPartition(shard), ':upper': upper },
            Limit: limit,
          }),
        ),
      ),
    );
    return pages
      .flatMap((page) => (page.Items ?? []).map(toEntry))
      .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt))
      .slice(0, limit);
  }

  addOnce(entry: OutboxEntry): Promise<boolean> {
    return putOutboxEntryOnce(this.client, this.tableName, entry);
  }

  async owedTo(registrationId: string): Promise<OutboxEntry[]> {
    const owed: OutboxEntry[] = [];
    for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
      const items = await allOfIndexPartition(this.client, {
        tableName: this.tableName,
        partition: outboxIndexPartition(shard),
        registrationId,
      });
      // A sent copy still to be counted is on the index too: it is owed nothing.
      owed.push(...items.map(toEntry).filter((entry) => entry.state === 'pending'));
    }
    return owed;
  }

  async discard(entry: OutboxEntry): Promise<void> {
    const remove = {
      TableName: this.tableName,
      Key: outboxKey(entry.id),
      ConditionExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':pending': 'pending' },
    };
    try {
      // A copy of a message nobody can receive is not pending any more: the message counts it as failed.
      if (entry.messageId) {
        await transactWrite(
          this.client,
          { TransactItems: [{ Delete: remove }, messageCount(this.tableName, entry, 'failed')] },
          operationToken('discard', entry.id, entry.attempts),
          this.retryPolicy,
        );
      } else {
        await this.client.send(new DeleteCommand(remove));
      }
    } catch (error) {
      // Sent or settled meanwhile (or already gone): that record stays.
      if (error instanceof ConditionalCheckFailedException) return;
      if (error instanceof TransactionCancelled) return;
      throw error;
    }
  }

  async claim(entry: OutboxEntry, leaseUntil: Date): Promise<OutboxEntry | undefined> {
    const claimed = { ...entry, attempts: entry.attempts + 1, nextAttemptAt: leaseUntil.toISOString() };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(entry.id),
          UpdateExpression: 'SET attempts = :next, nextAttemptAt = :lease, gsi1sk = :sk',
          ConditionExpression: '#state = :pending AND attempts = :seen',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':next': claimed.attempts,
            ':lease': claimed.nextAttemptAt,
            ':sk': dueIndexKeys(claimed).gsi1sk,
            ':pending': 'pending',
            ':seen': entry.attempts,
          },
        }),
      );
      return claimed;
    } catch (error) {
      // Another sender claimed it first (or it was sent meanwhile): leave it to them.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async markSent(entry: OutboxEntry, at: Date): Promise<void> {
    // A copy of a message is counted apart, after it is marked sent: the message's counter is one item that every
    // copy's settle writes, and a settle refused there would leave a sent email to be sent again after the lease.
    // Until it is counted the copy stays on the due index, so the sweep counts it if the sender could not.
    const countOwed = entry.messageId !== undefined;
    await this.settle(entry, {
      // What only the email needed (the token of its link, an erased person's address) goes with it.
      assignments: countOwed
        ? '#state = :sent, sentAt = :at, expiresAt = :expires, uncounted = :uncounted, gsi1sk = :countSk REMOVE manageToken, recipient'
        : '#state = :sent, sentAt = :at, expiresAt = :expires REMOVE gsi1pk, gsi1sk, manageToken, recipient',
      values: {
        ':sent': 'sent',
        ':at': at.toISOString(),
        ':expires': expiry(at),
        ...(countOwed
          ? {
              ':uncounted': true,
              ':countSk': dueIndexKeys({
                id: entry.id,
                nextAttemptAt: new Date(at.getTime() + DELIVERY.leaseMs).toISOString(),
              }).gsi1sk,
            }
          : {}),
      },
      confirmation: confirmationOf({ ...entry, state: 'sent' }, { lastAttemptAt: at.toISOString() }),
      outcome: 'sent',
    });
    if (!countOwed) return;
    try {
      await this.countSent(entry);
    } catch (error) {
      // The counter stayed busy for the whole retry budget: the email is sent; the sweep counts it later.
      if (!(error instanceof TryAgain)) throw error;
    }
  }

  async countSent(entry: OutboxEntry): Promise<void> {
    const settled = {
      TableName: this.tableName,
      Key: outboxKey(entry.id),
      UpdateExpression: 'REMOVE uncounted, gsi1pk, gsi1sk',
    };
    try {
      await transactWrite(
        this.client,
        {
          TransactItems: [
            {
              Update: {
                ...settled,
                ConditionExpression: 'uncounted = :uncounted',
                ExpressionAttributeValues: { ':uncounted': true },
              },
            },
            messageCount(this.tableName, entry, 'sent'),
          ],
        },
        operationToken('count', entry.id),
        this.retryPolicy,
      );
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const [copy, message] = error.reasons.map((reason) => reason.Code);
      // Counted already (the sender and the sweep both came): once is enough.
      if (copy === 'ConditionalCheckFailed') return;
      // The message is gone: nothing left to count in, the copy is settled all the same.
      if (message === 'ConditionalCheckFailed') {
        await this.client.send(new UpdateCommand(settled));
        return;
      }
      throw error;
    }
  }

  async markRetry(entry: OutboxEntry, at: Date, retryAt: Date, reason: string): Promise<void> {
    const next = { ...entry, nextAttemptAt: retryAt.toISOString() };
    await this.settle(entry, {
      // The retry makes a fresh manage token; the address of an erasure stays until it is sent.
      assignments: 'nextAttemptAt = :next, gsi1sk = :sk, lastError = :reason REMOVE manageToken',
      values: { ':next': next.nextAttemptAt, ':sk': dueIndexKeys(next).gsi1sk, ':reason': reason },
      confirmation: confirmationOf(entry, { lastAttemptAt: at.toISOString(), lastError: reason }),
      outcome: 'retry',
    });
  }

  async markGaveUp(entry: OutboxEntry, at: Date, reason: string): Promise<void> {
    await this.settle(entry, {
      // Off the due index, onto a per-event list of failures for organisers.
      assignments:
        '#state = :failed, lastError = :reason, gsi1pk = :failedPk, gsi1sk = :failedSk REMOVE manageToken, recipient',
      values: {
        ':failed': 'failed',
        ':reason': reason,
        ':failedPk': `MAILFAILED#${entry.eventId}`,
        ':failedSk': `${at.toISOString()}#${entry.id}`,
      },
      confirmation: confirmationOf(
        { ...entry, state: 'failed' },
        { lastAttemptAt: at.toISOString(), lastError: reason },
      ),
      outcome: 'failed',
      counter: 'failed',
    });
  }

  /** Updates the entry and the registration's visible delivery state together. */
  private async settle(
    entry: OutboxEntry,
    update: {
      assignments: string;
      values: Record<string, unknown>;
      confirmation: ConfirmationStatus;
      /** Names the settlement: with the entry and its attempt, one idempotent write however often it runs. */
      outcome: 'sent' | 'retry' | 'failed';
      /** An organisers' message counts its copies failed in the same transaction (issue 16). */
      counter?: 'failed';
    },
  ): Promise<void> {
    // The attempt count travels with every settlement: an immediate first attempt was never claimed.
    const [assignments, remove] = update.assignments.split(' REMOVE ');
    const set = `${assignments}, attempts = :attempts`;
    // Through transactWrite: a conflict (another copy's count on the message, the person's own change) is waited
    // out under the same token instead of failing an attempt whose email may have gone out.
    await transactWrite(
      this.client,
      {
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: outboxKey(entry.id),
              UpdateExpression: `SET ${set}${remove ? ` REMOVE ${remove}` : ''}`,
              ConditionExpression: 'attribute_exists(pk)',
              ...(update.assignments.includes('#state')
                ? { ExpressionAttributeNames: { '#state': 'state' } }
                : {}),
              ExpressionAttributeValues: { ...update.values, ':attempts': entry.attempts },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: registrationKey(entry.registrationId),
              UpdateExpression: 'SET confirmation = :confirmation',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':confirmation': update.confirmation },
            },
          },
          ...(entry.messageId && update.counter ? [messageCount(this.tableName, entry, update.counter)] : []),
        ],
      },
      operationToken(update.outcome, entry.id, entry.attempts),
      this.retryPolicy,
    );
  }
}

/** One more copy of a message sent or failed, counted in a transaction with the copy's entry. */
function messageCount(tableName: string, entry: OutboxEntry, counter: 'sent' | 'failed') {
  return {
    Update: {
      TableName: tableName,
      Key: messageKey(entry.eventId, entry.messageId ?? ''),
      UpdateExpression: 'ADD #counter :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#counter': counter },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

function expiry(at: Date): number {
  return Math.floor(at.getTime() / 1000) + KEEP_RECORD_SECONDS;
}
