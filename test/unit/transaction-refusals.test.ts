import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoEventCatalog } from '../../lambdas/adapters/dynamodb/event-catalog.js';
import {
  AddressInUse,
  type PlannedItem,
  planned,
  refusalOf,
  SeatShardsRefused,
  writeTransaction,
} from '../../lambdas/adapters/dynamodb/transaction-refusals.js';
import { defaultRetryPolicy, TransactionCancelled } from '../../lambdas/adapters/dynamodb/transactions.js';
import {
  AlreadyWaiting,
  CapacityBelowTaken,
  InvalidChoice,
  RegistrationChanged,
} from '../../lambdas/domain/errors.js';
import { fixedClock, sampleDefinition } from '../support/fakes.js';

/**
 * The one mapping of TransactionCanceled reasons to domain errors: each refusal by its item's position, and the
 * order in which answers win when several items failed.
 */

const ddb = mockClient(DynamoDBDocumentClient);

const item = { ConditionCheck: { TableName: 't', Key: { pk: 'x', sk: 'META' }, ConditionExpression: 'c' } };
const failed = (oldItem?: Record<string, unknown>): CancellationReason =>
  oldItem ? { Code: 'ConditionalCheckFailed', Item: oldItem as never } : { Code: 'ConditionalCheckFailed' };
const none: CancellationReason = { Code: 'None' };

const seat = (workshopId: string, roundId?: string, shard = 0) =>
  planned(item, roundId ? { kind: 'seat', workshopId, roundId, shard } : { kind: 'seat', workshopId, shard });
const registration = planned(item, { kind: 'registration-changed' });
const guard = planned(item, { kind: 'address-in-use' });

describe('refusalOf', () => {
  it('reads each refusal at its own position', () => {
    const plan = [seat('a', '1'), seat('b', '2', 3), guard, planned(item)];
    // A full seat shard is not an answer yet: the seat writer tries the workshop's other shards.
    expect(refusalOf([none, failed({ taken: 3 }), none, none], plan)).toMatchObject({
      name: SeatShardsRefused.name,
      takes: [{ workshopId: 'b', shard: 3 }],
    });
    expect(refusalOf([failed(), none, none, none], plan)).toBeInstanceOf(InvalidChoice);
    expect(refusalOf([failed(), none, none, none], plan)).toMatchObject({
      details: [{ roundId: '1', workshopId: 'a', reason: 'unknown-workshop' }],
    });
    const inUse = refusalOf([none, none, failed({ registrationId: { S: 'r9' } }), none], plan);
    expect(inUse).toBeInstanceOf(AddressInUse);
    expect((inUse as AddressInUse).registrationId).toBe('r9');
  });

  it('leaves a failed item without a refusal to the caller', () => {
    expect(
      refusalOf([none, none, none, failed()], [seat('a', '1'), seat('b', '2'), guard, planned(item)]),
    ).toBe(undefined);
    expect(refusalOf([{ Code: 'ValidationError' }], [registration])).toBeUndefined();
  });

  it('tells a vanished workshop (no shard 0) from a shard that does not exist (an unsharded workshop)', () => {
    expect(refusalOf([failed()], [seat('a', '1', 2)])).toMatchObject({
      name: SeatShardsRefused.name,
      takes: [{ workshopId: 'a', shard: 2 }],
    });
    expect(refusalOf([failed()], [seat('a', '1', 0)])).toBeInstanceOf(InvalidChoice);
  });

  it('answers RegistrationChanged before any seat, and a vanished workshop before full shards', () => {
    const plan = [seat('a', '1'), seat('b', '2'), registration];
    expect(refusalOf([failed({ taken: 1 }), none, failed()], plan)).toBeInstanceOf(RegistrationChanged);
    expect(refusalOf([failed({ taken: 1 }), failed(), none], plan)).toMatchObject({
      name: InvalidChoice.name,
      details: [{ roundId: '2', workshopId: 'b', reason: 'unknown-workshop' }],
    });
  });

  it('counts a vanished seat without a round (a promotion) as no seat: a refused shard', () => {
    expect(refusalOf([failed(), failed({ taken: 2 })], [seat('a'), seat('b')])).toMatchObject({
      name: SeatShardsRefused.name,
      takes: [
        { workshopId: 'a', shard: 0 },
        { workshopId: 'b', shard: 0 },
      ],
    });
  });

  it('names every capacity below what is taken, and tells an entry already on the list', () => {
    const capacities = [
      planned(item),
      ...['a', 'b', 'c'].map((id) => planned(item, { kind: 'capacity', workshopId: id })),
    ];
    expect(refusalOf([none, failed(), none, failed()], capacities)).toMatchObject({
      name: CapacityBelowTaken.name,
      details: { workshopIds: ['a', 'c'] },
    });
    expect(
      refusalOf([none, failed()], [registration, planned(item, { kind: 'already-waiting' })]),
    ).toBeInstanceOf(AlreadyWaiting);
  });
});

describe('writeTransaction', () => {
  const client = createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 });
  const policy = { ...defaultRetryPolicy, sleep: async () => {} };
  const cancel = (...reasons: CancellationReason[]) =>
    new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons });
  const plan: PlannedItem[] = [registration, planned(item)];

  beforeEach(() => ddb.reset());

  it('throws the refusal, else the fallback, else the cancellation itself', async () => {
    ddb.on(TransactWriteCommand).rejects(cancel(failed(), none));
    await expect(writeTransaction(client, plan, 'token', policy)).rejects.toBeInstanceOf(RegistrationChanged);
    ddb.on(TransactWriteCommand).rejects(cancel(none, failed()));
    await expect(
      writeTransaction(client, plan, 'token', policy, () => new AlreadyWaiting()),
    ).rejects.toBeInstanceOf(AlreadyWaiting);
    await expect(writeTransaction(client, plan, 'token', policy)).rejects.toBeInstanceOf(
      TransactionCancelled,
    );
  });

  it('sends the items in plan order under the given token', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await writeTransaction(client, plan, 'token-1', policy);
    const input = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(input?.ClientRequestToken).toBe('token-1');
    expect(input?.TransactItems).toEqual([item, item]);
  });
});

describe('DynamoEventCatalog', () => {
  beforeEach(() => ddb.reset());

  it('stamps an event and its workshops with the time of its clock', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    // A new event: no seat counters yet.
    ddb.on(BatchGetCommand).resolves({});
    const clock = fixedClock('2031-05-04T03:02:01.000Z');
    const catalog = new DynamoEventCatalog(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      clock,
    );
    await catalog.putEventDefinition('testdag', sampleDefinition());
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item?.updatedAt).toBe('2031-05-04T03:02:01.000Z');
    expect(items[2]?.Update?.ExpressionAttributeValues?.[':now']).toBe('2031-05-04T03:02:01.000Z');
  });
});
