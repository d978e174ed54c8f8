import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DEFINITION_FRESH_MS, DynamoEventCatalog } from '../../lambdas/adapters/dynamodb/event-catalog.js';
import { forgetShardsSeenFull, SEAT_SHARDS } from '../../lambdas/adapters/dynamodb/seat-shards.js';
import type { RetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import {
  AlreadyRegistered,
  CapacityBelowTaken,
  InvalidChoice,
  RegistrationChanged,
  RegistrationErased,
  TryAgain,
  WorkshopFull,
} from '../../lambdas/domain/errors.js';
import type { NewRegistration } from '../../lambdas/ports.js';
import { awsError, cancelled } from '../support/aws-errors.js';
import { fixedClock, sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);

const sleeps: number[] = [];
/** A clock that only the policy's sleeps move. */
let clock = 0;
const policy: RetryPolicy = {
  maxAttempts: 4,
  budgetMs: 60_000,
  firstDelayMs: 20,
  halvingMs: 10,
  minDelayMs: 5,
  sleep: async (ms) => {
    sleeps.push(ms);
    clock += ms;
  },
  random: () => 0.5,
  now: () => clock,
};

const newRegistration = (): NewRegistration => ({
  registration: {
    id: 'r1',
    eventId: 'testdag',
    name: 'Anna',
    email: 'anna@example.nl',
    organisation: 'Org',
    choices: { '1': 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  },
  emailHash: 'hash',
  manageTokenHash: 'tokenhash',
});

type Counter =
  /** A workshop item written before the seat shards. */
  | { capacity: number; taken: number }
  /** A sharded workshop: [share, taken] of each shard. */
  | { capacity: number; shards: [number, number][] };

/**
 * The seat counters a consistent read finds, by key (`seat-shards.ts`): by default workshop items without shards,
 * a and c with a seat held (a release reads which shard holds seats), b full. The n-th read finds the n-th of
 * `phases` (the last one from then on).
 */
function mockCounters(...phases: Record<string, Counter>[]) {
  let reads = 0;
  ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
    const phase = phases[Math.min(reads++, phases.length - 1)] ?? {};
    const all: Record<string, Counter> = {
      a: { capacity: 2, taken: 1 },
      b: { capacity: 1, taken: 1 },
      c: { capacity: 5, taken: 1 },
      ...phase,
    };
    return {
      Responses: {
        table: (input.RequestItems?.table?.Keys ?? []).flatMap((key): Record<string, unknown>[] => {
          const [, , workshopId = '', shardPart] = String(key.pk).split('#');
          const shard = Number(shardPart ?? 0);
          const counter = all[workshopId];
          if (!counter) return [];
          if (!('shards' in counter))
            return shard === 0 ? [{ workshopId, capacity: counter.capacity, taken: counter.taken }] : [];
          const held = counter.shards[shard];
          if (!held) return [];
          const [share, taken] = held;
          return [
            shard === 0
              ? { workshopId, capacity: counter.capacity, share, taken }
              : { workshopId, shard, share, taken },
          ];
        }),
      },
    };
  });
}

/** Five seats of c over five shards, `taken` of each as given. */
const cOverFiveShards = (...taken: number[]): Counter => ({
  capacity: 5,
  shards: taken.map((held) => [1, held]),
});

beforeEach(() => {
  // A container that knows nothing of the shards, picking the first one it has not seen full.
  forgetShardsSeenFull();
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

describe('DynamoStore.createRegistration', () => {
  let store: DynamoStore;
  beforeEach(() => {
    ddb.reset();
    mockCounters();
    sleeps.length = 0;
    store = new DynamoStore(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      policy,
    );
  });

  it('writes seats, email guard and registration in one transaction, with the registration id as token', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.createRegistration(newRegistration());
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.ClientRequestToken).toBe('r1');
    const items = input?.TransactItems ?? [];
    expect(items).toHaveLength(5);
    expect(items[0]?.Update?.ConditionExpression).toContain('taken < #share');
    expect(items[0]?.Update?.Key).toEqual({ pk: 'WORKSHOP#testdag#a', sk: 'META' });
    expect(items[1]?.Update?.Key).toEqual({ pk: 'WORKSHOP#testdag#c', sk: 'META' });
    expect(items[2]?.Put?.Item?.pk).toBe('EMAIL#testdag#hash');
    expect(items[2]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[3]?.Put?.Item).toMatchObject({
      pk: 'REG#r1',
      manageTokenHash: 'tokenhash',
      status: 'confirmed',
    });
    expect(String(items[3]?.Put?.Item?.gsi1pk)).toMatch(/^EVENT#testdag#REGS#\d$/);
    // Last: the check-in code's lookup item, naming the registration only.
    expect(items[4]?.Put?.Item).toEqual({
      pk: `CODE#testdag#${checkInCodeOf('tokenhash')}`,
      sk: 'META',
      type: 'check-in-code',
      eventId: 'testdag',
      registrationId: 'r1',
    });
  });

  it('a full seat shard is not WORKSHOP_FULL: another shard is tried at once, under a new token', async () => {
    mockCounters({ c: cOverFiveShards(0, 0, 0, 0, 0) });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        cancelled('None', { Code: 'ConditionalCheckFailed', Item: { taken: 1, share: 1 } }, 'None', 'None'),
      )
      .resolves({});
    await store.createRegistration(newRegistration());
    const calls = ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input);
    // The first shard not seen full (random 0): shard 0, then shard 1.
    expect(calls.map((input) => input.TransactItems?.[1]?.Update?.Key?.pk)).toEqual([
      'WORKSHOP#testdag#c',
      'WORKSHOP#testdag#c#1',
    ]);
    expect(calls[0]?.ClientRequestToken).toBe('r1');
    expect(calls[1]?.ClientRequestToken).not.toBe('r1');
    expect(sleeps).toEqual([]);
    // One read: the workshops this container had not seen yet.
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('never tries a shard that does not exist (a workshop item from before the shards is one shard)', async () => {
    mockCounters();
    ddb.on(TransactWriteCommand).resolves({});
    await store.createRegistration(newRegistration());
    const [items] = ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems);
    expect(items?.[0]?.Update?.Key).toEqual({ pk: 'WORKSHOP#testdag#a', sk: 'META' });
    expect(items?.[1]?.Update?.Key).toEqual({ pk: 'WORKSHOP#testdag#c', sk: 'META' });
  });

  it('WORKSHOP_FULL only when every shard was refused and a consistent read finds the workshop full', async () => {
    // Read with room in every shard; others take them all before this registration's transactions.
    mockCounters({ c: cOverFiveShards(0, 0, 0, 0, 0) }, { c: cOverFiveShards(1, 1, 1, 1, 1) });
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled('None', { Code: 'ConditionalCheckFailed', Item: { taken: 1 } }, 'None', 'None'));
    const attempt = store.createRegistration(newRegistration());
    await expect(attempt).rejects.toBeInstanceOf(WorkshopFull);
    await expect(attempt).rejects.toMatchObject({ details: { workshopIds: ['c'] } });
    const shardsTried = ddb
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.TransactItems?.[1]?.Update?.Key?.pk);
    expect(shardsTried.sort()).toEqual([
      'WORKSHOP#testdag#c',
      ...[1, 2, 3, 4].map((shard) => `WORKSHOP#testdag#c#${shard}`),
    ]);
    const reads = ddb.commandCalls(BatchGetCommand);
    expect(reads).toHaveLength(2);
    expect(reads[1]?.args[0].input.RequestItems?.table?.ConsistentRead).toBe(true);
  });

  it('a shard freed meanwhile is found by that read, and the seat is taken', async () => {
    mockCounters({ c: cOverFiveShards(1, 1, 1, 1, 0) }, { c: cOverFiveShards(1, 1, 0, 1, 1) });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', { Code: 'ConditionalCheckFailed', Item: { taken: 1 } }, 'None', 'None'))
      .resolves({});
    await store.createRegistration(newRegistration());
    const shardsTried = ddb
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.TransactItems?.[1]?.Update?.Key?.pk);
    expect(shardsTried).toEqual(['WORKSHOP#testdag#c#4', 'WORKSHOP#testdag#c#2']);
  });

  it('a workshop refused as full is read first next time: still full, refused without a transaction', async () => {
    mockCounters({ c: { capacity: 5, taken: 4 } }, { c: { capacity: 5, taken: 5 } });
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled('None', { Code: 'ConditionalCheckFailed', Item: { taken: 5 } }, 'None', 'None'));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(WorkshopFull);
    const transactions = ddb.commandCalls(TransactWriteCommand).length;
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);

    // Every chosen counter is read (consistently, in one batch), so the refusal names every full one, as the
    // transaction would.
    mockCounters({ a: { capacity: 2, taken: 2 }, c: { capacity: 5, taken: 5 } });
    const again = store.createRegistration(newRegistration());
    await expect(again).rejects.toMatchObject({ details: { workshopIds: ['a', 'c'] } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(transactions);
    const read = ddb.commandCalls(BatchGetCommand)[2];
    expect(read?.args[0].input.RequestItems?.table).toMatchObject({ ConsistentRead: true });
    // Every seat shard of both workshops, in one request.
    expect(read?.args[0].input.RequestItems?.table?.Keys).toHaveLength(2 * SEAT_SHARDS);

    // Seats came free since: the transaction takes them, and the counters are no longer read first.
    mockCounters({ a: { capacity: 5, taken: 4 }, c: { capacity: 5, taken: 4 } });
    ddb.on(TransactWriteCommand).resolves({});
    await store.createRegistration(newRegistration());
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(transactions + 1);
    await store.createRegistration(newRegistration());
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(4);
  });

  it('maps a failed email guard to ALREADY_REGISTERED', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None'));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(AlreadyRegistered);
  });

  it('maps a workshop that no longer exists to INVALID_CHOICE', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled({ Code: 'ConditionalCheckFailed' }, 'None', 'None', 'None'));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(InvalidChoice);
  });

  it('retries a TransactionConflict with jittered backoff and the same token', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None'))
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None', 'None'))
      .resolves({});
    await store.createRegistration(newRegistration());
    const tokens = ddb
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens).toEqual(['r1', 'r1', 'r1']);
    // Waits of 3/4 of the ceiling (random 0.5), which halves every 10 ms of trying: 20 at first, then 20 / 2^1.5
    // (an older request tries sooner than a newcomer).
    expect(sleeps).toEqual([15, 5]);
  });

  it('leaves a seat shard another transaction is writing for another one at once, under a new token', async () => {
    mockCounters({ c: cOverFiveShards(0, 0, 0, 0, 0) });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None', 'None'))
      .resolves({});
    await store.createRegistration(newRegistration());
    const calls = ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TransactItems?.[1]?.Update?.Key?.pk)).toEqual([
      'WORKSHOP#testdag#c',
      'WORKSHOP#testdag#c#1',
    ]);
    expect(calls[0]?.ClientRequestToken).toBe('r1');
    expect(calls[1]?.ClientRequestToken).not.toBe('r1');
    // No wait: a wait would put the registration behind later arrivals.
    expect(sleeps).toEqual([]);
  });

  it('waits a seat conflict out once every other shard was busy too', async () => {
    mockCounters({ c: cOverFiveShards(0, 0, 0, 0, 0) });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict', 'None', 'None'));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(TryAgain);
    const shards = ddb
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.TransactItems?.[1]?.Update?.Key?.pk);
    // Shards 0 to 4 once each, then shard 4 waited for under the policy: its attempts in all.
    expect(shards).toEqual([
      'WORKSHOP#testdag#c',
      'WORKSHOP#testdag#c#1',
      'WORKSHOP#testdag#c#2',
      'WORKSHOP#testdag#c#3',
      ...Array.from({ length: policy.maxAttempts }, () => 'WORKSHOP#testdag#c#4'),
    ]);
    expect(sleeps).toHaveLength(policy.maxAttempts - 1);
  });

  it('gives up on persistent conflicts with TRY_AGAIN', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None', 'None'));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(TryAgain);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(policy.maxAttempts);
  });

  it('gives up with TRY_AGAIN when the next wait would pass the time budget', async () => {
    const budgeted = new DynamoStore(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      { ...policy, maxAttempts: 1_000, budgetMs: 40, random: () => 1 },
    );
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None', 'None'));
    await expect(budgeted.createRegistration(newRegistration())).rejects.toBeInstanceOf(TryAgain);
    // Waits of the whole ceiling (random 1): 20, then at the 5 ms minimum (40 ms, the whole budget); the next 5
    // would end after it.
    expect(sleeps).toEqual([20, 5, 5, 5, 5]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(6);
  });

  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'InternalServerError',
    'TimeoutError',
  ])('turns %s (after the SDK retried) into TRY_AGAIN', async (name) => {
    ddb.on(TransactWriteCommand).rejects(awsError(name));
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(TryAgain);
  });

  it('turns a network error into TRY_AGAIN', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    ddb.on(TransactWriteCommand).rejects(reset);
    await expect(store.createRegistration(newRegistration())).rejects.toBeInstanceOf(TryAgain);
  });

  it('lets an unexpected error through for the 500 path', async () => {
    ddb.on(TransactWriteCommand).rejects(awsError('ValidationException'));
    await expect(store.createRegistration(newRegistration())).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('DynamoStore events', () => {
  let store: DynamoStore;
  beforeEach(() => {
    ddb.reset();
    mockCounters();
    store = new DynamoStore(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      policy,
    );
  });

  it('reads the definition and the live counters, retrying unprocessed keys', async () => {
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition() } });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { table: [{ workshopId: 'a', capacity: 2, taken: 1 }] },
        UnprocessedKeys: { table: { Keys: [{ pk: 'WORKSHOP#testdag#b', sk: 'META' }] } },
      })
      .resolves({
        Responses: {
          table: [
            { workshopId: 'b', capacity: 1, taken: 1 },
            { workshopId: 'c', capacity: 5, taken: 0 },
          ],
        },
      });
    const event = await store.getEvent('testdag');
    expect(event?.seats.get('a')).toEqual({ capacity: 2, taken: 1 });
    expect(event?.seats.get('b')).toEqual({ capacity: 1, taken: 1 });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('parses a definition once: a later read fetches its revision with the counters, and re-reads it when changed', async () => {
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition(), revision: 'r1' } });
    const counters = [
      { workshopId: 'a', capacity: 2, taken: 1 },
      { workshopId: 'b', capacity: 1, taken: 0 },
      { workshopId: 'c', capacity: 5, taken: 0 },
    ];
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [{ revision: 'r1' }, ...counters] } });
    await store.getEvent('revised');
    const again = await store.getEvent('revised');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(again?.seats.get('a')).toEqual({ capacity: 2, taken: 1 });
    const [, warm] = ddb.commandCalls(BatchGetCommand);
    expect(warm?.args[0].input.RequestItems?.table?.Keys?.[0]).toEqual({ pk: 'EVENT#revised', sk: 'META' });
    expect(warm?.args[0].input.RequestItems?.table?.ConsistentRead).toBe(true);

    // An organiser changed the event (a new revision): read and parsed again.
    const closed = sampleDefinition({ registration: { closesAt: '2020-01-01T00:00:00Z' } });
    ddb.on(GetCommand).resolves({ Item: { definition: closed, revision: 'r2' } });
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [{ revision: 'r2' }, ...counters] } });
    const changed = await store.getEvent('revised');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    expect(changed?.definition.registration.closesAt).toBe('2020-01-01T00:00:00Z');
  });

  it('a registration uses a definition confirmed within the last second without reading, then reads it again', async () => {
    let now = 0;
    const catalog = new DynamoEventCatalog(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      fixedClock(),
      policy,
      () => now,
    );
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition(), revision: 'r1' } });
    expect((await catalog.getDefinition('fresh'))?.title).toBe(sampleDefinition().title);
    now = DEFINITION_FRESH_MS - 1;
    await catalog.getDefinition('fresh');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    now = DEFINITION_FRESH_MS;
    ddb.on(GetCommand).resolves({});
    await expect(catalog.getDefinition('fresh')).resolves.toBeUndefined();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    // A put through this container is seen at once.
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition(), revision: 'r2' } });
    await catalog.getDefinition('fresh');
    ddb.on(TransactWriteCommand).resolves({});
    await catalog.putEventDefinition('fresh', sampleDefinition());
    await catalog.getDefinition('fresh');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(4);
  });

  it('an email reads the definition as stored now: the revision alone when known, never the seat shards', async () => {
    const catalog = new DynamoEventCatalog(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      fixedClock(),
      policy,
      () => 0,
    );
    ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition(), revision: 'r1' } });
    await catalog.getDefinition('current', { current: true });
    // Known and confirmed a moment ago: still read, but only its revision.
    ddb.on(GetCommand).resolves({ Item: { revision: 'r1' } });
    expect((await catalog.getDefinition('current', { current: true }))?.title).toBe(sampleDefinition().title);
    const calls = ddb.commandCalls(GetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toMatchObject({ ConsistentRead: true, ProjectionExpression: 'revision' });
    // Changed elsewhere: the new definition is read whole.
    const moved = sampleDefinition({ title: 'Verplaatst' });
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { revision: 'r2' } })
      .resolves({ Item: { definition: moved, revision: 'r2' } });
    expect((await catalog.getDefinition('current', { current: true }))?.title).toBe('Verplaatst');
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
  });

  it('returns undefined for an unknown event', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(store.getEvent('nope')).resolves.toBeUndefined();
  });

  it('turns read throttling into TRY_AGAIN', async () => {
    ddb.on(GetCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(store.getEvent('testdag')).rejects.toBeInstanceOf(TryAgain);
  });

  it('refuses a capacity below what is taken with CAPACITY_BELOW_TAKEN naming the workshop, writing nothing', async () => {
    // The shards are read first (consistently): b holds 2 seats, the definition gives it 1.
    mockCounters({ b: { capacity: 3, taken: 2 } });
    ddb.on(TransactWriteCommand).resolves({});
    const attempt = store.putEventDefinition('testdag', sampleDefinition());
    await expect(attempt).rejects.toBeInstanceOf(CapacityBelowTaken);
    await expect(attempt).rejects.toMatchObject({ details: { workshopIds: ['b'] } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a shard condition failed by a registration racing the put is read and spread again, not refused', async () => {
    // Items: the event, the event registry, then the workshops' shards.
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed'))
      .resolves({});
    await store.putEventDefinition('testdag', sampleDefinition());
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
  });
});
describe('DynamoStore.changeChoices and cancelRegistration', () => {
  let store: DynamoStore;
  const current = () => ({
    ...newRegistration().registration,
    version: 3,
    emailHash: 'hash',
    manageTokenHash: 'x',
  });
  beforeEach(() => {
    ddb.reset();
    // b has a seat free.
    mockCounters({ b: { capacity: 2, taken: 1 } });
    store = new DynamoStore(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      policy,
    );
  });

  it('touches only the rounds that change, conditioned on the version it read', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const next = await store.changeChoices(current(), { '1': 'b', '2': 'c' }, '2030-01-02T00:00:00.000Z');
    expect(next).toMatchObject({ choices: { '1': 'b', '2': 'c' }, version: 4 });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => item.Update?.Key?.pk)).toEqual([
      'WORKSHOP#testdag#b',
      'WORKSHOP#testdag#a',
      'REG#r1',
    ]);
    expect(items[0]?.Update?.ConditionExpression).toContain('taken < #share');
    expect(items[1]?.Update?.ConditionExpression).toContain('taken > :zero');
    expect(items[2]?.Update?.ExpressionAttributeValues).toMatchObject({ ':version': 3, ':next': 4 });
  });

  it('does nothing when no round changes', async () => {
    await store.changeChoices(current(), { '1': 'a' }, 'now');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('maps a full target to WORKSHOP_FULL', async () => {
    // b's last seat goes to someone else before this transaction.
    mockCounters({ b: { capacity: 2, taken: 1 } }, { b: { capacity: 2, taken: 2 } });
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled({ Code: 'ConditionalCheckFailed', Item: { taken: 1 } }, 'None', 'None'));
    await expect(store.changeChoices(current(), { '1': 'b' }, 'now')).rejects.toBeInstanceOf(WorkshopFull);
  });

  it('maps a registration moved meanwhile to RegistrationChanged', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    await expect(store.changeChoices(current(), { '1': 'b' }, 'now')).rejects.toBeInstanceOf(
      RegistrationChanged,
    );
  });

  it('cancels in one transaction: status, every seat, the email guard', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const cancelledRegistration = await store.cancelRegistration(current(), 'now', 'attendee');
    expect(cancelledRegistration).toMatchObject({ status: 'cancelled', cancelledBy: 'attendee', version: 4 });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(4);
    expect(items[0]?.Update?.ConditionExpression).toBe('#status = :status AND version = :version');
    expect(items[0]?.Update?.ExpressionAttributeValues?.[':status']).toBe('confirmed');
    expect(items[3]?.Delete?.Key?.pk).toBe('EMAIL#testdag#hash');
  });

  it('reports a registration changed meanwhile', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'));
    await expect(store.cancelRegistration(current(), 'now', 'attendee')).rejects.toBeInstanceOf(
      RegistrationChanged,
    );
  });
});

describe('DynamoStore.replaceManageToken', () => {
  let store: DynamoStore;
  const stored = (extra: Record<string, unknown> = {}) => ({
    pk: 'REG#r1',
    sk: 'META',
    type: 'registration',
    ...newRegistration().registration,
    version: 3,
    manageTokenHash: 'old-hash',
    ...extra,
  });
  beforeEach(() => {
    ddb.reset();
    store = new DynamoStore(
      createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
      'table',
      policy,
    );
  });

  it('confirmed: the token and the code rotation in one transaction, on the status and token read', async () => {
    ddb.on(GetCommand).resolves({ Item: stored() });
    ddb.on(TransactWriteCommand).resolves({});
    await store.replaceManageToken('r1', 'new-hash');
    const [update, newCode, oldCode] =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(update?.Update?.ConditionExpression).toBe('#status = :status AND manageTokenHash = :tokenRead');
    expect(update?.Update?.ExpressionAttributeValues).toEqual({
      ':hash': 'new-hash',
      ':status': 'confirmed',
      ':tokenRead': 'old-hash',
    });
    expect(newCode?.Put?.Item?.pk).toBe(`CODE#testdag#${checkInCodeOf('new-hash')}`);
    expect(oldCode?.Delete?.Key?.pk).toBe(`CODE#testdag#${checkInCodeOf('old-hash')}`);
  });

  it('waiting: no code to rotate, one conditional update', async () => {
    ddb.on(GetCommand).resolves({ Item: stored({ status: 'waiting', choices: {} }) });
    ddb.on(UpdateCommand).resolves({});
    await store.replaceManageToken('r1', 'new-hash');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression).toBe(
      '#status = :status AND manageTokenHash = :tokenRead',
    );
  });

  it('reads again after a write that moved first, and gives up after three tries', async () => {
    ddb.on(GetCommand).resolves({ Item: stored() });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    await expect(store.replaceManageToken('r1', 'new-hash')).rejects.toBeInstanceOf(RegistrationChanged);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(3);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('erased meanwhile: no token and no code written', async () => {
    ddb.on(GetCommand).resolves({
      Item: stored({ manageTokenHash: '', personalDataRemoved: { at: 'now', reason: 'request' } }),
    });
    await expect(store.replaceManageToken('r1', 'new-hash')).rejects.toBeInstanceOf(RegistrationErased);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
