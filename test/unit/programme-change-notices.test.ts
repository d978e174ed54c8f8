import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoEventCatalog } from '../../lambdas/adapters/dynamodb/event-catalog.js';
import { DynamoProgrammeNotices } from '../../lambdas/adapters/dynamodb/programme-notices.js';
import { defaultRetryPolicy, type RetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { newOutboxEntry } from '../../lambdas/domain/email.js';
import { CapacityBelowTaken } from '../../lambdas/domain/errors.js';
import type { ProgrammeChange } from '../../lambdas/domain/programme-change.js';
import { type AffectedRegistration, noticeLists, noticesOf } from '../../lambdas/domain/programme-notice.js';
import { cancelled } from '../support/aws-errors.js';
import { fixedClock, sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);
const client = () => createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 });
const policy: RetryPolicy = { ...defaultRetryPolicy, sleep: async () => {} };

const venue: ProgrammeChange = { scope: 'event', field: 'venue', from: 'Stadhuis', to: 'Raadhuis' };
const speakersOfA: ProgrammeChange = {
  scope: 'workshop',
  workshopId: 'a',
  field: 'speakers',
  from: 'Spreker A',
  to: 'Spreker D',
};
const affected = (count: number): AffectedRegistration[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `reg-${i}`,
    changes: i % 2 === 0 ? [venue] : [venue, speakersOfA],
  }));

type Item = { Put?: { Item: Record<string, unknown> }; Update?: unknown };
const transactionsSent = () =>
  ddb.commandCalls(TransactWriteCommand).map((call) => (call.args[0].input.TransactItems ?? []) as Item[]);
const otherWrites = () =>
  ddb.commandCalls(PutCommand).length +
  ddb.commandCalls(UpdateCommand).length +
  ddb.commandCalls(BatchWriteCommand).length;

/** The workshops' seat counters as a put reads them first (unsharded items, `seat-shards.ts`). */
const counters = (takenOfA: number) => ({
  Responses: {
    table: [
      { workshopId: 'a', capacity: 2, taken: takenOfA },
      { workshopId: 'b', capacity: 1, taken: 0 },
      { workshopId: 'c', capacity: 5, taken: 0 },
    ],
  },
});

beforeEach(() => {
  ddb.reset();
  ddb.on(BatchGetCommand).resolves(counters(0));
});

describe('programme-change notices commit with the event update', () => {
  it('the update and its notice lists are one transaction: a crash after the update cannot lose them', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const catalog = new DynamoEventCatalog(client(), 'table', fixedClock(), policy);
    await catalog.putEventDefinition('testdag', sampleDefinition({ venue: 'Raadhuis' }), {
      noticeId: 'notice-1',
      affected: affected(3),
    });
    const [items, ...more] = transactionsSent();
    expect(more).toEqual([]);
    expect(otherWrites()).toBe(0);
    const event = items?.find((item) => item.Put?.Item.type === 'event');
    expect(event?.Put?.Item.definition).toMatchObject({ venue: 'Raadhuis' });
    const lists = (items ?? []).filter((item) => item.Put?.Item.kind === 'programme-change');
    expect(lists).toHaveLength(1);
    const list = lists[0]?.Put?.Item as Record<string, unknown> & Parameters<typeof noticesOf>[0];
    expect(list).toMatchObject({ pk: 'MSG#testdag#notice-1', messageId: 'notice-1', eventId: 'testdag' });
    expect(String(list.sk)).toMatch(/^RECIPIENTS#/);
    expect(noticesOf(list)).toEqual(affected(3));
  });

  it('a refused update leaves no notice behind, and nothing is written outside its transaction', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled('None', 'None', 'ConditionalCheckFailed', 'None', 'None', 'None'));
    // Registrations took a's seats while the put was under way: read again, its capacity is below them.
    ddb.on(BatchGetCommand).resolvesOnce(counters(0)).resolves(counters(3));
    const catalog = new DynamoEventCatalog(client(), 'table', fixedClock(), policy);
    await expect(
      catalog.putEventDefinition('testdag', sampleDefinition(), { noticeId: 'n', affected: affected(2) }),
    ).rejects.toBeInstanceOf(CapacityBelowTaken);
    expect(otherWrites()).toBe(0);
    expect(transactionsSent()).toHaveLength(1);
    for (const items of transactionsSent()) {
      expect(items.some((item) => item.Put?.Item.type === 'event')).toBe(true);
      expect(items.some((item) => item.Put?.Item.kind === 'programme-change')).toBe(true);
    }
  });

  it('lists fit beside the update in one transaction of at most 100 items, each registration once', () => {
    const many = affected(80_000);
    const lists = noticeLists(many, 2 + 30);
    expect(lists.length).toBeLessThanOrEqual(100 - 32);
    expect(lists.flatMap(noticesOf)).toEqual(many);
    // The change sets are stored once per list, not once per registration.
    expect(lists.every((list) => list.changeSets.length === 2)).toBe(true);
    expect(noticeLists(affected(1_200), 5).map((list) => list.registrationIds.length)).toEqual([
      500, 500, 200,
    ]);
    expect(noticeLists([], 5)).toEqual([]);
  });
});

describe('a notice list fanned out again writes no email twice', () => {
  const current = {
    id: 'reg-1',
    eventId: 'testdag',
    name: 'Anna',
    email: 'anna@example.nl',
    organisation: 'Gemeente Oss',
    choices: { '1': 'a' },
    status: 'confirmed' as const,
    locale: 'nl' as const,
    createdAt: '2030-01-01T10:00:00.000Z',
    updatedAt: '2030-01-01T10:00:00.000Z',
    version: 3,
    manageTokenHash: 'x',
  };
  const entry = newOutboxEntry('reg-1', 'testdag', 'programme-change', 4, new Date());

  it('tells an entry written before (a retried list) from a registration that changed meanwhile', async () => {
    const notices = new DynamoProgrammeNotices(client(), 'table');
    ddb
      .on(TransactWriteCommand)
      .resolvesOnce({})
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    await expect(notices.notify(current as never, entry)).resolves.toBe('written');
    await expect(notices.notify(current as never, entry)).resolves.toBe('exists');
    await expect(notices.notify(current as never, entry)).resolves.toBe('changed');
  });
});
