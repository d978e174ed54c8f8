/**
 * The stream-fed sender's handler (lambdas/handlers/send-new-emails.ts), with DynamoDB and SES mocked at the
 * SDK boundary: it takes new outbox entries only, claims each before sending, and reports a record whose
 * handling failed alone (ReportBatchItemFailures), so the stream retries that one and not the batch.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { newOutboxEntry } from '../../lambdas/domain/email.js';
import { handler } from '../../lambdas/handlers/send-new-emails.js';
import { sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
afterEach(() => {
  ddb.reset();
  ses.reset();
});

const NOW = new Date('2030-01-01T10:00:00Z');

function record(
  sequence: string,
  eventName: 'INSERT' | 'MODIFY',
  item: Record<string, unknown>,
): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequence,
      // biome-ignore lint/suspicious/noExplicitAny: aws-lambda's AttributeValue and the SDK's differ in shape only
      NewImage: marshall(item, { removeUndefinedValues: true }) as any,
    },
  };
}

const entryItem = (registrationId: string) => {
  const entry = newOutboxEntry(registrationId, 'testdag', 'confirmation', 1, NOW, undefined, {
    manageToken: `token-${registrationId}-abcdefghijklmnopqrstuvwx`,
  });
  return { pk: `MAIL#${entry.id}`, sk: 'META', type: 'outbox', ...entry };
};

function aWorkingTable() {
  ddb.on(UpdateCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    if (input.Key.pk.startsWith('EVENT#')) return { Item: { definition: sampleDefinition() } };
    const id = input.Key.pk.slice('REG#'.length);
    return {
      Item: {
        type: 'registration',
        id,
        eventId: 'testdag',
        name: 'Anna de Vries',
        email: `${id}@example.nl`,
        organisation: 'Gemeente',
        choices: { '1': 'a', '2': 'c' },
        status: 'confirmed',
        locale: 'nl',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
        version: 1,
        emailHash: 'h',
        manageTokenHash: 'h',
      },
    };
  });
}

describe('the stream-fed sender', () => {
  it('sends each new outbox entry once, with its link, and ignores other records', async () => {
    aWorkingTable();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const result = await handler({
      Records: [
        record('1', 'INSERT', entryItem('r1')),
        record('2', 'MODIFY', entryItem('r2')),
        record('3', 'INSERT', { pk: 'REG#r3', sk: 'META', type: 'registration' }),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const sent = ses.commandCalls(SendEmailCommand);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.args[0].input;
    expect(input?.Destination?.ToAddresses).toEqual(['r1@example.nl']);
    expect(input?.Content?.Simple?.Body?.Text?.Data).toContain('token-r1-abcdefghijklmnopqrstuvwx');
    // Claimed first: the conditional update that keeps the stream and the retry from sending twice.
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression).toContain(
      'attempts = :seen',
    );
  });

  it('sends nothing for an entry another sender claimed first', async () => {
    aWorkingTable();
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'claimed', $metadata: {} }));
    const result = await handler({ Records: [record('1', 'INSERT', entryItem('r1'))] });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('reports only the record whose handling failed, for the stream to retry', async () => {
    aWorkingTable();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    ddb
      .on(UpdateCommand, { Key: { pk: `MAIL#${entryItem('r2').id}`, sk: 'META' } })
      .rejects(Object.assign(new Error('unreachable'), { name: 'TimeoutError' }));
    const result = await handler({
      Records: [record('1', 'INSERT', entryItem('r1')), record('2', 'INSERT', entryItem('r2'))],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});
