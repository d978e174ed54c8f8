/**
 * The embedded DynamoDB's change feed (local/dynamodb/change-feed.ts) and the stand-in for the sender's event
 * source mapping (local/stream-feed.ts): every applied write becomes a stream record in the shape AWS sends
 * (NEW_IMAGE), and the mapping's filter lets exactly the new outbox entries through.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOutboxEntryFilter } from '../../lambdas/routes.js';
import type { StreamRecord } from '../../local/dynamodb/change-feed.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb/embedded-dynamodb.js';
import { feedStream, matchesFilter } from '../../local/stream-feed.js';

const TABLE = 'feed';
let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
const seen: StreamRecord[] = [];

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  dynamo.changes.subscribe(TABLE, (records) => seen.push(...records));
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'META' } });
const drain = () => seen.splice(0, seen.length);

/** The records of the writes so far (a bounded wait, for records fed from another writer). */
async function recordsOf(count: number): Promise<StreamRecord[]> {
  for (let wait = 0; seen.length < count && wait < 200; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return drain();
}

describe('the change feed', () => {
  it("feeds a single write's record before the writer hears back, as a stream has it once the write is acknowledged", async () => {
    drain();
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('MAIL#now'), n: { N: '1' } } }));
    // No wait: a sender waiting for idle right after a write (a schedule run) must find this record already fed.
    expect(drain().map((record) => record.dynamodb.Keys.pk)).toEqual([{ S: 'MAIL#now' }]);
  });

  it('tells every single write: INSERT and MODIFY with the new image, REMOVE with the keys', async () => {
    drain();
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('REG#1'), n: { N: '1' } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: key('REG#1'),
        UpdateExpression: 'SET n = :two',
        ExpressionAttributeValues: { ':two': { N: '2' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key('REG#1') }));
    const records = await recordsOf(3);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(records[0]?.dynamodb).toMatchObject({
      Keys: key('REG#1'),
      NewImage: { ...key('REG#1'), n: { N: '1' } },
    });
    expect(records[1]?.dynamodb.NewImage).toEqual({ ...key('REG#1'), n: { N: '2' } });
    expect(records[2]?.dynamodb.NewImage).toBeUndefined();
    expect(records.every((r) => r.dynamodb.StreamViewType === 'NEW_IMAGE')).toBe(true);
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
  });

  it('tells a transaction item by item, and nothing of a cancelled one or of a condition check', async () => {
    drain();
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...key('SEAT#a'), taken: { N: '0' } } }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: key('SEAT#a'),
              UpdateExpression: 'SET taken = taken + :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
          { Put: { TableName: TABLE, Item: { ...key('MAIL#r1.confirmation.1'), state: { S: 'pending' } } } },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: key('EVENT#e'),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    expect((await recordsOf(3)).map((r) => [r.eventName, r.dynamodb.Keys.pk?.S])).toEqual([
      ['INSERT', 'SEAT#a'],
      ['MODIFY', 'SEAT#a'],
      ['INSERT', 'MAIL#r1.confirmation.1'],
    ]);
    await expect(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: { TableName: TABLE, Item: key('MAIL#never'), ConditionExpression: 'attribute_exists(pk)' },
            },
          ],
        }),
      ),
    ).rejects.toThrow();
    expect(drain()).toEqual([]);
  });
});

describe('the sender mapping stand-in', () => {
  it('lets through inserted MAIL# items only, as the event source mapping filter does', () => {
    const record = (eventName: string, pk: string) => ({
      eventName,
      dynamodb: { NewImage: { pk: { S: pk } } },
    });
    expect(matchesFilter(newOutboxEntryFilter, record('INSERT', 'MAIL#x'))).toBe(true);
    expect(matchesFilter(newOutboxEntryFilter, record('MODIFY', 'MAIL#x'))).toBe(false);
    expect(matchesFilter(newOutboxEntryFilter, record('INSERT', 'REG#x'))).toBe(false);
    expect(matchesFilter(newOutboxEntryFilter, { eventName: 'REMOVE', dynamodb: {} })).toBe(false);
  });

  it('feeds the handler in batches, retries a failed record a bounded number of times, then drops it', async () => {
    const calls: (string | undefined)[][] = [];
    const stream = feedStream({
      feed: dynamo.changes,
      tableName: TABLE,
      filters: [newOutboxEntryFilter],
      handler: async ({ Records }) => {
        calls.push(Records.map((r) => r.dynamodb.Keys.pk?.S as string | undefined));
        const failing = Records.filter((r) => r.dynamodb.Keys.pk?.S === 'MAIL#fails');
        return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
      },
      batchSize: 10,
      batchWindowMs: 5,
      retryAttempts: 2,
      retryDelayMs: 1,
      onError: () => {},
    });
    await client.send(new PutItemCommand({ TableName: TABLE, Item: key('MAIL#ok') }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: key('MAIL#fails') }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: key('REG#ignored') }));
    await stream.idle();
    await stream.close();
    expect(calls.flat().filter((pk) => pk === 'MAIL#ok')).toHaveLength(1);
    expect(calls.flat().filter((pk) => pk === 'MAIL#fails')).toHaveLength(3);
    expect(calls.flat()).not.toContain('REG#ignored');
    drain();
  });
});
