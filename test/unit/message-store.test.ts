import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamodb/message-store.js';
import { TryAgain } from '../../lambdas/domain/errors.js';
import type { OrganiserMessage } from '../../lambdas/domain/message.js';
import { awsError, cancelled } from '../support/aws-errors.js';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () =>
  new DynamoMessageStore(createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }), 'table');

const message = {
  id: 'V1StGXR8_Z5jdHi6B-myT',
  eventId: 'dag',
  createdAt: '2030-09-01T10:00:00Z',
} as unknown as OrganiserMessage;

beforeEach(() => ddb.reset());

describe('DynamoMessageStore.createMessage', () => {
  it('a busy DynamoDB is TRY_AGAIN (503), not a failure', async () => {
    ddb.on(TransactWriteCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(store().createMessage(message, ['r1', 'r2'])).rejects.toBeInstanceOf(TryAgain);
  });

  it('a transaction conflict is retried with the same ClientRequestToken, and the message is written once', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});
    await store().createMessage(message, ['r1', 'r2']);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    const tokens = calls.map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens[0]).toBe(message.id);
    expect(tokens[1]).toBe(message.id);
    // The message and one recipient list, in one transaction.
    expect(calls[1]?.args[0].input.TransactItems).toHaveLength(2);
  });
});
