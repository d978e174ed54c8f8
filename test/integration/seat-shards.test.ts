import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { forgetShardsSeenFull } from '../../lambdas/adapters/dynamodb/seat-shards.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { CapacityBelowTaken, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { type RegisterCommand, register } from '../../lambdas/use-cases/register.js';
import { invariantViolations, readEventState } from '../model/invariants.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { sampleDefinition } from '../support/fakes.js';

/**
 * Issue 21 §3: a workshop's seats spread over several counter items (seat shards), against the embedded
 * DynamoDB. The table is read raw (test/model/invariants.ts): each shard's taken within its share, the shares
 * adding up to the capacity, the sum of taken equal to the confirmed holders.
 */

let table: TestTable;
let store: DynamoStore;
const deps = () => ({ events: store, registrations: store, clock: systemClock, secrets: cryptoSecrets });

const workshop = (id: string, capacity: number) => ({
  id,
  title: id,
  description: '',
  speakers: [],
  capacity,
});

/** The sample event with one workshop per round: a in round 1, c in round 2 (and `more` in round 1). */
const definition = (
  capacities: { a: number; c: number },
  more: ReturnType<typeof workshop>[] = [],
): EventDefinition =>
  sampleDefinition({
    rounds: [
      { id: '1', title: 'Ronde 1', workshops: [workshop('a', capacities.a), ...more] },
      { id: '2', title: 'Ronde 2', workshops: [workshop('c', capacities.c)] },
    ],
  });

let people = 0;
const attendee = (eventId: string): RegisterCommand => {
  people++;
  return {
    eventId,
    name: `Deelnemer ${people}`,
    email: `deelnemer${people}@example.nl`,
    organisation: 'Gemeente',
    choices: { '1': 'a', '2': 'c' },
    locale: 'nl',
  };
};

async function stateOf(eventId: string) {
  const state = await readEventState(table.documentClient, table.tableName, eventId, { guards: false });
  expect(invariantViolations(state, { guards: false })).toEqual([]);
  return state;
}

/** Shard number → [share, taken] of a workshop, as stored. */
async function shardsOf(eventId: string, workshopId: string) {
  const workshop = (await stateOf(eventId)).workshops.get(workshopId);
  return Object.fromEntries(
    (workshop?.shards ?? []).map(({ shard, share, taken }) => [shard, [share, taken]] as const),
  );
}

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
});
afterAll(async () => table.close());
afterEach(() => vi.restoreAllMocks());

describe('seat shards', () => {
  it('spreads a capacity over up to eight shards whose shares add up to it', async () => {
    await store.putEventDefinition('spread', definition({ a: 20, c: 3 }));
    expect(await shardsOf('spread', 'a')).toEqual({
      0: [3, 0],
      1: [3, 0],
      2: [3, 0],
      3: [3, 0],
      4: [2, 0],
      5: [2, 0],
      6: [2, 0],
      7: [2, 0],
    });
    // Never a shard without a seat of its own.
    expect(await shardsOf('spread', 'c')).toEqual({ 0: [1, 0], 1: [1, 0], 2: [1, 0] });
    expect((await store.getEvent('spread'))?.seats.get('a')).toEqual({ capacity: 20, taken: 0 });
  });

  it('a full shard while others have seats: the registration still gets a seat, in another shard', async () => {
    await store.putEventDefinition('one-full', definition({ a: 16, c: 100 }));
    // Every pick goes to the first shard not seen full: shard 0 fills first.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    await register(attendee('one-full'), deps());
    await register(attendee('one-full'), deps());
    // Another container, which has not seen shard 0 fill up.
    forgetShardsSeenFull();
    await register(attendee('one-full'), deps());
    const shards = await shardsOf('one-full', 'a');
    expect(shards[0]).toEqual([2, 2]);
    expect(shards[1]).toEqual([2, 1]);
    expect((await store.getEvent('one-full'))?.seats.get('a')).toEqual({ capacity: 16, taken: 3 });
  });

  it('every shard full: WORKSHOP_FULL naming every full workshop, as before the shards', async () => {
    await store.putEventDefinition('all-full', definition({ a: 3, c: 3 }));
    for (let n = 0; n < 3; n++) await register(attendee('all-full'), deps());
    expect(await shardsOf('all-full', 'a')).toEqual({ 0: [1, 1], 1: [1, 1], 2: [1, 1] });
    // This container saw them fill; another one has not, and finds out through its transactions.
    for (const container of ['this', 'another']) {
      if (container === 'another') forgetShardsSeenFull();
      const refused = register(attendee('all-full'), deps());
      await expect(refused, container).rejects.toBeInstanceOf(WorkshopFull);
      await expect(refused, container).rejects.toMatchObject({ details: { workshopIds: ['a', 'c'] } });
    }
    expect((await stateOf('all-full')).registrations).toHaveLength(3);
  });

  it('capacity lowered and raised with seats taken in several shards: exact, and never below what is taken', async () => {
    await store.putEventDefinition('resize', definition({ a: 8, c: 100 }));
    for (let n = 0; n < 5; n++) await register(attendee('resize'), deps());
    const before = await shardsOf('resize', 'a');
    expect(Object.values(before).filter(([, taken]) => taken > 0).length).toBeGreaterThan(1);

    await expect(store.putEventDefinition('resize', definition({ a: 4, c: 100 }))).rejects.toMatchObject({
      name: CapacityBelowTaken.name,
      details: { workshopIds: ['a'] },
    });
    // Refused: nothing changed.
    expect(await shardsOf('resize', 'a')).toEqual(before);

    await store.putEventDefinition('resize', definition({ a: 5, c: 100 }));
    expect((await store.getEvent('resize'))?.seats.get('a')).toEqual({ capacity: 5, taken: 5 });
    // Every shard keeps what it has taken; none has room left.
    for (const [share, taken] of Object.values(await shardsOf('resize', 'a'))) expect(share).toBe(taken);
    await expect(register(attendee('resize'), deps())).rejects.toBeInstanceOf(WorkshopFull);

    await store.putEventDefinition('resize', definition({ a: 12, c: 100 }));
    for (let n = 0; n < 7; n++) await register(attendee('resize'), deps());
    await expect(register(attendee('resize'), deps())).rejects.toMatchObject({
      details: { workshopIds: ['a'] },
    });
    expect((await store.getEvent('resize'))?.seats.get('a')).toEqual({ capacity: 12, taken: 12 });
  });

  it('a capacity change racing registrations stays exact', async () => {
    await store.putEventDefinition('race', definition({ a: 30, c: 100 }));
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 40 }, () => register(attendee('race'), deps())),
      store.putEventDefinition('race', definition({ a: 35, c: 100 })),
    ]);
    expect(outcomes.at(-1)?.status).toBe('fulfilled');
    const confirmed = outcomes.slice(0, -1).filter((outcome) => outcome.status === 'fulfilled').length;
    const state = await stateOf('race');
    expect(state.workshops.get('a')).toMatchObject({ capacity: 35, taken: confirmed });
    expect(confirmed).toBeGreaterThanOrEqual(30);
  });

  it('a cancel gives its seat back to a shard that holds seats, and the seat can be taken again', async () => {
    await store.putEventDefinition('release', definition({ a: 4, c: 100 }));
    const registered = [];
    for (let n = 0; n < 4; n++) registered.push((await register(attendee('release'), deps())).registration);
    for (const registration of registered.slice(0, 3)) {
      const current = await store.getRegistration(registration.id);
      if (!current) throw new Error('registration not stored');
      await store.cancelRegistration(current, new Date().toISOString(), 'attendee');
    }
    expect((await store.getEvent('release'))?.seats.get('a')).toEqual({ capacity: 4, taken: 1 });
    for (let n = 0; n < 3; n++) await register(attendee('release'), deps());
    await expect(register(attendee('release'), deps())).rejects.toBeInstanceOf(WorkshopFull);
    await stateOf('release');
  });

  it('a workshop item written before the shards is one shard, until a capacity change spreads it', async () => {
    await store.putEventDefinition('old', definition({ a: 2, c: 100 }));
    // The item as it was written before the shards: no share, no shard beside it.
    await table.documentClient.send(
      new DeleteCommand({ TableName: table.tableName, Key: { pk: 'WORKSHOP#old#a#1', sk: 'META' } }),
    );
    await table.documentClient.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: 'WORKSHOP#old#a', sk: 'META' },
        UpdateExpression: 'REMOVE #share',
        ExpressionAttributeNames: { '#share': 'share' },
      }),
    );
    forgetShardsSeenFull();
    expect(await shardsOf('old', 'a')).toEqual({ 0: [2, 0] });
    await register(attendee('old'), deps());
    await register(attendee('old'), deps());
    await expect(register(attendee('old'), deps())).rejects.toMatchObject({
      details: { workshopIds: ['a'] },
    });
    expect((await store.getEvent('old'))?.seats.get('a')).toEqual({ capacity: 2, taken: 2 });

    // A title change leaves it as it is; a capacity change spreads the free seats over new shards.
    await store.putEventDefinition('old', { ...definition({ a: 2, c: 100 }), title: 'Nieuwe titel' });
    expect(await shardsOf('old', 'a')).toEqual({ 0: [2, 2] });
    await store.putEventDefinition('old', definition({ a: 5, c: 100 }));
    expect(await shardsOf('old', 'a')).toEqual({ 0: [3, 2], 1: [1, 0], 2: [1, 0] });
    for (let n = 0; n < 3; n++) await register(attendee('old'), deps());
    expect((await store.getEvent('old'))?.seats.get('a')).toEqual({ capacity: 5, taken: 5 });
    await stateOf('old');
  });

  it('a big event: capacity changes of sharded workshops fit in one transaction, and stay exact', async () => {
    const event = (capacity: number, added: number): EventDefinition =>
      definition({ a: capacity, c: 100 }, [
        ...Array.from({ length: 9 }, (_, n) => workshop(`w${n}`, capacity)),
        ...Array.from({ length: added }, (_, n) => workshop(`nieuw${n}`, 10)),
      ]);
    // Ten workshops of eight shards each.
    await store.putEventDefinition('big', event(16, 0));
    expect(Object.keys(await shardsOf('big', 'w8'))).toHaveLength(8);
    for (let n = 0; n < 3; n++) await register(attendee('big'), deps());

    // Forty workshops more and every capacity changed: spread evenly, the ten would need 80 items; the event's
    // transaction has 100 for everything.
    await store.putEventDefinition('big', event(20, 40));
    expect((await store.getEvent('big'))?.seats.get('a')).toEqual({ capacity: 20, taken: 3 });
    expect((await store.getEvent('big'))?.seats.get('nieuw39')).toEqual({ capacity: 10, taken: 0 });
    await store.putEventDefinition('big', event(3, 40));
    for (const [share, taken] of Object.values(await shardsOf('big', 'a'))) expect(share).toBe(taken);
    await expect(register(attendee('big'), deps())).rejects.toMatchObject({
      details: { workshopIds: ['a'] },
    });
  });
});
