/**
 * The embedded DynamoDB's opt-in model of DynamoDB's transaction conflicts (local/dynamodb/conflict-model.ts).
 * The service time is fixed and long where a test needs a transaction to be holding its items while it acts,
 * and "holding" is observed (a probe is refused), never assumed from a clock.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictModel, conflictModelFromEnv } from '../../local/dynamodb/conflict-model.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb/embedded-dynamodb.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Long enough that a test acts while the transaction still holds its items. */
const HOLD = { serviceTimeMedianMs: 1_500, serviceTimeSigma: 0 };

let dynamo: EmbeddedDynamo;
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ conflictModel: HOLD });
  // One attempt: the SDK must not hide a conflict behind its own retries.
  raw = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  doc = DynamoDBDocumentClient.from(raw);
});

afterAll(async () => {
  raw?.destroy();
  await dynamo?.close();
});

beforeEach(() => dynamo.setConflictModel(HOLD));

async function createTable(): Promise<string> {
  const name = `conflicts-${++tableCount}`;
  await raw.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  while ((await raw.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE');
  return name;
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

const get = async (table: string, pk: string) =>
  (await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item;

const increment = (table: string, pk: string) => ({
  Update: {
    TableName: table,
    Key: { pk },
    UpdateExpression: 'ADD n :one',
    ExpressionAttributeValues: { ':one': 1 },
  },
});

/** A transaction incrementing `pk`, with an optional ClientRequestToken. */
const sendIncrement = (table: string, pk: string, token?: string) =>
  doc.send(new TransactWriteCommand({ TransactItems: [increment(table, pk)], ClientRequestToken: token }));

/** Resolves once an ongoing transaction holds `pk` (a TransactGetItems on it is refused). */
async function heldNow(table: string, pk: string): Promise<void> {
  for (;;) {
    try {
      await doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: table, Key: { pk } } }] }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts a transaction incrementing `pk`; resolves once it holds the item, with `done`, its completion. */
async function holding(table: string, pk: string, token?: string): Promise<{ done: Promise<unknown> }> {
  const done = sendIncrement(table, pk, token);
  done.catch(() => {});
  await heldNow(table, pk);
  return { done };
}

describe('conflict model: transactions', () => {
  it('runs transactions on disjoint items in parallel', async () => {
    // The first transaction holds its item long, the second one briefly.
    const serviceTimes = [HOLD.serviceTimeMedianMs, 1];
    dynamo.setConflictModel({ ...HOLD, drawServiceTimeMs: () => serviceTimes.shift() ?? 1 });
    const table = await createTable();
    let firstDone = false;
    const first = (await holding(table, 'x')).done.then(() => {
      firstDone = true;
    });
    // A second transaction on another item starts, holds and commits while the first still holds x.
    await sendIncrement(table, 'y');
    expect(firstDone).toBe(false);
    expect(await get(table, 'y')).toEqual({ pk: 'y', n: 1 });
    await first;
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 1 });
  });

  it('cancels an overlapping transaction with TransactionConflict at the held positions, None elsewhere', async () => {
    const table = await createTable();
    const { done: first } = await holding(table, 'x');
    const error = await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'fresh' } } },
            increment(table, 'x'),
            {
              ConditionCheck: {
                TableName: table,
                Key: { pk: 'z' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
    ]);
    await first;
    expect(await get(table, 'fresh')).toBeUndefined();
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 1 });
    expect(dynamo.conflictStats()).toMatchObject({ transactionsHeld: 1 });
    expect(dynamo.conflictStats()?.transactionConflicts).toBeGreaterThanOrEqual(2); // the probe and the overlap
  });

  it('keeps the writes invisible until the transaction ends (read committed)', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'x', n: 5 } }));
    const { done: first } = await holding(table, 'x');
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 5 });
    await first;
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 6 });
  });

  it('still cancels on a failed condition, and then holds nothing', async () => {
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'x', n: 1 } }));
    const error = await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ...increment(table, 'x'),
              Update: { ...increment(table, 'x').Update, ConditionExpression: 'n > :one' },
            },
          ],
        }),
      ),
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    // Nothing holds x: a plain write goes through at once.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'x', n: 2 } }));
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 2 });
  });

  it('keeps a capacity exact under 120 parallel transactions, refusing the overlapping ones', async () => {
    dynamo.setConflictModel({ serviceTimeMedianMs: 10 });
    const table = await createTable();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'workshop', taken: 0, capacity: 30 } }));
    const take = async (i: number) => {
      // Each caller retries conflicts a few times, as the application's adapter does.
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await doc.send(
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
                { Put: { TableName: table, Item: { pk: `registration-${i}` } } },
              ],
            }),
          );
          return 'confirmed';
        } catch (error) {
          const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
          if (!reasons.some((r) => r.Code === 'TransactionConflict')) return 'full';
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
        }
      }
      return 'gave up';
    };
    const outcomes = await Promise.all(Array.from({ length: 120 }, (_, i) => take(i)));

    const confirmed = outcomes.filter((o) => o === 'confirmed').length;
    expect(confirmed).toBeLessThanOrEqual(30);
    expect(await get(table, 'workshop')).toMatchObject({ taken: confirmed });
    const { Items } = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    expect(Items?.filter((i) => String(i.pk).startsWith('registration-'))).toHaveLength(confirmed);
    // 120 transactions on one item within moments of each other: some must have met a held counter.
    expect(dynamo.conflictStats()?.transactionConflicts).toBeGreaterThan(0);
    expect(dynamo.conflictStats()?.transactionsHeld).toBe(confirmed);
  });
});

describe('conflict model: the service time is kept by the clock', () => {
  it('frees the items once the service time has passed on the clock, with the first transaction applied first', async () => {
    // The hold's own timer is a minute away; only the clock moves past its end, as when a busy process gets
    // round to ending a hold late. A later transaction must then find the item free and see the first write.
    let clock = Date.now();
    const serviceTimes = [60_000];
    const own = await startEmbeddedDynamo({
      now: () => clock,
      // A minute for the first transaction, a millisecond for every later one.
      conflictModel: { serviceTimeMedianMs: 1, drawServiceTimeMs: () => serviceTimes.shift() ?? 1 },
    });
    const ownRaw = new DynamoDBClient({
      endpoint: own.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const ownDoc = DynamoDBDocumentClient.from(ownRaw);
    try {
      const table = 'clock';
      await ownRaw.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        }),
      );
      while (
        (await ownRaw.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus !== 'ACTIVE'
      );
      const incrementIfAt = (n: number) =>
        ownDoc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  ...increment(table, 'x').Update,
                  ConditionExpression: 'attribute_not_exists(n) OR n = :n',
                  ExpressionAttributeValues: { ':one': 1, ':n': n },
                },
              },
            ],
          }),
        );
      const first = incrementIfAt(0);
      first.catch(() => {});
      // Held: a second transaction before the end of the service time is cancelled.
      for (;;) {
        const error = await failure(incrementIfAt(0)).catch(() => undefined);
        if (error instanceof TransactionCanceledException) {
          expect(error.CancellationReasons?.[0]?.Code).toBe('TransactionConflict');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }

      clock += 60_001;
      // The item is free and holds the first transaction's write (n = 1), applied before this one.
      await incrementIfAt(1);
      // Ended by the second one's request, not by its own timer a minute from now.
      await first;
      const { Item } = await ownDoc.send(
        new GetCommand({ TableName: table, Key: { pk: 'x' }, ConsistentRead: true }),
      );
      expect(Item).toEqual({ pk: 'x', n: 2 });
      expect(own.conflictStats()).toMatchObject({ transactionsHeld: 2 });
    } finally {
      ownRaw.destroy();
      await own.close();
    }
  });
});

describe('conflict model: single-item writes and transactional reads', () => {
  it('refuses PutItem, UpdateItem and DeleteItem on a held item with TransactionConflictException', async () => {
    const table = await createTable();
    const { done: first } = await holding(table, 'x');
    const writes = [
      doc.send(new PutCommand({ TableName: table, Item: { pk: 'x', n: 100 } })),
      doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'x' },
          UpdateExpression: 'SET m = :m',
          ExpressionAttributeValues: { ':m': 1 },
        }),
      ),
      doc.send(new DeleteCommand({ TableName: table, Key: { pk: 'x' } })),
    ];
    for (const write of writes) {
      const error = await failure(write);
      expect(error.name).toBe('TransactionConflictException');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    }
    // Other items are not held.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'y' } }));
    await first;
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 1 });
    expect(dynamo.conflictStats()?.writeConflicts).toBe(3);
  });

  it('cancels a TransactGetItems touching a held item at that position', async () => {
    const table = await createTable();
    const { done: first } = await holding(table, 'x');
    const error = await failure(
      doc.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: table, Key: { pk: 'y' } } },
            { Get: { TableName: table, Key: { pk: 'x' } } },
          ],
        }),
      ),
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    await first;
  });
});

describe('conflict model: ClientRequestToken', () => {
  it('answers a replay while the original holds its items with TransactionInProgressException', async () => {
    const table = await createTable();
    const { done: first } = await holding(table, 'x', 'token-in-flight');
    const replay = await failure(sendIncrement(table, 'x', 'token-in-flight'));
    expect(replay.name).toBe('TransactionInProgressException');
    const changed = await failure(sendIncrement(table, 'y', 'token-in-flight'));
    expect(changed.name).toBe('IdempotentParameterMismatchException');
    await first;
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 1 });
    expect(await get(table, 'y')).toBeUndefined();
  });

  it('replays a committed transaction without applying it again; different parameters are a mismatch', async () => {
    const table = await createTable();
    await (await holding(table, 'x', 'token-done')).done;
    await sendIncrement(table, 'x', 'token-done');
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 1 });
    const changed = await failure(sendIncrement(table, 'y', 'token-done'));
    expect(changed.name).toBe('IdempotentParameterMismatchException');
  });

  it('does not remember a token whose transaction was cancelled by a conflict', async () => {
    const table = await createTable();
    const { done: first } = await holding(table, 'x');
    const error = await failure(sendIncrement(table, 'x', 'token-retry'));
    expect(error).toBeInstanceOf(TransactionCanceledException);
    await first;
    // The retry with the same token is a new attempt, and this time it is applied.
    await sendIncrement(table, 'x', 'token-retry');
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 2 });
  });
});

describe('conflict model: switching and configuration', () => {
  it('queues instead of refusing when switched off', async () => {
    dynamo.setConflictModel(undefined);
    expect(dynamo.conflictStats()).toBeUndefined();
    const table = await createTable();
    await Promise.all(Array.from({ length: 20 }, () => sendIncrement(table, 'x')));
    expect(await get(table, 'x')).toEqual({ pk: 'x', n: 20 });
  });

  it('draws log-normal service times around the median', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const model = new ConflictModel({ serviceTimeMedianMs: 20, serviceTimeSigma: 0.5, random });
    const samples = Array.from({ length: 20_001 }, () => model.serviceTime()).sort((a, b) => a - b);
    expect(samples[10_000]).toBeGreaterThan(19);
    expect(samples[10_000]).toBeLessThan(21);
    // p95 of a log-normal is the median × e^(1.645 σ) ≈ 2.28 × the median.
    expect(samples[19_000]).toBeGreaterThan(20 * 2.1);
    expect(samples[19_000]).toBeLessThan(20 * 2.5);
    expect(samples.every((s) => s > 0)).toBe(true);
    expect(new ConflictModel({ serviceTimeMedianMs: 40, serviceTimeSigma: 0 }).serviceTime()).toBe(40);
    expect(() => new ConflictModel({ serviceTimeMedianMs: 0 })).toThrow(RangeError);
  });

  it('reads the model from the environment, off unless DYNAMODB_CONFLICT_MODEL=on', () => {
    expect(conflictModelFromEnv({})).toBeUndefined();
    expect(conflictModelFromEnv({ DYNAMODB_CONFLICT_MODEL: 'off' })).toBeUndefined();
    expect(conflictModelFromEnv({ DYNAMODB_CONFLICT_MODEL: 'on' })).toEqual({
      serviceTimeMedianMs: 20,
      serviceTimeSigma: 0.5,
    });
    expect(
      conflictModelFromEnv({
        DYNAMODB_CONFLICT_MODEL: 'on',
        DYNAMODB_SERVICE_TIME_MS: '40',
        DYNAMODB_SERVICE_TIME_SIGMA: '0',
      }),
    ).toEqual({ serviceTimeMedianMs: 40, serviceTimeSigma: 0 });
    expect(() => conflictModelFromEnv({ DYNAMODB_CONFLICT_MODEL: 'yes' })).toThrow(/on" or "off/);
    expect(() =>
      conflictModelFromEnv({ DYNAMODB_CONFLICT_MODEL: 'on', DYNAMODB_SERVICE_TIME_MS: '-1' }),
    ).toThrow(/DYNAMODB_SERVICE_TIME_MS/);
  });
});
