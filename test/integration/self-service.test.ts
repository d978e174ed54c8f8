import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { register } from '../../lambdas/use-cases/register.js';
import type { LocalStack } from '../../local/stack.js';
import { registrationsOfEvent, type TestTable } from '../support/dynamo.js';
import { api, startTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let store: DynamoStore;
let table: TestTable;

const definition = (capacities: Record<string, number>): EventDefinition => ({
  title: 'Zelfbediening',
  date: '2030-05-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: ['a', 'b'].map((id) => ({
        id,
        title: id,
        description: '',
        speakers: [],
        capacity: capacities[id] ?? 0,
      })),
    },
    {
      id: '2',
      title: 'Ronde 2',
      workshops: ['c', 'd'].map((id) => ({
        id,
        title: id,
        description: '',
        speakers: [],
        capacity: capacities[id] ?? 0,
      })),
    },
  ],
});

let people = 0;
/** Registers through the use case, which hands back the manage token the email would carry. */
async function registered(eventId: string, choices: Record<string, string>) {
  people += 1;
  return register(
    {
      eventId,
      name: `Persoon ${people}`,
      email: `persoon${people}@example.nl`,
      organisation: 'Gemeente',
      choices,
      locale: 'nl',
    },
    { events: store, registrations: store, clock: systemClock, secrets: cryptoSecrets },
  );
}

async function taken(eventId: string) {
  const event = await store.getEvent(eventId);
  return Object.fromEntries([...(event?.seats ?? [])].map(([id, seats]) => [id, seats.taken]));
}

/** The seat invariant: every counter equals the confirmed registrations holding that workshop. */
async function expectCountersMatchHolders(eventId: string) {
  const holders: Record<string, number> = {};
  for (const item of await registrationsOfEvent(table, eventId)) {
    if (item.status !== 'confirmed') continue;
    for (const workshopId of Object.values(item.choices as Record<string, string>)) {
      holders[workshopId] = (holders[workshopId] ?? 0) + 1;
    }
  }
  const event = await store.getEvent(eventId);
  for (const [workshopId, seats] of event?.seats ?? []) {
    expect(seats.taken, workshopId).toBe(holders[workshopId] ?? 0);
    expect(seats.taken).toBeLessThanOrEqual(seats.capacity);
  }
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  stack = await startTestStack();
  const documentClient = createDocumentClient({
    region: 'eu-west-1',
    endpoint: stack.dynamodbEndpoint,
    requestTimeoutMs: 60_000,
    connectionTimeoutMs: 60_000,
  });
  store = new DynamoStore(documentClient, stack.tableName);
  table = { ...stack, endpoint: stack.dynamodbEndpoint, documentClient, close: async () => undefined };
});
afterAll(async () => stack.close());

describe('view, change and cancel with the manage token', () => {
  it('shows the registration to its token and the same 404 to everyone else', async () => {
    await store.putEventDefinition('view', definition({ a: 5, b: 5, c: 5, d: 5 }));
    const { registration, manageToken } = await registered('view', { '1': 'a', '2': 'c' });
    const own = await api(stack, 'GET', `/registrations/${registration.id}`, undefined, bearer(manageToken));
    expect(own.status).toBe(200);
    expect(own.body.registration).toMatchObject({
      id: registration.id,
      status: 'confirmed',
      choices: { '1': 'a', '2': 'c' },
    });
    expect(JSON.stringify(own.body)).not.toMatch(/Hash|version/);

    const wrongToken = await api(
      stack,
      'GET',
      `/registrations/${registration.id}`,
      undefined,
      bearer(`${manageToken}x`),
    );
    const unknownId = await api(
      stack,
      'GET',
      '/registrations/AAAAAAAAAAAAAAAAAAAAA',
      undefined,
      bearer(manageToken),
    );
    const noToken = await api(stack, 'GET', `/registrations/${registration.id}`);
    for (const response of [wrongToken, unknownId, noToken]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual(wrongToken.body);
    }
    expect(wrongToken.body.error.code).toBe('REGISTRATION_NOT_FOUND');
  });

  it('moves a seat with PATCH: old workshop +1 free, new one -1, other rounds untouched', async () => {
    await store.putEventDefinition('move', definition({ a: 5, b: 5, c: 5, d: 5 }));
    const { registration, manageToken } = await registered('move', { '1': 'a', '2': 'c' });
    const response = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: { '1': 'b' } },
      bearer(manageToken),
    );
    expect(response.status).toBe(200);
    expect(response.body.registration.choices).toEqual({ '1': 'b', '2': 'c' });
    expect(await taken('move')).toEqual({ a: 0, b: 1, c: 1, d: 0 });

    const same = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: { '1': 'b' } },
      bearer(manageToken),
    );
    expect(same.status).toBe(200);
    expect(await taken('move')).toEqual({ a: 0, b: 1, c: 1, d: 0 });
  });

  it('refuses a full or wrong target and changes nothing', async () => {
    await store.putEventDefinition('refuse', definition({ a: 5, b: 1, c: 5, d: 5 }));
    await registered('refuse', { '1': 'b', '2': 'd' });
    const { registration, manageToken } = await registered('refuse', { '1': 'a', '2': 'c' });
    const full = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: { '1': 'b', '2': 'd' } },
      bearer(manageToken),
    );
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({ code: 'WORKSHOP_FULL', details: { workshopIds: ['b'] } });
    const wrongRound = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: { '1': 'c' } },
      bearer(manageToken),
    );
    expect(wrongRound.status).toBe(400);
    expect(wrongRound.body.error.code).toBe('INVALID_CHOICE');
    const empty = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: {} },
      bearer(manageToken),
    );
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    expect(await taken('refuse')).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });

  it('cancels once: every seat freed exactly once, the email free to register again', async () => {
    await store.putEventDefinition('cancel', definition({ a: 5, b: 5, c: 5, d: 5 }));
    const { registration, manageToken } = await registered('cancel', { '1': 'a', '2': 'c' });
    const first = await api(
      stack,
      'DELETE',
      `/registrations/${registration.id}`,
      undefined,
      bearer(manageToken),
    );
    expect(first.status).toBe(200);
    expect(first.body.registration.status).toBe('cancelled');
    expect(await taken('cancel')).toEqual({ a: 0, b: 0, c: 0, d: 0 });

    const second = await api(
      stack,
      'DELETE',
      `/registrations/${registration.id}`,
      undefined,
      bearer(manageToken),
    );
    expect(second.status).toBe(200);
    expect(second.body.registration.status).toBe('cancelled');
    expect(await taken('cancel')).toEqual({ a: 0, b: 0, c: 0, d: 0 });

    const change = await api(
      stack,
      'PATCH',
      `/registrations/${registration.id}`,
      { choices: { '1': 'b' } },
      bearer(manageToken),
    );
    expect(change.status).toBe(409);
    expect(change.body.error.code).toBe('REGISTRATION_CANCELLED');

    const again = await api(stack, 'POST', '/events/cancel/registrations', {
      name: registration.name,
      email: registration.email.toUpperCase(),
      organisation: 'Gemeente',
      choices: { '1': 'b', '2': 'd' },
      consent: true,
    });
    expect(again.status).toBe(201);
  });

  it('keeps counters equal to holders while 50 people cancel and 50 others take the freed seats', async () => {
    await store.putEventDefinition('churn', definition({ a: 50, b: 50, c: 50, d: 50 }));
    const holders = await Promise.all(
      Array.from({ length: 50 }, () => registered('churn', { '1': 'a', '2': 'c' })),
    );
    expect(await taken('churn')).toMatchObject({ a: 50, c: 50 });

    const cancellations = holders.map(({ registration, manageToken }) =>
      api(stack, 'DELETE', `/registrations/${registration.id}`, undefined, bearer(manageToken)),
    );
    const newcomers = Array.from({ length: 50 }, (_, n) =>
      api(stack, 'POST', '/events/churn/registrations', {
        name: `Nieuw ${n}`,
        email: `nieuw${n}@example.nl`,
        organisation: 'Gemeente',
        choices: { '1': 'a', '2': 'c' },
        consent: true,
      }),
    );
    const [cancelled, joined] = await Promise.all([Promise.all(cancellations), Promise.all(newcomers)]);
    expect(cancelled.every((response) => response.status === 200)).toBe(true);
    for (const response of joined) expect([201, 409]).toContain(response.status);
    expect(joined.filter((response) => response.status >= 500)).toEqual([]);
    await expectCountersMatchHolders('churn');
  });

  it('keeps counters right when one registration is changed and cancelled at the same moment', async () => {
    await store.putEventDefinition('race', definition({ a: 20, b: 20, c: 20, d: 20 }));
    const pairs = await Promise.all(
      Array.from({ length: 10 }, () => registered('race', { '1': 'a', '2': 'c' })),
    );
    const responses = await Promise.all(
      pairs.flatMap(({ registration, manageToken }) => [
        api(
          stack,
          'PATCH',
          `/registrations/${registration.id}`,
          { choices: { '1': 'b', '2': 'd' } },
          bearer(manageToken),
        ),
        api(stack, 'DELETE', `/registrations/${registration.id}`, undefined, bearer(manageToken)),
      ]),
    );
    for (const response of responses) expect([200, 409]).toContain(response.status);
    await expectCountersMatchHolders('race');
    // Every registration ended cancelled: a change after the cancel is refused, a change before it is undone.
    expect(await taken('race')).toEqual({ a: 0, b: 0, c: 0, d: 0 });
  });
});

describe('personal data', () => {
  it('records what was consented to and gives the person everything stored, through their link only', async () => {
    await store.putEventDefinition('access', {
      ...definition({ a: 5, b: 5, c: 5, d: 5 }),
      privacy: { statementUrl: 'https://example.nl/privacy', version: '2030-1' },
    });
    const { registration, manageToken } = await registered('access', { '1': 'a', '2': 'c' });
    expect(registration.consent).toEqual({ givenAt: registration.createdAt, statementVersion: '2030-1' });

    const exported = await api(
      stack,
      'GET',
      `/registrations/${registration.id}/personal-data`,
      undefined,
      bearer(manageToken),
    );
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain(`registration-${registration.id}.json`);
    const stored = await store.getRegistration(registration.id);
    const { emailHash, manageTokenHash, version, ...visible } = stored ?? ({} as never);
    expect(exported.body.registration).toEqual(JSON.parse(JSON.stringify(visible)));
    expect(exported.body.derived.emailHash.value).toBe(emailHash);
    expect(exported.body.derived.manageTokenHash.value).toBe(manageTokenHash);
    expect(exported.body.derived.version.value).toBe(version);
    expect(JSON.stringify(exported.body)).not.toContain(manageToken);

    const stranger = await api(
      stack,
      'GET',
      `/registrations/${registration.id}/personal-data`,
      undefined,
      bearer('x'.repeat(32)),
    );
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('REGISTRATION_NOT_FOUND');
  });
});

describe('POST with an Idempotency-Key', () => {
  const body = (n: number) => ({
    name: `Dubbelklik ${n}`,
    email: `dubbel${n}@example.nl`,
    organisation: 'Gemeente',
    choices: { '1': 'a', '2': 'c' },
    consent: true,
  });

  it('books once and answers the same registration to a replay', async () => {
    await store.putEventDefinition('idem', definition({ a: 10, b: 10, c: 10, d: 10 }));
    const headers = { 'Idempotency-Key': 'key-replay-1' };
    const first = await api(stack, 'POST', '/events/idem/registrations', body(1), headers);
    const replay = await api(stack, 'POST', '/events/idem/registrations', body(1), headers);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(await taken('idem')).toMatchObject({ a: 1, c: 1 });
  });

  it('books once when the same attempt arrives twice at the same moment', async () => {
    await store.putEventDefinition('idem-race', definition({ a: 10, b: 10, c: 10, d: 10 }));
    const headers = { 'Idempotency-Key': 'key-race-1' };
    const responses = await Promise.all(
      [1, 2, 3].map(() => api(stack, 'POST', '/events/idem-race/registrations', body(2), headers)),
    );
    const created = responses.filter((response) => response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('REQUEST_IN_PROGRESS');
    }
    expect(new Set(created.map((response) => response.body.registration.id)).size).toBe(1);
    expect(await taken('idem-race')).toMatchObject({ a: 1, c: 1 });
  });

  it('refuses the same key with a different body with 422 and books nothing more', async () => {
    await store.putEventDefinition('idem-reuse', definition({ a: 10, b: 10, c: 10, d: 10 }));
    const headers = { 'Idempotency-Key': 'key-reuse-1' };
    expect((await api(stack, 'POST', '/events/idem-reuse/registrations', body(3), headers)).status).toBe(201);
    const reused = await api(stack, 'POST', '/events/idem-reuse/registrations', body(4), headers);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await taken('idem-reuse')).toMatchObject({ a: 1, c: 1 });
  });

  it('does not remember a refusal: after a full workshop the same key may succeed later', async () => {
    await store.putEventDefinition('idem-full', definition({ a: 0, b: 10, c: 10, d: 10 }));
    const headers = { 'Idempotency-Key': 'key-full-1' };
    expect((await api(stack, 'POST', '/events/idem-full/registrations', body(5), headers)).status).toBe(409);
    await store.putEventDefinition('idem-full', definition({ a: 1, b: 10, c: 10, d: 10 }));
    expect((await api(stack, 'POST', '/events/idem-full/registrations', body(5), headers)).status).toBe(201);
  });
});
