import type { OutboxEntry } from '../../domain/email.js';
import type { StoredRegistration } from '../../domain/registration.js';
import type { ProgrammeNotices } from '../../ports.js';
import {
  type DynamoDBDocumentClient,
  TransactionCanceledException,
  TransactWriteCommand,
} from '../aws-sdk.js';
import { registrationKey } from './keys.js';
import { outboxPut } from './transaction-items.js';

export class DynamoProgrammeNotices implements ProgrammeNotices {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async notify(current: StoredRegistration, entry: OutboxEntry): Promise<'written' | 'exists' | 'changed'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
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
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [registration, outbox] = (error.CancellationReasons ?? []).map((r) => r.Code);
        // The entry's id names the update's notice, so a retried list finds its own entry.
        if (outbox === 'ConditionalCheckFailed') return 'exists';
        if (registration === 'ConditionalCheckFailed') return 'changed';
      }
      throw error;
    }
  }
}
