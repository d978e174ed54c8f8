import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../domain/email.js';
import type { StoredRegistration } from '../../domain/registration.js';
import type { ProgrammeNotices } from '../../ports.js';
import type { DynamoDBDocumentClient } from '../aws-sdk.js';
import { registrationKey } from './keys.js';
import { outboxPut } from './transaction-items.js';
import { defaultRetryPolicy, type RetryPolicy, TransactionCancelled, transactWrite } from './transactions.js';

export class DynamoProgrammeNotices implements ProgrammeNotices {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async notify(current: StoredRegistration, entry: OutboxEntry): Promise<'written' | 'exists' | 'changed'> {
    try {
      // A conflict (the person changing their registration just then) is waited out under one token. A fresh
      // token per call: a replay is answered by the conditions (the entry's id, the version).
      await transactWrite(
        this.client,
        {
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: registrationKey(current.id),
                UpdateExpression: 'SET version = :next',
                ConditionExpression: '#status = :confirmed AND version = :version',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':next': current.version + 1,
                  ':version': current.version,
                  ':confirmed': 'confirmed',
                },
              },
            },
            outboxPut(this.tableName, entry),
          ],
        },
        randomUUID(),
        this.retryPolicy,
      );
      return 'written';
    } catch (error) {
      if (error instanceof TransactionCancelled) {
        const [registration, outbox] = error.reasons.map((r) => r.Code);
        // The entry's id names the update's notice, so a retried list finds its own entry.
        if (outbox === 'ConditionalCheckFailed') return 'exists';
        if (registration === 'ConditionalCheckFailed') return 'changed';
      }
      throw error;
    }
  }
}
