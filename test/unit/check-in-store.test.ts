import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCheckIns } from '../../lambdas/adapters/dynamodb/check-ins.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { TryAgain } from '../../lambdas/domain/errors.js';
import { awsError } from '../support/aws-errors.js';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () =>
  new DynamoCheckIns(createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }), 'table');

function conditionFailed(item?: Record<string, unknown>) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item ? { Item: item as never } : {}),
  });
}

beforeEach(() => ddb.reset());

describe('DynamoCheckIns', () => {
  it('a first check-in sets the place only if it is not set, on the event’s check-in index partition', async () => {
    ddb.on(UpdateCommand).resolves({});
    const result = await store().checkIn(
      'dag',
      'r1',
      { kind: 'workshop', workshopId: 'a' },
      '2030-09-12T08:00:00Z',
    );
    expect(result).toEqual({ at: '2030-09-12T08:00:00Z' });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'CHECKIN#dag#r1', sk: 'META' });
    expect(input?.ConditionExpression).toBe('attribute_not_exists(#place)');
    expect(input?.ExpressionAttributeNames?.['#place']).toBe('workshopAt#a');
    expect(input?.ExpressionAttributeValues?.[':partition']).toBe('EVENT#dag#CHECKINS');
  });

  it('a repeat (the condition failed) answers with the first time, from the item the refusal returned', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed({ entranceAt: { S: '2030-09-12T07:55:00Z' } }));
    const result = await store().checkIn('dag', 'r1', { kind: 'entrance' }, '2030-09-12T08:00:00Z');
    expect(result).toEqual({ at: '2030-09-12T07:55:00Z', alreadyCheckedInAt: '2030-09-12T07:55:00Z' });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('a repeat without the old item in the refusal reads the first time', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({
      Item: { registrationId: 'r1', eventId: 'dag', entranceAt: '2030-09-12T07:50:00Z' },
    });
    const result = await store().checkIn('dag', 'r1', { kind: 'entrance' }, '2030-09-12T08:00:00Z');
    expect(result.alreadyCheckedInAt).toBe('2030-09-12T07:50:00Z');
  });

  it('throttling after the SDK’s retries is TRY_AGAIN, not a check-in', async () => {
    ddb.on(UpdateCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(
      store().checkIn('dag', 'r1', { kind: 'entrance' }, '2030-09-12T08:00:00Z'),
    ).rejects.toBeInstanceOf(TryAgain);
  });

  it('undo removes the place if it was set, and says false when there was nothing to undo', async () => {
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store().undoCheckIn('dag', 'r1', { kind: 'entrance' })).toBe(true);
    expect(await store().undoCheckIn('dag', 'r1', { kind: 'entrance' })).toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toBe('REMOVE #place');
    expect(input?.ExpressionAttributeNames).toEqual({ '#place': 'entranceAt' });
  });
});
