import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { AlreadyRegistered, CapacityBelowTaken, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { type RegisterCommand, register } from '../../lambdas/use-cases/register.js';
import { registrationsOfEvent, startTestTable, type TestTable } from '../support/dynamo.js';

let table: TestTable;
let store: DynamoStore;
const deps = () => ({ events: store, registrations: store, clock: systemClock, secrets: cryptoSecrets });

const twoRounds = (capacities: { a: number; b: number; c: number }): EventDefinition => ({
  title: 'Integratiedag',
  date: '2030-05-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [
        { id: 'a', title: 'A', description: '', speakers: [], capacity: capacities.a },
        { id: 'b', title: 'B', description: '', speakers: [], capacity: capacities.b },
      ],
    },
    {
      id: '2',
      title: 'Ronde 2',
      workshops: [{ id: 'c', title: 'C', description: '', speakers: [], capacity: capacities.c }],
    },
  ],
});

const attendee = (eventId: string, n: number, choices: Record<string, string>): RegisterCommand => ({
  eventId,
  name: `Deelnemer ${n}`,
  email: `deelnemer${n}@example.nl`,
  organisation: 'Gemeente',
  choices,
  locale: 'nl',
});

async function seats(eventId: string) {
  const event = await store.getEvent(eventId);
  return Object.fromEntries([...(event?.seats ?? [])].map(([id, s]) => [id, s.taken]));
}

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
});
afterAll(async () => table.close());

describe('registration against the embedded DynamoDB', () => {
  it('a definition changed through another container is seen at once, a known one is not parsed again', async () => {
    const other = new DynamoStore(table.documentClient, table.tableName);
    await store.putEventDefinition('revised', twoRounds({ a: 1, b: 1, c: 1 }));
    expect((await store.getEvent('revised'))?.definition.title).toBe('Integratiedag');
    await other.putEventDefinition('revised', { ...twoRounds({ a: 3, b: 1, c: 1 }), title: 'Herzien' });
    const seen = await store.getEvent('revised');
    expect(seen?.definition.title).toBe('Herzien');
    expect(seen?.seats.get('a')).toEqual({ capacity: 3, taken: 0 });
    await register(attendee('revised', 1, { '1': 'a', '2': 'c' }), deps());
    expect((await store.getEvent('revised'))?.seats.get('a')).toEqual({ capacity: 3, taken: 1 });
  });

  it('vol is vol: 300 concurrent registrations for a 25-seat workshop confirm exactly 25', async () => {
    await store.putEventDefinition('storm', twoRounds({ a: 25, b: 10, c: 1000 }));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, n) => register(attendee('storm', n, { '1': 'a', '2': 'c' }), deps())),
    );
    const confirmed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(confirmed).toHaveLength(25);
    for (const refusal of refused)
      expect((refusal as PromiseRejectedResult).reason).toBeInstanceOf(WorkshopFull);

    const stored = await registrationsOfEvent(table, 'storm');
    expect(stored).toHaveLength(25);
    // The counters equal the confirmed holders, in both rounds: no seat taken by a refused request.
    expect(await seats('storm')).toEqual({ a: 25, b: 0, c: 25 });
  });

  it('takes all chosen seats or none: a full round-2 workshop leaves round 1 untouched', async () => {
    await store.putEventDefinition('atomic', twoRounds({ a: 5, b: 5, c: 1 }));
    await register(attendee('atomic', 1, { '1': 'a', '2': 'c' }), deps());
    await expect(register(attendee('atomic', 2, { '1': 'b', '2': 'c' }), deps())).rejects.toMatchObject({
      details: { workshopIds: ['c'] },
    });
    expect(await seats('atomic')).toEqual({ a: 1, b: 0, c: 1 });
    expect(await registrationsOfEvent(table, 'atomic')).toHaveLength(1);
  });

  it('lets one email register once, even when it is sent 20 times at once in different spellings', async () => {
    await store.putEventDefinition('dupes', twoRounds({ a: 100, b: 100, c: 100 }));
    const spellings = ['x@example.nl', ' X@Example.nl', 'x@EXAMPLE.NL '];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) =>
        register({ ...attendee('dupes', n, { '1': 'a', '2': 'c' }), email: spellings[n % 3] ?? '' }, deps()),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyRegistered);
    }
    expect(await seats('dupes')).toEqual({ a: 1, b: 0, c: 1 });
  });

  it('stores the manage token only as a hash and the registration without unknown fields', async () => {
    await store.putEventDefinition('token', twoRounds({ a: 5, b: 5, c: 5 }));
    const { registration, manageToken } = await register(
      attendee('token', 1, { '1': 'a', '2': 'c' }),
      deps(),
    );
    expect(manageToken.length).toBeGreaterThanOrEqual(22);
    const [item] = await registrationsOfEvent(table, 'token');
    expect(item).toMatchObject({ id: registration.id, status: 'confirmed', pk: `REG#${registration.id}` });
    expect(JSON.stringify(item)).not.toContain(manageToken);
    expect(item?.manageTokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('updates a definition: capacity may rise, never drop below what is taken', async () => {
    await store.putEventDefinition('resize', twoRounds({ a: 2, b: 2, c: 2 }));
    await register(attendee('resize', 1, { '1': 'a', '2': 'c' }), deps());
    await register(attendee('resize', 2, { '1': 'a', '2': 'c' }), deps());
    await expect(store.putEventDefinition('resize', twoRounds({ a: 1, b: 2, c: 2 }))).rejects.toBeInstanceOf(
      CapacityBelowTaken,
    );
    await store.putEventDefinition('resize', twoRounds({ a: 3, b: 2, c: 3 }));
    const event = await store.getEvent('resize');
    expect(event?.seats.get('a')).toEqual({ capacity: 3, taken: 2 });
  });
});
