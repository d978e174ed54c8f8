import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb/embedded-dynamodb.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let clock = Date.UTC(2030, 0, 1);
let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

function clientFor(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    ...config,
  });
}

async function createTable(
  c: DynamoDBClient = client,
  options: { name?: string; keyType?: 'S' | 'N'; withIndex?: boolean } = {},
): Promise<string> {
  const name = options.name ?? `table-${++tableCount}`;
  await c.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: options.keyType ?? 'S' },
        ...(options.withIndex ? [{ AttributeName: 'gsi1pk', AttributeType: 'S' as const }] : []),
      ],
      GlobalSecondaryIndexes: options.withIndex
        ? [
            {
              IndexName: 'gsi1',
              KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ]
        : undefined,
    }),
  );
  for (;;) {
    const { Table } = await c.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return name;
  }
}

/** Runs `fn`, expecting it to reject, and returns the error. */
async function failure(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

async function get(table: string, pk: string | number): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item;
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ now: () => clock });
  client = clientFor(dynamo.endpoint);
  doc = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

beforeEach(() => {
  dynamo.faults.clear();
});

describe('TransactWriteItems', () => {
  it('writes nothing when one condition fails, and everything when all pass', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'counter', n: 1 } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'doomed', state: 'open' } }));

    const transaction = (state: string) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table,
                Key: { pk: 'counter' },
                UpdateExpression: 'ADD n :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            { Put: { TableName: table, Item: { pk: 'new' } } },
            {
              Delete: {
                TableName: table,
                Key: { pk: 'doomed' },
                ConditionExpression: '#s = :s',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':s': state },
              },
            },
          ],
        }),
      );

    const error = await failure(() => transaction('closed'));
    expect(error.name).toBe('TransactionCanceledException');
    expect(await get(table, 'counter')).toEqual({ pk: 'counter', n: 1 });
    expect(await get(table, 'new')).toBeUndefined();
    expect(await get(table, 'doomed')).toEqual({ pk: 'doomed', state: 'open' });

    await transaction('open');
    expect(await get(table, 'counter')).toEqual({ pk: 'counter', n: 2 });
    expect(await get(table, 'new')).toEqual({ pk: 'new' });
    expect(await get(table, 'doomed')).toBeUndefined();
  });

  it('cancels with one reason per item, in item order, including the ALL_OLD item (raw SDK)', async () => {
    const table = await createTable();
    await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'y' }, status: { S: 'closed' } } }),
    );
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'z' }, n: { N: '3' } } }));

    const error = await failure(() =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: { S: 'x' } } } },
            {
              ConditionCheck: {
                TableName: table,
                Key: { pk: { S: 'y' } },
                ConditionExpression: '#s = :open',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':open': { S: 'open' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Update: {
                TableName: table,
                Key: { pk: { S: 'z' } },
                UpdateExpression: 'SET n = n + :one',
                ConditionExpression: 'n < :limit',
                ExpressionAttributeValues: { ':one': { N: '1' }, ':limit': { N: '3' } },
              },
            },
            {
              Delete: {
                TableName: table,
                Key: { pk: { S: 'absent' } },
                ConditionExpression: 'attribute_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons ' +
        '[None, ConditionalCheckFailed, ConditionalCheckFailed, ConditionalCheckFailed]',
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { pk: { S: 'y' }, status: { S: 'closed' } },
      },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await get(table, 'x')).toBeUndefined();
    expect(await get(table, 'z')).toEqual({ pk: 'z', n: 3 });
  });

  it('checks every condition before writing anything, whatever the item order', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'seat', taken: 0, capacity: 1 } }));
    const take = {
      Update: {
        TableName: table,
        Key: { pk: 'seat' },
        UpdateExpression: 'SET taken = taken + :one',
        ConditionExpression: 'taken < #capacity',
        ExpressionAttributeNames: { '#capacity': 'capacity' },
        ExpressionAttributeValues: { ':one': 1 },
      },
    };
    const claim = (pk: string) => ({
      Put: { TableName: table, Item: { pk }, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'claimed' } }));

    // The passing increment comes first and the failing claim last, then the other way round: neither applies.
    for (const items of [
      [take, claim('claimed')],
      [claim('claimed'), take],
    ]) {
      const error = await failure(() => doc.send(new TransactWriteCommand({ TransactItems: items })));
      expect(error.name).toBe('TransactionCanceledException');
      expect(await get(table, 'seat')).toMatchObject({ taken: 0 });
    }

    // Both conditions see the state from before the transaction: the seat is free and `fresh` does not exist.
    await doc.send(new TransactWriteCommand({ TransactItems: [take, claim('fresh')] }));
    expect(await get(table, 'seat')).toMatchObject({ taken: 1 });
    expect(await get(table, 'fresh')).toEqual({ pk: 'fresh' });
    const full = await failure(() =>
      doc.send(new TransactWriteCommand({ TransactItems: [take, claim('other')] })),
    );
    expect(full.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
    ]);
  });

  it('supports ConditionCheck items, which write nothing', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'event', open: true } }));
    const register = (pk: string) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: { pk: 'event' },
                ConditionExpression: '#o = :yes',
                ExpressionAttributeNames: { '#o': 'open' },
                ExpressionAttributeValues: { ':yes': true },
              },
            },
            { Put: { TableName: table, Item: { pk } } },
          ],
        }),
      );

    await register('alice');
    expect(await get(table, 'alice')).toEqual({ pk: 'alice' });
    expect(await get(table, 'event')).toEqual({ pk: 'event', open: true });

    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'event', open: false } }));
    const error = await failure(() => register('bob'));
    expect(error.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
    ]);
    expect(await get(table, 'bob')).toBeUndefined();
  });

  it('applies Put, Update (incl. upsert) and Delete together and keeps GSIs in step', async () => {
    const table = await createTable(client, { withIndex: true });
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'u1', tags: new Set(['a']), old: 'x' } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'd1', gsi1pk: 'g' } }));

    const result = await doc.send(
      new TransactWriteCommand({
        ReturnConsumedCapacity: 'TOTAL',
        TransactItems: [
          { Put: { TableName: table, Item: { pk: 'p1', gsi1pk: 'g', n: 1 } } },
          {
            Update: {
              TableName: table,
              Key: { pk: 'u1' },
              UpdateExpression: 'ADD tags :t SET gsi1pk = :g REMOVE #old',
              ExpressionAttributeNames: { '#old': 'old' },
              ExpressionAttributeValues: { ':t': new Set(['b']), ':g': 'g' },
            },
          },
          {
            Update: {
              TableName: table,
              Key: { pk: 'u2' },
              UpdateExpression: 'SET n = :n',
              ExpressionAttributeValues: { ':n': 7 },
            },
          },
          { Delete: { TableName: table, Key: { pk: 'd1' } } },
        ],
      }),
    );

    expect(result.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 8 }]);
    expect(await get(table, 'p1')).toEqual({ pk: 'p1', gsi1pk: 'g', n: 1 });
    expect(await get(table, 'u1')).toEqual({ pk: 'u1', gsi1pk: 'g', tags: new Set(['a', 'b']) });
    expect(await get(table, 'u2')).toEqual({ pk: 'u2', n: 7 });
    expect(await get(table, 'd1')).toBeUndefined();
    const { Items } = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :g',
        ExpressionAttributeValues: { ':g': 'g' },
      }),
    );
    expect(Items?.map((i) => i.pk).sort()).toEqual(['p1', 'u1']);
  });

  it('refuses two operations on one item (numeric keys compared by value), before writing', async () => {
    const table = await createTable(client, { keyType: 'N' });
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 1, n: 0 } }));
    const error = await failure(() =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: { N: '2' } } } },
            {
              Update: {
                TableName: table,
                Key: { pk: { N: '1' } },
                UpdateExpression: 'SET n = n + :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
            {
              ConditionCheck: {
                TableName: table,
                Key: { pk: { N: '1.0' } },
                ConditionExpression: 'n = :zero',
                ExpressionAttributeValues: { ':zero': { N: '0' } },
              },
            },
          ],
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Transaction request cannot include multiple operations on one item');
    expect(await get(table, 1)).toEqual({ pk: 1, n: 0 });
    expect(await get(table, 2)).toBeUndefined();
  });

  it('validates the request like DynamoDB', async () => {
    const table = await createTable();
    const puts = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ Put: { TableName: table, Item: { pk: `item-${i}` } } }));

    const tooMany = await failure(() => doc.send(new TransactWriteCommand({ TransactItems: puts(101) })));
    expect(tooMany.name).toBe('ValidationException');
    expect(tooMany.message).toMatch(/less than or equal to 100/);
    expect((await doc.send(new ScanCommand({ TableName: table }))).Count).toBe(0);

    await doc.send(new TransactWriteCommand({ TransactItems: puts(100) }));
    expect((await doc.send(new ScanCommand({ TableName: table }))).Count).toBe(100);

    const none = await failure(() => doc.send(new TransactWriteCommand({ TransactItems: [] })));
    expect(none.name).toBe('ValidationException');

    const unknownTable = await failure(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: 'no-such-table', Item: { pk: 'a' } } }],
        }),
      ),
    );
    expect(unknownTable.name).toBe('ResourceNotFoundException');

    // A malformed expression is a top-level ValidationException, not a cancellation.
    const malformed = await failure(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'a' } } },
            { Update: { TableName: table, Key: { pk: 'b' }, UpdateExpression: 'SET n = :undefined' } },
          ],
        }),
      ),
    );
    expect(malformed.name).toBe('ValidationException');
    expect(malformed.message).toMatch(/:undefined/);

    const wrongKey = await failure(() =>
      doc.send(
        new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: table, Key: { id: 'a' } } }] }),
      ),
    );
    expect(wrongKey.name).toBe('ValidationException');
    expect(wrongKey.message).toBe('The provided key element does not match the schema');
  });

  it('reports a data-dependent error as a ValidationError cancellation reason', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'a', n: 'not a number' } }));
    const error = await failure(() =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'b' } } },
            {
              Update: {
                TableName: table,
                Key: { pk: 'a' },
                UpdateExpression: 'SET n = n + :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
    );
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' },
    ]);
    expect(await get(table, 'b')).toBeUndefined();
  });
});

describe('ClientRequestToken', () => {
  it('replays a successful request without writing again, for 10 minutes', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'c', n: 0 } }));
    const increment = {
      Update: {
        TableName: table,
        Key: { pk: 'c' },
        UpdateExpression: 'SET n = n + :one',
        ExpressionAttributeValues: { ':one': 1 },
      },
    };
    const send = () =>
      doc.send(new TransactWriteCommand({ ClientRequestToken: 'token-replay', TransactItems: [increment] }));

    await send();
    await send();
    clock += 9 * 60 * 1000;
    await send();
    expect(await get(table, 'c')).toEqual({ pk: 'c', n: 1 });

    clock += 60 * 1000 + 1;
    await send();
    expect(await get(table, 'c')).toEqual({ pk: 'c', n: 2 });
  });

  it('refuses the same token with different parameters', async () => {
    const table = await createTable();
    await doc.send(
      new TransactWriteCommand({
        ClientRequestToken: 'token-mismatch',
        TransactItems: [{ Put: { TableName: table, Item: { pk: 'a' } } }],
      }),
    );
    const error = await failure(() =>
      doc.send(
        new TransactWriteCommand({
          ClientRequestToken: 'token-mismatch',
          TransactItems: [{ Put: { TableName: table, Item: { pk: 'b' } } }],
        }),
      ),
    );
    expect(error.name).toBe('IdempotentParameterMismatchException');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(await get(table, 'b')).toBeUndefined();
  });

  it('does not remember the token of a cancelled transaction', async () => {
    const table = await createTable();
    const send = () =>
      doc.send(
        new TransactWriteCommand({
          ClientRequestToken: 'token-cancelled',
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: { pk: 'gate' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Put: { TableName: table, Item: { pk: 'a' } } },
          ],
        }),
      );
    expect((await failure(send)).name).toBe('TransactionCanceledException');
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'gate' } }));
    await send();
    expect(await get(table, 'a')).toEqual({ pk: 'a' });
  });
});

describe('TransactGetItems', () => {
  it('returns the items in request order, with projections and empty entries for missing items', async () => {
    const a = await createTable();
    const b = await createTable();
    await doc.send(new PutCommand({ TableName: a, Item: { pk: '1', name: 'one', secret: 's' } }));
    await doc.send(new PutCommand({ TableName: b, Item: { pk: '1', name: 'uno' } }));

    const { Responses } = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: b, Key: { pk: '1' } } },
          { Get: { TableName: a, Key: { pk: 'missing' } } },
          {
            Get: {
              TableName: a,
              Key: { pk: '1' },
              ProjectionExpression: '#n',
              ExpressionAttributeNames: { '#n': 'name' },
            },
          },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { pk: '1', name: 'uno' } }, {}, { Item: { name: 'one' } }]);

    const duplicate = await failure(() =>
      doc.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: a, Key: { pk: '1' } } },
            { Get: { TableName: a, Key: { pk: '1' } } },
          ],
        }),
      ),
    );
    expect(duplicate.name).toBe('ValidationException');
    const unknown = await failure(() =>
      doc.send(
        new TransactGetCommand({
          TransactItems: [{ Get: { TableName: 'no-such-table', Key: { pk: '1' } } }],
        }),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
  });

  it('never observes half of a transaction', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'from', balance: 100 } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'to', balance: 0 } }));
    const move = (pk: string, delta: number) => ({
      Update: {
        TableName: table,
        Key: { pk },
        UpdateExpression: 'SET balance = balance + :d',
        ExpressionAttributeValues: { ':d': delta },
      },
    });
    const transfers = Array.from({ length: 50 }, () =>
      doc.send(new TransactWriteCommand({ TransactItems: [move('from', -1), move('to', 1)] })),
    );
    const reads = Array.from({ length: 50 }, () =>
      doc.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: table, Key: { pk: 'from' } } },
            { Get: { TableName: table, Key: { pk: 'to' } } },
          ],
        }),
      ),
    );
    await Promise.all(transfers);
    for (const { Responses } of await Promise.all(reads)) {
      expect(Number(Responses?.[0]?.Item?.balance) + Number(Responses?.[1]?.Item?.balance)).toBe(100);
    }
    expect(await get(table, 'to')).toMatchObject({ balance: 50 });
  });
});

describe('Time to live', () => {
  it('stores and describes the TTL specification', async () => {
    const table = await createTable();
    const describeTtl = async () =>
      (await client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;
    const update = (Enabled: boolean, AttributeName = 'expiresAt') =>
      client.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { Enabled, AttributeName },
        }),
      );

    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect((await update(true)).TimeToLiveSpecification).toEqual({
      Enabled: true,
      AttributeName: 'expiresAt',
    });
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect((await failure(() => update(true))).name).toBe('ValidationException');
    await update(false);
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'DISABLED' });

    const unknown = await failure(() =>
      client.send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');

    // Deleting the table forgets its TTL setting.
    await update(true);
    await client.send(new DeleteTableCommand({ TableName: table }));
    while ((await client.send(new ListTablesCommand({}))).TableNames?.includes(table)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await createTable(client, { name: table });
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'DISABLED' });
  });

  it('sweeps items whose TTL attribute lies in the past', async () => {
    const table = await createTable();
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    const nowSeconds = Math.floor(clock / 1000);
    const items = [
      { pk: 'expired', ttl: nowSeconds - 1 },
      { pk: 'future', ttl: nowSeconds + 3600 },
      { pk: 'no-ttl' },
      { pk: 'string-ttl', ttl: String(nowSeconds - 1) },
      { pk: 'ancient', ttl: nowSeconds - 6 * 365 * 24 * 3600 },
    ];
    for (const Item of items) await doc.send(new PutCommand({ TableName: table, Item }));

    expect(await dynamo.sweepExpiredItems()).toBe(1);
    const { Items } = await doc.send(new ScanCommand({ TableName: table }));
    expect(Items?.map((i) => i.pk).sort()).toEqual(['ancient', 'future', 'no-ttl', 'string-ttl']);

    clock += 3601 * 1000;
    expect(await dynamo.sweepExpiredItems()).toBe(1);
    expect(await get(table, 'future')).toBeUndefined();
  });
});

describe('lifecycle', () => {
  it('keeps data and TTL settings across a restart with the same dataDir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-dynamodb-'));
    try {
      const first = await startEmbeddedDynamo({ dataDir });
      const firstClient = clientFor(first.endpoint);
      const table = await createTable(firstClient, { name: 'persisted' });
      await firstClient.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: table, Item: { pk: { S: 'kept' } } } }],
        }),
      );
      await firstClient.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
        }),
      );
      firstClient.destroy();
      await first.close();

      const second = await startEmbeddedDynamo({ dataDir });
      const secondClient = clientFor(second.endpoint);
      try {
        const { Item } = await secondClient.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: 'kept' } } }),
        );
        expect(Item).toEqual({ pk: { S: 'kept' } });
        const { TimeToLiveDescription } = await secondClient.send(
          new DescribeTimeToLiveCommand({ TableName: table }),
        );
        expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
        const cancelled = await failure(() =>
          secondClient.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: { pk: { S: 'kept' } },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          ),
        );
        expect(cancelled.name).toBe('TransactionCanceledException');
        expect((await secondClient.send(new ListTablesCommand({}))).TableNames).toEqual(['persisted']);
      } finally {
        secondClient.destroy();
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects with a clear error when the port is in use', async () => {
    await expect(startEmbeddedDynamo({ port: dynamo.port })).rejects.toThrow(
      new RegExp(`port ${dynamo.port} is already in use \\(EADDRINUSE\\)`),
    );
  });
});

describe('proxy', () => {
  it('passes other operations through unchanged, keeping status codes and headers', async () => {
    const response = await fetch(dynamo.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.GetItem',
        'X-Amz-Date': '20300101T000000Z',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=x/20300101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: JSON.stringify({ TableName: 'no-such-table', Key: { pk: { S: 'a' } } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(response.headers.get('x-amz-crc32')).toBeTruthy();
    expect(await response.json()).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
    });

    const health = await fetch(dynamo.endpoint);
    expect(health.status).toBe(200);
    expect(await health.text()).toMatch(/^healthy/);
  });
});

describe('concurrency', () => {
  it('lets exactly 30 of 200 parallel transactions take a 30-seat capacity', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'workshop', taken: 0, capacity: 30 } }));

    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: { pk: 'workshop' },
                  UpdateExpression: 'SET taken = taken + :one',
                  ConditionExpression: 'taken < #capacity',
                  ExpressionAttributeNames: { '#capacity': 'capacity' },
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: { pk: `registration-${i}` },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    console.info(`200 concurrent TransactWriteItems took ${elapsed.toFixed(0)} ms`);

    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(30);
    expect(new Set(rejected.map((r) => (r.reason as Error).name))).toEqual(
      new Set(['TransactionCanceledException']),
    );
    expect(await get(table, 'workshop')).toMatchObject({ taken: 30 });
    const { Items } = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    expect(Items?.filter((i) => String(i.pk).startsWith('registration-'))).toHaveLength(30);
  });
});

describe('fault switch', () => {
  it('cancels the next transaction with a TransactionConflict on its first item', async () => {
    const table = await createTable();
    dynamo.faults.failNext('TransactWriteItems', 'TransactionConflict');
    const items = [
      { Put: { TableName: table, Item: { pk: 'a' } } },
      { Put: { TableName: table, Item: { pk: 'b' } } },
    ];
    const error = await failure(() => doc.send(new TransactWriteCommand({ TransactItems: items })));
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
    ]);
    expect(await get(table, 'a')).toBeUndefined();

    await doc.send(new TransactWriteCommand({ TransactItems: items }));
    expect(await get(table, 'a')).toEqual({ pk: 'a' });
  });

  it('fails the next calls with throttling and server errors, then recovers', async () => {
    const table = await createTable();
    const noRetry = DynamoDBDocumentClient.from(clientFor(dynamo.endpoint, { maxAttempts: 1 }));
    const put = () => noRetry.send(new PutCommand({ TableName: table, Item: { pk: 'a' } }));
    try {
      dynamo.faults.failNext('PutItem', 'ThrottlingException');
      dynamo.faults.failNext('PutItem', 'ProvisionedThroughputExceededException');
      dynamo.faults.failNext('PutItem', 'InternalServerError');
      const errors = [await failure(put), await failure(put), await failure(put)];
      expect(errors.map((e) => [e.name, (e.$metadata as { httpStatusCode: number }).httpStatusCode])).toEqual(
        [
          ['ThrottlingException', 400],
          ['ProvisionedThroughputExceededException', 400],
          ['InternalServerError', 500],
        ],
      );
      expect(await get(table, 'a')).toBeUndefined();
      await put();
      expect(await get(table, 'a')).toEqual({ pk: 'a' });

      dynamo.faults.failNext('PutItem', 'ThrottlingException', 5);
      dynamo.faults.clear();
      await put();
    } finally {
      noRetry.destroy();
    }
  });
});
