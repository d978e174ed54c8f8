/**
 * Fault injection on the embedded DynamoDB (its `faults` switch), end to end over HTTP on the local stack:
 * the real handlers, the real SDK client (with its own retries) and the real store. After every scenario
 * the event is read back from the table: no partial registration, no leaked or double-counted seat
 * (taken equals confirmed holders), and no 5xx other than 503.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { defaultRetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { register } from '../../lambdas/use-cases/register.js';
import type { FaultCode } from '../../local/dynamodb/embedded-dynamodb.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { assertEventConsistent } from '../model/invariants.js';
import { api } from '../support/local-stack.js';
import { expectTryAgain, faultEvent, freshEventId, registrationBody } from './support.js';

// The fault switch belongs to the embedded DynamoDB: against another endpoint there is nothing to switch.
const external = Boolean(process.env.DYNAMODB_ENDPOINT);

let stack: LocalStack;
let store: DynamoStore;
const documentClient = () =>
  createDocumentClient({
    region: 'eu-west-1',
    endpoint: stack.dynamodbEndpoint,
    requestTimeoutMs: 30_000,
    connectionTimeoutMs: 30_000,
  });
let checkClient: ReturnType<typeof documentClient>;

/** The SDK client of the handlers makes 3 attempts (maxAttempts) before it gives up on a busy error. */
const SDK_ATTEMPTS = 3;
/** More conflicts than the store's retry policy ever attempts (its time budget usually ends it sooner). */
const EVERY_ATTEMPT = defaultRetryPolicy.maxAttempts + 1;

beforeAll(async () => {
  if (external) return;
  stack = await startLocalStack({
    port: 0,
    tableName: `vol-faults-${Math.random().toString(36).slice(2, 8)}`,
    eventsDir: undefined,
    // The scheduled functions (email retries, consistency check) would share the fault queue: off.
    scheduleIntervalMs: 0,
  });
  // So would the email sender, fed after each request (its claim and settlement are DynamoDB writes): off,
  // as these tests are about the requests; the emails stay owed in the outbox.
  stack.setEmailSenderEnabled(false);
  checkClient = documentClient();
  store = new DynamoStore(checkClient, stack.tableName);
});
afterAll(async () => {
  checkClient?.destroy();
  await stack?.close();
});
afterEach(() => stack?.embeddedDynamo?.faults.clear());

const faults = () => {
  const embedded = stack.embeddedDynamo;
  if (!embedded) throw new Error('no embedded DynamoDB');
  return embedded.faults;
};

async function newEvent(capacities = { a: 5, b: 5, c: 5, d: 5 }) {
  const eventId = freshEventId('faults');
  await store.putEventDefinition(eventId, faultEvent(capacities));
  return eventId;
}

const registerOver = (eventId: string, n: number, choices?: Record<string, string>) =>
  api(stack, 'POST', `/events/${eventId}/registrations`, registrationBody(n, choices));

/** The table agrees with itself, and holds exactly the registrations the API confirmed. */
async function expectConsistent(eventId: string, confirmedIds: string[]) {
  const state = await assertEventConsistent(checkClient, stack.tableName, eventId);
  const stored = state.registrations.filter((r) => r.status === 'confirmed').map((r) => r.id);
  expect(stored.sort()).toEqual([...confirmedIds].sort());
  return state;
}

const takenOf = async (eventId: string) => {
  const event = await store.getEvent(eventId);
  return Object.fromEntries([...(event?.seats ?? [])].map(([id, seats]) => [id, seats.taken]));
};

describe.skipIf(external)('TransactionConflict from the embedded DynamoDB, over HTTP', () => {
  it('two conflicts: retried by the store, 201, seats counted once', async () => {
    const eventId = await newEvent();
    faults().failNext('TransactWriteItems', 'TransactionConflict', 2);
    const response = await registerOver(eventId, 1);
    expect(response.status).toBe(201);
    await expectConsistent(eventId, [response.body.registration.id]);
    expect(await takenOf(eventId)).toEqual({ a: 1, b: 0, c: 1, d: 0 });
  });

  it('conflicts on every attempt: 503 TRY_AGAIN with Retry-After, nothing booked, a later retry succeeds', async () => {
    const eventId = await newEvent();
    faults().failNext('TransactWriteItems', 'TransactionConflict', EVERY_ATTEMPT);
    const response = await registerOver(eventId, 1);
    expectTryAgain(response);
    faults().clear();
    await expectConsistent(eventId, []);
    expect(await takenOf(eventId)).toEqual({ a: 0, b: 0, c: 0, d: 0 });

    const retry = await registerOver(eventId, 1);
    expect(retry.status).toBe(201);
    await expectConsistent(eventId, [retry.body.registration.id]);
  });
});

const busy: FaultCode[] = [
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'InternalServerError',
];

describe.skipIf(external).each(busy)('%s from the embedded DynamoDB, over HTTP', (code) => {
  it('on every SDK attempt of the transaction: 503 TRY_AGAIN, nothing booked', async () => {
    const eventId = await newEvent();
    faults().failNext('TransactWriteItems', code, SDK_ATTEMPTS);
    expectTryAgain(await registerOver(eventId, 1));
    await expectConsistent(eventId, []);
    expect(await takenOf(eventId)).toEqual({ a: 0, b: 0, c: 0, d: 0 });
  });

  it('once: the SDK retries by itself (same ClientRequestToken), 201, booked once', async () => {
    const eventId = await newEvent();
    faults().failNext('TransactWriteItems', code, 1);
    const response = await registerOver(eventId, 1);
    expect(response.status).toBe(201);
    await expectConsistent(eventId, [response.body.registration.id]);
    expect(await takenOf(eventId)).toEqual({ a: 1, b: 0, c: 1, d: 0 });
  });

  it('on reading the event: 503 TRY_AGAIN, no transaction, nothing booked', async () => {
    const eventId = await newEvent();
    faults().failNext('GetItem', code, SDK_ATTEMPTS);
    expectTryAgain(await registerOver(eventId, 1));
    await expectConsistent(eventId, []);
  });

  // Only a registration that also waits for a workshop reads the counters first; the others leave the seats to
  // the transaction's conditions.
  it('on reading the seat counters: 503 TRY_AGAIN, nothing booked', async () => {
    const eventId = await newEvent();
    faults().failNext('BatchGetItem', code, SDK_ATTEMPTS);
    const body = { ...registrationBody(1), waitFor: { '1': 'b' } };
    expectTryAgain(await api(stack, 'POST', `/events/${eventId}/registrations`, body));
    await expectConsistent(eventId, []);
  });

  it('on GET /events/{eventId}: 503 TRY_AGAIN', async () => {
    const eventId = await newEvent();
    faults().failNext('GetItem', code, SDK_ATTEMPTS);
    expectTryAgain(await api(stack, 'GET', `/events/${eventId}`));
  });
});

describe.skipIf(external)('a storm while DynamoDB conflicts and throttles', () => {
  it('120 concurrent registrations for 10 seats: only 201, 409 or 503; never more than 10 confirmed', async () => {
    const eventId = await newEvent({ a: 10, b: 200, c: 200, d: 200 });
    faults().failNext('TransactWriteItems', 'TransactionConflict', 60);
    faults().failNext('TransactWriteItems', 'ThrottlingException', 20);
    faults().failNext('BatchGetItem', 'ProvisionedThroughputExceededException', 10);
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, n) => registerOver(eventId, n, { '1': 'a', '2': n % 2 ? 'c' : 'd' })),
    );
    faults().clear();

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => ![201, 409, 503].includes(status))).toEqual([]);
    for (const response of responses.filter((r) => r.status === 409))
      expect(response.body.error.code).toBe('WORKSHOP_FULL');
    for (const response of responses.filter((r) => r.status === 503)) expectTryAgain(response);

    const confirmed = responses.filter((r) => r.status === 201).map((r) => r.body.registration.id as string);
    expect(confirmed.length).toBeLessThanOrEqual(10);
    const state = await expectConsistent(eventId, confirmed);
    expect(state.workshops.get('a')?.taken).toBe(confirmed.length);
  });
});

/**
 * A registration with its manage token. The API sends the token only by email, so it is made through the
 * register() use case on the same DynamoDB, which returns it.
 */
async function registeredWithToken(eventId: string, n: number) {
  const { registration, manageToken } = await register(
    {
      eventId,
      name: `Deelnemer ${n}`,
      email: `deelnemer${n}@example.nl`,
      organisation: 'Gemeente Storing',
      choices: { '1': 'a', '2': 'c' },
      locale: 'nl',
    },
    { events: store, registrations: store, clock: systemClock, secrets: cryptoSecrets },
  );
  return { id: registration.id, auth: { Authorization: `Bearer ${manageToken}` } };
}

const changeOver = (id: string, auth: Record<string, string>, choices: Record<string, string>) =>
  api(stack, 'PATCH', `/registrations/${id}`, { choices }, auth);
const cancelOver = (id: string, auth: Record<string, string>) =>
  api(stack, 'DELETE', `/registrations/${id}`, undefined, auth);

describe.skipIf(external)('change and cancel while DynamoDB conflicts and throttles, over HTTP', () => {
  it('a change that conflicts on every attempt: 503 TRY_AGAIN, the old seats kept; later it moves once', async () => {
    const eventId = await newEvent();
    const { id, auth } = await registeredWithToken(eventId, 1);
    faults().failNext('TransactWriteItems', 'TransactionConflict', EVERY_ATTEMPT);
    expectTryAgain(await changeOver(id, auth, { '1': 'b' }));
    faults().clear();
    await expectConsistent(eventId, [id]);
    expect(await takenOf(eventId)).toEqual({ a: 1, b: 0, c: 1, d: 0 });

    faults().failNext('TransactWriteItems', 'TransactionConflict', 2);
    expect((await changeOver(id, auth, { '1': 'b' })).status).toBe(200);
    await expectConsistent(eventId, [id]);
    expect(await takenOf(eventId)).toEqual({ a: 0, b: 1, c: 1, d: 0 });
  });

  it('a change throttled on every SDK attempt: 503 TRY_AGAIN, nothing moved', async () => {
    const eventId = await newEvent();
    const { id, auth } = await registeredWithToken(eventId, 2);
    faults().failNext('TransactWriteItems', 'ThrottlingException', SDK_ATTEMPTS);
    expectTryAgain(await changeOver(id, auth, { '1': 'b', '2': 'd' }));
    await expectConsistent(eventId, [id]);
    expect(await takenOf(eventId)).toEqual({ a: 1, b: 0, c: 1, d: 0 });
  });

  it('a cancel that conflicts on every attempt: 503, still confirmed; then cancelled once, repeats change nothing', async () => {
    const eventId = await newEvent();
    const { id, auth } = await registeredWithToken(eventId, 3);
    faults().failNext('TransactWriteItems', 'TransactionConflict', EVERY_ATTEMPT);
    expectTryAgain(await cancelOver(id, auth));
    faults().clear();
    await expectConsistent(eventId, [id]);
    expect(await takenOf(eventId)).toEqual({ a: 1, b: 0, c: 1, d: 0 });

    faults().failNext('TransactWriteItems', 'ProvisionedThroughputExceededException', 1);
    const cancelled = await cancelOver(id, auth);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.registration.status).toBe('cancelled');
    // Repeated, also concurrently: the seats are released exactly once.
    const repeats = await Promise.all([cancelOver(id, auth), cancelOver(id, auth), cancelOver(id, auth)]);
    expect(repeats.map((r) => r.status)).toEqual([200, 200, 200]);
    await expectConsistent(eventId, []);
    expect(await takenOf(eventId)).toEqual({ a: 0, b: 0, c: 0, d: 0 });
  });

  it('change and cancel racing on one registration under conflicts: only 200, 409, 503; seats consistent', async () => {
    const eventId = await newEvent({ a: 3, b: 3, c: 3, d: 3 });
    const holders = await Promise.all([1, 2, 3].map((n) => registeredWithToken(eventId, 10 + n)));
    faults().failNext('TransactWriteItems', 'TransactionConflict', 15);
    const responses = await Promise.all(
      holders.flatMap(({ id, auth }) => [
        changeOver(id, auth, { '1': 'b' }),
        changeOver(id, auth, { '2': 'd' }),
        cancelOver(id, auth),
        changeOver(id, auth, { '1': 'a', '2': 'c' }),
      ]),
    );
    faults().clear();
    expect(responses.map((r) => r.status).filter((status) => ![200, 409, 503].includes(status))).toEqual([]);
    const state = await assertEventConsistent(checkClient, stack.tableName, eventId);
    const confirmed = state.registrations.filter((r) => r.status === 'confirmed').length;
    expect(confirmed + state.registrations.filter((r) => r.status === 'cancelled').length).toBe(3);
  });
});
