import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotentRunner,
  type IdempotentRunner,
} from '../../lambdas/adapters/dynamodb/idempotency.js';
import { keyPrefixes } from '../../lambdas/adapters/dynamodb/keys.js';
import { TTL_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-definition.js';
import { IdempotencyKeyReused, RequestInProgress } from '../../lambdas/domain/errors.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

/**
 * The Idempotency-Key store (our persistence on Powertools' `BasePersistenceLayer`) on the embedded DynamoDB:
 * the library's rules hold with records in the single table.
 */
let table: TestTable;
let runner: IdempotentRunner;
const keyPrefix = `${keyPrefixes.idempotency}test`;

beforeAll(async () => {
  table = await startTestTable();
  runner = createIdempotentRunner({
    client: table.documentClient,
    tableName: table.tableName,
    keyPrefix,
    expiresAfterSeconds: 3600,
  });
});
afterAll(async () => table.close());

/** A Lambda context with this much time left: the in-progress record expires with the invocation. */
const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms }) as Context;

async function recordsOf(prefix: string) {
  const { Items = [] } = await table.documentClient.send(new ScanCommand({ TableName: table.tableName }));
  return Items.filter((item) => String(item.pk).startsWith(prefix));
}

describe('the Idempotency-Key store in the single table', () => {
  it('runs once and replays the stored result, from one record in its own partition', async () => {
    let runs = 0;
    const run = async (payload: { seats: number }) => ({ id: `r-${++runs}`, seats: payload.seats });
    const first = await runner({ key: 'replay', payload: { seats: 2 } }, remaining(60_000), run);
    const again = await runner({ key: 'replay', payload: { seats: 2 } }, remaining(60_000), run);
    expect(first).toEqual({ id: 'r-1', seats: 2 });
    expect(again).toEqual(first);
    expect(runs).toBe(1);
    // The attributes Powertools' own DynamoDB persistence writes, so records from before read the same.
    const records = await recordsOf(keyPrefix);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sk: 'META',
      status: 'COMPLETED',
      data: { id: 'r-1', seats: 2 },
      validation: expect.any(String),
      [TTL_ATTRIBUTE]: expect.any(Number),
    });
  });

  it('refuses the same key with another payload, and a key whose first request is still running', async () => {
    await runner({ key: 'reuse', payload: { seats: 1 } }, undefined, async () => 'booked');
    await expect(
      runner({ key: 'reuse', payload: { seats: 3 } }, undefined, async () => 'again'),
    ).rejects.toThrow(IdempotencyKeyReused);

    let release: (value: string) => void = () => undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = runner({ key: 'busy', payload: {} }, remaining(60_000), () => {
      started();
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    });
    await running;
    await expect(
      runner({ key: 'busy', payload: {} }, remaining(60_000), async () => 'second'),
    ).rejects.toThrow(RequestInProgress);
    release('first');
    expect(await first).toBe('first');
  });

  it('lets the next request take over from an invocation that died midway, once its time ran out', async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    // The first invocation had 1 ms left and never finishes.
    void runner({ key: 'died', payload: {} }, remaining(1), () => {
      started();
      return new Promise<string>(() => undefined);
    });
    await running;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await runner({ key: 'died', payload: {} }, remaining(60_000), async () => 'taken over')).toBe(
      'taken over',
    );
  });

  it('remembers no failure: the same key runs again after the first attempt threw', async () => {
    await expect(
      runner({ key: 'failed', payload: {} }, undefined, async () => {
        throw new Error('workshop full');
      }),
    ).rejects.toThrow('workshop full');
    expect(await runner({ key: 'failed', payload: {} }, undefined, async () => 'booked')).toBe('booked');
  });
});
