/**
 * DynamoWaitingList (lambdas/adapters/dynamodb/waiting-list-store.ts) at the SDK boundary
 * (aws-sdk-client-mock): what each transaction writes under which condition, how DynamoDB's cancellation
 * reasons become domain errors, and how the queue is read.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { forgetShardsSeenFull } from '../../lambdas/adapters/dynamodb/seat-shards.js';
import type { RetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { DynamoWaitingList } from '../../lambdas/adapters/dynamodb/waiting-list-store.js';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import { newOutboxEntry } from '../../lambdas/domain/email.js';
import { AlreadyWaiting, RegistrationChanged, TryAgain, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import type { WaitingEntry } from '../../lambdas/domain/waiting-list.js';
import type { PromotionInput } from '../../lambdas/ports.js';
import { awsError, cancelled } from '../support/aws-errors.js';

const ddb = mockClient(DynamoDBDocumentClient);

const sleeps: number[] = [];
const policy: RetryPolicy = {
  maxAttempts: 3,
  budgetMs: 60_000,
  firstDelayMs: 100,
  halvingMs: 50,
  minDelayMs: 10,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
  now: () => 0,
};

const AT = '2030-02-01T12:00:00.000Z';

const registration = (overrides: Partial<StoredRegistration> = {}): StoredRegistration => ({
  id: 'r1',
  eventId: 'dag',
  name: 'Anna',
  email: 'anna@example.nl',
  organisation: 'Gemeente',
  choices: { '1': 'b', '2': 'd' },
  waitingFor: { '1': ['a'] },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2030-01-01T09:00:00.000Z',
  updatedAt: '2030-01-01T09:00:00.000Z',
  version: 3,
  emailHash: 'email-hash',
  manageTokenHash: 'old-hash',
  ...overrides,
});

const preferenceEntry: WaitingEntry = {
  id: 'r1.1',
  eventId: 'dag',
  registrationId: 'r1',
  kind: 'preference',
  wants: { '1': ['a'] },
  joinedAt: '2030-01-05T10:00:00.000Z',
};

const placeEntry: WaitingEntry = {
  id: 'p1.event',
  eventId: 'dag',
  registrationId: 'p1',
  kind: 'place',
  wants: { '1': ['a', 'b'], '2': ['d'] },
  joinedAt: '2030-01-05T11:00:00.000Z',
};

const promotionOf = (
  entry: WaitingEntry,
  current: StoredRegistration,
  takes: Record<string, string>,
): PromotionInput => ({
  entry,
  current,
  takes,
  at: AT,
  manageTokenHash: 'fresh-hash',
  outbox: newOutboxEntry(current.id, current.eventId, 'promotion', current.version + 1, new Date(AT)),
});

/**
 * The seat counters a consistent read finds (`seat-shards.ts`): unsharded items, each with a seat free, b with
 * one of its seats held (a release reads which shard holds seats).
 */
let counters: Record<string, Record<string, unknown>> = {};
const initialCounters = () => ({
  'WORKSHOP#dag#a': { workshopId: 'a', capacity: 5, taken: 4 },
  'WORKSHOP#dag#b': { workshopId: 'b', capacity: 5, taken: 1 },
  'WORKSHOP#dag#d': { workshopId: 'd', capacity: 3, taken: 2 },
});
const mockCounters = () =>
  ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
    Responses: {
      table: (input.RequestItems?.table?.Keys ?? []).flatMap((key) => {
        const item = counters[String(key.pk)];
        return item ? [item] : [];
      }),
    },
  }));

let store: DynamoWaitingList;
beforeEach(() => {
  ddb.reset();
  counters = initialCounters();
  mockCounters();
  // A container that knows nothing of the shards, picking the first one it has not seen full.
  forgetShardsSeenFull();
  vi.spyOn(Math, 'random').mockReturnValue(0);
  sleeps.length = 0;
  store = new DynamoWaitingList(
    createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 }),
    'table',
    policy,
  );
});

const transactItems = (call = 0) =>
  ddb.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems ?? [];

describe('DynamoWaitingList.promote', () => {
  it('a preference: takes the new seat, releases the held one, updates the registration, deletes the entry, owes the email', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const current = registration();
    const next = await store.promote(promotionOf(preferenceEntry, current, { '1': 'a' }));

    const items = transactItems();
    expect(items).toHaveLength(7);
    const [take, release, update, remove, mail, newCode, oldCode] = items;
    // The check-in code rotates with the manage token: the new one's lookup in, the old one's out.
    expect(newCode?.Put?.Item).toEqual({
      pk: `CODE#dag#${checkInCodeOf('fresh-hash')}`,
      sk: 'META',
      type: 'check-in-code',
      eventId: 'dag',
      registrationId: 'r1',
    });
    expect(oldCode?.Delete?.Key).toEqual({ pk: `CODE#dag#${checkInCodeOf('old-hash')}`, sk: 'META' });
    expect(take?.Update).toMatchObject({
      TableName: 'table',
      Key: { pk: 'WORKSHOP#dag#a', sk: 'META' },
      UpdateExpression: 'SET taken = taken + :one',
      ConditionExpression:
        'attribute_exists(pk) AND (taken < #share OR (attribute_not_exists(#share) AND taken < #capacity))',
      ExpressionAttributeNames: { '#share': 'share', '#capacity': 'capacity' },
    });
    expect(release?.Update).toMatchObject({
      Key: { pk: 'WORKSHOP#dag#b', sk: 'META' },
      UpdateExpression: 'SET taken = taken - :one',
      ConditionExpression: 'attribute_exists(pk) AND taken > :zero',
    });
    expect(update?.Update?.Key).toEqual({ pk: 'REG#r1', sk: 'META' });
    // Also on the token read: the code that rotates out is the one the registration has.
    expect(update?.Update?.ConditionExpression).toBe(
      '#status = :status AND version = :version AND manageTokenHash = :tokenRead',
    );
    expect(update?.Update?.UpdateExpression).toContain('REMOVE waitingFor');
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({
      ':status': 'confirmed',
      ':version': 3,
      ':tokenRead': 'old-hash',
      ':next': 4,
      ':confirmed': 'confirmed',
      ':choices': { '1': 'a', '2': 'd' },
      ':hash': 'fresh-hash',
      ':at': AT,
      ':confirmation': { kind: 'promotion', state: 'pending', attempts: 0 },
    });
    // This very entry, not one joined again since under the same id (a lagging index may show the old one).
    expect(remove?.Delete).toEqual({
      TableName: 'table',
      Key: { pk: 'WAIT#dag#r1.1', sk: 'META' },
      ConditionExpression: 'joinedAt = :joinedAt',
      ExpressionAttributeValues: { ':joinedAt': expect.any(String) },
    });
    expect(mail?.Put?.Item).toMatchObject({ pk: 'MAIL#r1.promotion.4', kind: 'promotion', state: 'pending' });
    expect(mail?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.ClientRequestToken).toBeTruthy();

    expect(next).toMatchObject({
      status: 'confirmed',
      choices: { '1': 'a', '2': 'd' },
      manageTokenHash: 'fresh-hash',
      version: 4,
      updatedAt: AT,
    });
    expect(next).not.toHaveProperty('waitingFor');
  });

  it('a preference in one of two rounds keeps the other wait', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const current = registration({ waitingFor: { '1': ['a'], '2': ['e'] } });
    const next = await store.promote(promotionOf(preferenceEntry, current, { '1': 'a' }));
    const update = transactItems()[2]?.Update;
    expect(update?.UpdateExpression).not.toContain('REMOVE');
    expect(update?.ExpressionAttributeValues?.[':waitingFor']).toEqual({ '2': ['e'] });
    expect(next.waitingFor).toEqual({ '2': ['e'] });
  });

  it('a place: a seat per round, nothing released, conditioned on still waiting', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const current = registration({
      id: 'p1',
      status: 'waiting',
      choices: {},
      waitingFor: placeEntry.wants,
      version: 1,
    });
    const next = await store.promote(promotionOf(placeEntry, current, { '1': 'b', '2': 'd' }));

    const items = transactItems();
    expect(items.map((item) => Object.keys(item)[0])).toEqual([
      'Update',
      'Update',
      'Update',
      'Delete',
      'Put',
      // The check-in code of the new seat holder; a waiting registration had none to remove.
      'Put',
    ]);
    expect(items[5]?.Put?.Item?.pk).toBe(`CODE#dag#${checkInCodeOf('fresh-hash')}`);
    expect(items.slice(0, 2).map((item) => item.Update?.Key?.pk)).toEqual([
      'WORKSHOP#dag#b',
      'WORKSHOP#dag#d',
    ]);
    for (const take of items.slice(0, 2)) {
      expect(take.Update?.ConditionExpression).toContain('taken < #share');
    }
    // No release: nothing in the transaction lowers a counter.
    expect(items.filter((item) => item.Update?.UpdateExpression?.includes('taken - :one'))).toEqual([]);
    expect(items[2]?.Update?.Key?.pk).toBe('REG#p1');
    expect(items[2]?.Update?.ExpressionAttributeValues).toMatchObject({
      ':status': 'waiting',
      ':version': 1,
      ':next': 2,
      ':choices': { '1': 'b', '2': 'd' },
    });
    expect(items[2]?.Update?.UpdateExpression).toContain('REMOVE waitingFor');
    expect(items[3]?.Delete?.Key).toEqual({ pk: 'WAIT#dag#p1.event', sk: 'META' });
    expect(next).toMatchObject({ status: 'confirmed', choices: { '1': 'b', '2': 'd' }, version: 2 });
    expect(next).not.toHaveProperty('waitingFor');
  });

  it('a take that failed: WorkshopFull naming exactly that workshop', async () => {
    ddb.on(TransactWriteCommand).callsFake(() => {
      // Someone else took d's last seat first.
      counters['WORKSHOP#dag#d'] = { workshopId: 'd', capacity: 3, taken: 3 };
      throw cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None');
    });
    const current = registration({ id: 'p1', status: 'waiting', choices: {}, version: 1 });
    const attempt = store.promote(promotionOf(placeEntry, current, { '1': 'b', '2': 'd' }));
    await expect(attempt).rejects.toBeInstanceOf(WorkshopFull);
    await expect(attempt).rejects.toMatchObject({ details: { workshopIds: ['d'] } });
  });

  it('a take failing together with the registration condition is still WorkshopFull', async () => {
    ddb.on(TransactWriteCommand).callsFake(() => {
      counters['WORKSHOP#dag#a'] = { workshopId: 'a', capacity: 5, taken: 5 };
      throw cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None', 'None');
    });
    const attempt = store.promote(promotionOf(preferenceEntry, registration(), { '1': 'a' }));
    await expect(attempt).rejects.toMatchObject({ details: { workshopIds: ['a'] } });
  });

  it.each([
    [
      'the registration changed (status or version)',
      ['None', 'None', 'ConditionalCheckFailed', 'None', 'None'],
    ],
    [
      'the entry is gone (promoted or left meanwhile)',
      ['None', 'None', 'None', 'ConditionalCheckFailed', 'None'],
    ],
  ])('%s: RegistrationChanged', async (_, codes) => {
    ddb.on(TransactWriteCommand).rejects(cancelled(...codes));
    await expect(
      store.promote(promotionOf(preferenceEntry, registration(), { '1': 'a' })),
    ).rejects.toBeInstanceOf(RegistrationChanged);
  });

  it('retries a TransactionConflict with the same token, then gives up with TryAgain', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None', 'None'))
      .resolves({});
    await store.promote(promotionOf(preferenceEntry, registration(), { '1': 'a' }));
    const tokens = ddb
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);

    ddb.reset();
    mockCounters();
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict', 'None', 'None', 'None'));
    await expect(
      store.promote(promotionOf(preferenceEntry, registration(), { '1': 'a' })),
    ).rejects.toBeInstanceOf(TryAgain);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(policy.maxAttempts);
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'InternalServerError'])(
    '%s on the transaction: TryAgain',
    async (name) => {
      ddb.on(TransactWriteCommand).rejects(awsError(name));
      await expect(
        store.promote(promotionOf(preferenceEntry, registration(), { '1': 'a' })),
      ).rejects.toBeInstanceOf(TryAgain);
    },
  );
});

describe('DynamoWaitingList.joinPreference and leavePreferences', () => {
  const outbox = newOutboxEntry('r1', 'dag', 'waiting-list-joined', 4, new Date(AT));

  it('joins in one transaction: the registration (conditioned), the entry (if new), the email', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const current = registration({ waitingFor: { '2': ['e'] } });
    const next = await store.joinPreference(current, preferenceEntry, AT, outbox);

    const [update, put, mail] = transactItems();
    expect(update?.Update?.ConditionExpression).toBe('#status = :status AND version = :version');
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({
      ':status': 'confirmed',
      ':version': 3,
      ':next': 4,
      ':waitingFor': { '2': ['e'], '1': ['a'] },
    });
    expect(put?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Put?.Item).toMatchObject({
      pk: 'WAIT#dag#r1.1',
      sk: 'META',
      gsi1pk: 'EVENT#dag#WAITING',
      gsi1sk: '2030-01-05T10:00:00.000Z#r1.1',
      type: 'waiting-entry',
      kind: 'preference',
      registrationId: 'r1',
      wants: { '1': ['a'] },
    });
    expect(mail?.Put?.Item?.pk).toBe('MAIL#r1.waiting-list-joined.4');
    expect(next).toMatchObject({ version: 4, waitingFor: { '1': ['a'], '2': ['e'] } });
  });

  it('an entry that exists already: AlreadyWaiting; the registration moved on: RegistrationChanged', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    await expect(store.joinPreference(registration(), preferenceEntry, AT, outbox)).rejects.toBeInstanceOf(
      AlreadyWaiting,
    );
    ddb.reset();
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'));
    await expect(store.joinPreference(registration(), preferenceEntry, AT, outbox)).rejects.toBeInstanceOf(
      RegistrationChanged,
    );
  });

  it('leaves a round: its entry deleted with the registration, the other wait kept', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const current = registration({ waitingFor: { '1': ['a'], '2': ['e'] } });
    const left = newOutboxEntry('r1', 'dag', 'waiting-list-left', 4, new Date(AT), ['a']);
    const next = await store.leavePreferences(current, ['1'], AT, left);
    const items = transactItems();
    expect(items[0]?.Update?.ExpressionAttributeValues?.[':waitingFor']).toEqual({ '2': ['e'] });
    expect(items[1]?.Delete?.Key).toEqual({ pk: 'WAIT#dag#r1.1', sk: 'META' });
    expect(items[2]?.Put?.Item?.pk).toBe('MAIL#r1.waiting-list-left.4');
    expect(next.waitingFor).toEqual({ '2': ['e'] });

    ddb.reset();
    ddb.on(TransactWriteCommand).resolves({});
    const last = await store.leavePreferences(registration(), ['1'], AT, left);
    expect(transactItems()[0]?.Update?.UpdateExpression).toContain('REMOVE waitingFor');
    expect(last).not.toHaveProperty('waitingFor');
  });
});

describe('DynamoWaitingList queue reads', () => {
  const item = (entry: WaitingEntry) => ({
    pk: `WAIT#${entry.eventId}#${entry.id}`,
    sk: 'META',
    gsi1pk: `EVENT#${entry.eventId}#WAITING`,
    gsi1sk: `${entry.joinedAt}#${entry.id}`,
    type: 'waiting-entry',
    ...entry,
  });
  const entry = (id: string, joinedAt: string): WaitingEntry => ({
    ...preferenceEntry,
    id,
    registrationId: id.split('.')[0] ?? id,
    joinedAt,
  });

  it('reads every page of the event’s index partition and returns the queue in join order', async () => {
    const first = entry('r1.1', '2030-01-01T09:00:00.000Z');
    const tieA = entry('r2.1', '2030-01-01T09:00:01.000Z');
    const tieB = entry('r3.1', '2030-01-01T09:00:01.000Z');
    const last = entry('r4.1', '2030-01-01T09:00:02.000Z');
    const pages = [
      { Items: [item(last), item(first)], LastEvaluatedKey: { pk: 'x', sk: 'y' } },
      { Items: [item(tieB)], LastEvaluatedKey: { pk: 'z', sk: 'w' } },
      { Items: [item(tieA)] },
    ];
    // The start key each page was asked from, as it was at the call (the paginator reuses its input object).
    const startKeys: unknown[] = [];
    ddb.on(QueryCommand).callsFake((input) => {
      startKeys.push(input.ExclusiveStartKey && { ...input.ExclusiveStartKey });
      return pages[startKeys.length - 1];
    });

    const queue = await store.queue('dag');
    expect(queue.map((e) => e.id)).toEqual(['r1.1', 'r2.1', 'r3.1', 'r4.1']);
    expect(queue[0]).toEqual(first);

    const inputs = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(3);
    for (const input of inputs) {
      expect(input).toMatchObject({
        TableName: 'table',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'EVENT#dag#WAITING' },
      });
    }
    expect(startKeys).toEqual([undefined, { pk: 'x', sk: 'y' }, { pk: 'z', sk: 'w' }]);
  });

  it('a place entry keeps its kind and every round it accepts', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(placeEntry)] });
    expect(await store.queue('dag')).toEqual([placeEntry]);
  });

  it('an empty queue is one query', async () => {
    ddb.on(QueryCommand).resolves({});
    expect(await store.queue('dag')).toEqual([]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('getEntry reads strongly consistent, and only a waiting entry', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: item(preferenceEntry) })
      .resolves({ Item: { type: 'registration' } });
    expect(await store.getEntry('dag', 'r1.1')).toEqual(preferenceEntry);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'WAIT#dag#r1.1', sk: 'META' },
      ConsistentRead: true,
    });
    expect(await store.getEntry('dag', 'r1.1')).toBeUndefined();
  });

  it('dropEntry deletes the entry’s item, only while it is the same entry (joined at the same time)', async () => {
    ddb.on(DeleteCommand).resolves({});
    await store.dropEntry(preferenceEntry);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'table',
      Key: { pk: 'WAIT#dag#r1.1', sk: 'META' },
      ConditionExpression: 'joinedAt = :joinedAt',
      ExpressionAttributeValues: { ':joinedAt': preferenceEntry.joinedAt },
    });
    // Joined again since: nothing to drop, and no error.
    ddb
      .on(DeleteCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    await expect(store.dropEntry(preferenceEntry)).resolves.toBeUndefined();
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    '%s on a read or a drop: TryAgain',
    async (name) => {
      ddb.on(QueryCommand).rejects(awsError(name));
      ddb.on(GetCommand).rejects(awsError(name));
      ddb.on(DeleteCommand).rejects(awsError(name));
      await expect(store.queue('dag')).rejects.toBeInstanceOf(TryAgain);
      await expect(store.getEntry('dag', 'r1.1')).rejects.toBeInstanceOf(TryAgain);
      await expect(store.dropEntry(preferenceEntry)).rejects.toBeInstanceOf(TryAgain);
    },
  );

  it('a network error on the queue read is TryAgain; an unexpected error goes through', async () => {
    ddb.on(QueryCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(store.queue('dag')).rejects.toBeInstanceOf(TryAgain);
    ddb.on(QueryCommand).rejects(awsError('ValidationException'));
    await expect(store.queue('dag')).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
