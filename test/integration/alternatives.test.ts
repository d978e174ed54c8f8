import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { SEAT_SHARDS } from '../../lambdas/adapters/dynamodb/seat-shards.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { AppError, InvalidChoice, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { type RegisterCommand, register } from '../../lambdas/use-cases/register.js';
import { invariantViolations, readEventState } from '../model/invariants.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { sampleDefinition } from '../support/fakes.js';

/**
 * Issue 21: alternatives in a registration. In a round whose choice is full the first alternative with a free
 * seat is taken, in the same request and transaction; WORKSHOP_FULL only when the choice and every alternative
 * are full. Against the embedded DynamoDB, with the seat shards; the table is read back raw
 * (test/model/invariants.ts) after every scenario.
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

/** Round 1: a, b, e with the given capacities; round 2: c with room for everyone. */
const definition = (capacities: { a: number; b: number; e: number }): EventDefinition =>
  sampleDefinition({
    rounds: [
      {
        id: '1',
        title: 'Ronde 1',
        workshops: [workshop('a', capacities.a), workshop('b', capacities.b), workshop('e', capacities.e)],
      },
      { id: '2', title: 'Ronde 2', workshops: [workshop('c', 100)] },
    ],
  });

let people = 0;
const attendee = (eventId: string, overrides: Partial<RegisterCommand> = {}): RegisterCommand => {
  people++;
  return {
    eventId,
    name: `Deelnemer ${people}`,
    email: `deelnemer${people}@example.nl`,
    organisation: 'Gemeente',
    choices: { '1': 'a', '2': 'c' },
    alternatives: { '1': ['b', 'e'] },
    locale: 'nl',
    ...overrides,
  };
};

async function checkedState(eventId: string) {
  const state = await readEventState(table.documentClient, table.tableName, eventId);
  expect(invariantViolations(state)).toEqual([]);
  return state;
}

const takenOf = async (eventId: string) =>
  Object.fromEntries([...(await checkedState(eventId)).workshops].map(([id, w]) => [id, w.taken]));

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
});
afterAll(async () => table.close());

describe('alternatives in a registration', () => {
  it('takes the choice while it has seats, then each alternative in order, then refuses naming them all', async () => {
    await store.putEventDefinition('in-order', definition({ a: 2, b: 1, e: 2 }));
    const taken: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { registration } = await register(attendee('in-order'), deps());
      taken.push(registration.choices['1'] ?? '');
      // What is stored is what was taken, and what the answer says.
      expect((await store.getRegistration(registration.id))?.choices).toEqual(registration.choices);
    }
    expect(taken).toEqual(['a', 'a', 'b', 'e', 'e']);

    const refused = await register(attendee('in-order'), deps()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkshopFull);
    expect((refused as WorkshopFull).details).toEqual({ workshopIds: ['a', 'b', 'e'] });
    expect(await takenOf('in-order')).toEqual({ a: 2, b: 1, e: 2, c: 5 });
  });

  it('goes back to the choice as soon as it has a seat again', async () => {
    await store.putEventDefinition('back', definition({ a: 1, b: 5, e: 5 }));
    const first = await register(attendee('back'), deps());
    expect(first.registration.choices['1']).toBe('a');
    expect((await register(attendee('back'), deps())).registration.choices['1']).toBe('b');
    await store.cancelRegistration(
      (await store.getRegistration(first.registration.id)) ?? expect.fail('stored'),
      new Date().toISOString(),
      'attendee',
    );
    expect((await register(attendee('back'), deps())).registration.choices['1']).toBe('a');
    expect(await takenOf('back')).toEqual({ a: 1, b: 1, e: 0, c: 2 });
  });

  it('keeps a round without alternatives all or nothing: a full choice there refuses the whole registration', async () => {
    await store.putEventDefinition('other-round', {
      ...definition({ a: 5, b: 5, e: 5 }),
      rounds: [
        definition({ a: 5, b: 5, e: 5 }).rounds[0] ?? expect.fail('round 1'),
        { id: '2', title: 'Ronde 2', workshops: [workshop('c', 1), workshop('d', 1)] },
      ],
    });
    await register(attendee('other-round'), deps());
    await expect(register(attendee('other-round'), deps())).rejects.toMatchObject({
      code: 'WORKSHOP_FULL',
      details: { workshopIds: ['c'] },
    });
    const { registration } = await register(
      attendee('other-round', { alternatives: { '1': ['b'], '2': ['d'] } }),
      deps(),
    );
    expect(registration.choices).toEqual({ '1': 'a', '2': 'd' });
    expect(await takenOf('other-round')).toEqual({ a: 2, b: 0, e: 0, c: 1, d: 1 });
  });

  it('refuses alternatives outside their round and writes nothing; repeats and the choice itself are ignored', async () => {
    await store.putEventDefinition('invalid', definition({ a: 1, b: 1, e: 1 }));
    const refused = await register(
      attendee('invalid', { alternatives: { '1': ['c', 'zz'], '9': ['a'] } }),
      deps(),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidChoice);
    expect((refused as InvalidChoice).details).toEqual([
      { roundId: '1', workshopId: 'c', reason: 'wrong-round' },
      { roundId: '1', workshopId: 'zz', reason: 'unknown-workshop' },
      { roundId: '9', reason: 'unknown-round' },
    ]);
    expect(await takenOf('invalid')).toEqual({ a: 0, b: 0, e: 0, c: 0 });

    await register(attendee('invalid'), deps());
    const { registration } = await register(
      attendee('invalid', { alternatives: { '1': ['a', 'e', 'e'] } }),
      deps(),
    );
    expect(registration.choices['1']).toBe('e');
    await expect(
      register(attendee('invalid', { alternatives: { '1': ['a', 'e'] } }), deps()),
    ).rejects.toMatchObject({ details: { workshopIds: ['a', 'e'] } });
  });

  it('never oversells when many register at once with alternatives, under the conflict model', async () => {
    const capacities = { a: SEAT_SHARDS + 2, b: 4, e: 3 };
    await store.putEventDefinition('rush', definition(capacities));
    table.embedded?.setConflictModel({ serviceTimeMedianMs: 5 });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        register(attendee('rush'), deps()).then(
          ({ registration }) => registration.choices['1'] ?? '',
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
      ),
    ).finally(() => table.embedded?.setConflictModel(undefined));
    const count = (value: string) => outcomes.filter((outcome) => outcome === value).length;
    // Every seat of the round went, each to one person, and the rest were refused (or asked to try again).
    expect({ a: count('a'), b: count('b'), e: count('e') }).toEqual(capacities);
    expect(count('WORKSHOP_FULL') + count('TRY_AGAIN')).toBe(40 - 17);
    expect(count('WORKSHOP_FULL')).toBeGreaterThan(0);
    expect(await takenOf('rush')).toEqual({ ...capacities, c: 17 });
  });
});
