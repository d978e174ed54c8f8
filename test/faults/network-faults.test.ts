/**
 * Network faults between the API and DynamoDB: connection resets, answers lost after DynamoDB committed,
 * and an endpoint nobody listens on (requests that are never answered: request-timeout.test.ts).
 * The local stack's handlers talk to the embedded DynamoDB through a chaos proxy (./chaos-proxy.ts); the
 * table is checked behind the proxy's back after every scenario.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { TryAgain } from '../../lambdas/domain/errors.js';
import { register } from '../../lambdas/use-cases/register.js';
import type { LocalStack } from '../../local/stack.js';
import { assertEventConsistent } from '../model/invariants.js';
import { api } from '../support/local-stack.js';
import { type ChaosProxy, closedPort } from './chaos-proxy.js';
import {
  expectTryAgain,
  faultEvent,
  freshEventId,
  registrationBody,
  type StackBehindChaosProxy,
  startStackBehindChaosProxy,
} from './support.js';

const SDK_ATTEMPTS = 3;

let proxy: ChaosProxy;
let stack: LocalStack;
let store: DynamoStore;
let direct: DynamoDBDocumentClient;
let behindProxy: StackBehindChaosProxy;

beforeAll(async () => {
  behindProxy = await startStackBehindChaosProxy('network');
  ({ proxy, stack, store, direct } = behindProxy);
});
afterAll(async () => behindProxy?.close());
afterEach(() => proxy.clear());

async function newEvent(capacities = { a: 5, b: 5, c: 5, d: 5 }) {
  const eventId = freshEventId('network');
  await store.putEventDefinition(eventId, faultEvent(capacities));
  return eventId;
}

const registerOver = (eventId: string, n: number, choices?: Record<string, string>) =>
  api(stack, 'POST', `/events/${eventId}/registrations`, registrationBody(n, choices));

async function confirmedInTable(eventId: string) {
  const state = await assertEventConsistent(direct, stack.tableName, eventId);
  return state;
}

/**
 * Counts requests of `op` that reach the proxy while `work` runs; for TransactWriteItems only the ones that put
 * a registration (the email outbox is settled by another transaction after the commit).
 */
async function counting<T>(op: string, work: () => Promise<T>): Promise<[T, number]> {
  const ours = (body: string) => op !== 'TransactWriteItems' || body.includes('{"S":"registration"}');
  const before = proxy.count(op, ours);
  const result = await work();
  return [result, proxy.count(op, ours) - before];
}

describe('connection reset before the request reaches DynamoDB', () => {
  it('on every attempt of the transaction: 503 TRY_AGAIN, nothing booked', async () => {
    const eventId = await newEvent();
    proxy.failNext('TransactWriteItems', 'reset', SDK_ATTEMPTS);
    const [response, attempts] = await counting('TransactWriteItems', () => registerOver(eventId, 1));
    expectTryAgain(response);
    expect(attempts).toBe(SDK_ATTEMPTS);
    const state = await confirmedInTable(eventId);
    expect(state.registrations).toEqual([]);
    expect([...state.workshops.values()].map((w) => w.taken)).toEqual([0, 0, 0, 0]);
  });

  it('once: the SDK retries, 201, booked once', async () => {
    const eventId = await newEvent();
    proxy.failNext('TransactWriteItems', 'reset', 1);
    const response = await registerOver(eventId, 1);
    expect(response.status).toBe(201);
    const state = await confirmedInTable(eventId);
    expect(state.registrations.map((r) => r.id)).toEqual([response.body.registration.id]);
    expect(state.workshops.get('a')?.taken).toBe(1);
  });

  it('on reading the event: 503 TRY_AGAIN, no transaction sent', async () => {
    const eventId = await newEvent();
    proxy.failNext('GetItem', 'reset', SDK_ATTEMPTS);
    const [response, transactions] = await counting('TransactWriteItems', () => registerOver(eventId, 1));
    expectTryAgain(response);
    expect(transactions).toBe(0);
    expect((await confirmedInTable(eventId)).registrations).toEqual([]);
  });
});

describe('the answer is lost after DynamoDB committed', () => {
  it('once: the SDK retry replays the same ClientRequestToken, 201, the seats are counted once', async () => {
    const eventId = await newEvent();
    proxy.failNext('TransactWriteItems', 'commit-then-reset', 1);
    const [response, attempts] = await counting('TransactWriteItems', () => registerOver(eventId, 1));
    expect(response.status).toBe(201);
    expect(attempts).toBe(2);
    const state = await confirmedInTable(eventId);
    expect(state.registrations.map((r) => r.id)).toEqual([response.body.registration.id]);
    expect(state.workshops.get('a')?.taken).toBe(1);
    expect(state.workshops.get('c')?.taken).toBe(1);
  });

  it('on every attempt: 503, yet booked exactly once; the retry is told 409 ALREADY_REGISTERED (known gap)', async () => {
    // The client cannot be told the truth here: DynamoDB did commit, no answer came back. What must hold is
    // that nothing is counted twice and that a retry cannot book a second seat. See the report of issue 8.
    const eventId = await newEvent();
    proxy.failNext('TransactWriteItems', 'commit-then-reset', SDK_ATTEMPTS);
    expectTryAgain(await registerOver(eventId, 1));
    let state = await confirmedInTable(eventId);
    expect(state.registrations).toHaveLength(1);
    expect(state.workshops.get('a')?.taken).toBe(1);

    const retry = await registerOver(eventId, 1);
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('ALREADY_REGISTERED');
    state = await confirmedInTable(eventId);
    expect(state.registrations).toHaveLength(1);
    expect(state.workshops.get('a')?.taken).toBe(1);
  });
});

describe('the answer of a cancel is lost after DynamoDB committed', () => {
  it('on every attempt: 503, yet cancelled once; the retried DELETE is 200 and releases nothing more', async () => {
    const eventId = await newEvent();
    const { registration, manageToken } = await register(
      {
        eventId,
        name: 'Anna',
        email: 'anna.cancel@example.nl',
        organisation: 'Org',
        choices: { '1': 'a', '2': 'c' },
        locale: 'nl',
      },
      { events: store, registrations: store, clock: systemClock, secrets: cryptoSecrets },
    );
    const auth = { Authorization: `Bearer ${manageToken}` };
    proxy.failNext('TransactWriteItems', 'commit-then-reset', SDK_ATTEMPTS);
    expectTryAgain(await api(stack, 'DELETE', `/registrations/${registration.id}`, undefined, auth));
    proxy.clear();
    let state = await confirmedInTable(eventId);
    expect(state.registrations.map((r) => r.status)).toEqual(['cancelled']);
    expect(state.workshops.get('a')?.taken).toBe(0);

    const retry = await api(stack, 'DELETE', `/registrations/${registration.id}`, undefined, auth);
    expect(retry.status).toBe(200);
    expect(retry.body.registration.status).toBe('cancelled');
    state = await confirmedInTable(eventId);
    expect(state.workshops.get('a')?.taken).toBe(0);
    expect(state.workshops.get('c')?.taken).toBe(0);
  });
});

describe('a storm through a flaky network', () => {
  it('80 concurrent registrations for 10 seats with resets and lost answers: only 201, 409, 503; consistent', async () => {
    const eventId = await newEvent({ a: 10, b: 100, c: 100, d: 100 });
    proxy.failNext('TransactWriteItems', 'reset', 15);
    proxy.failNext('TransactWriteItems', 'commit-then-reset', 10);
    proxy.failNext('GetItem', 'reset', 10);
    const responses = await Promise.all(Array.from({ length: 80 }, (_, n) => registerOver(eventId, n)));
    proxy.clear();

    expect(responses.map((r) => r.status).filter((status) => ![201, 409, 503].includes(status))).toEqual([]);
    const confirmed = responses.filter((r) => r.status === 201).map((r) => r.body.registration.id as string);
    const state = await confirmedInTable(eventId);
    const stored = state.registrations.map((r) => r.id);
    // Every 201 is stored; a 503 may hide a commit (answer lost), never a partial one.
    for (const id of confirmed) expect(stored).toContain(id);
    expect(stored.length).toBeLessThanOrEqual(10);
    expect(state.workshops.get('a')?.taken).toBe(stored.length);
  });
});

describe('a DynamoDB endpoint nobody listens on (connection refused)', () => {
  it('reads, registrations and event updates fail with TryAgain; the real table is untouched', async () => {
    const eventId = await newEvent();
    const dead = createDocumentClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      requestTimeoutMs: 1_000,
      connectionTimeoutMs: 1_000,
    });
    const deadStore = new DynamoStore(dead, stack.tableName);
    try {
      await expect(deadStore.getEvent(eventId)).rejects.toBeInstanceOf(TryAgain);
      await expect(
        deadStore.putEventDefinition(eventId, faultEvent({ a: 1, b: 1, c: 1, d: 1 })),
      ).rejects.toBeInstanceOf(TryAgain);
      await expect(
        register(
          {
            eventId,
            name: 'Anna',
            email: 'anna@example.nl',
            organisation: 'Org',
            choices: { '1': 'a', '2': 'c' },
            locale: 'nl',
          },
          { events: deadStore, registrations: deadStore, clock: systemClock, secrets: cryptoSecrets },
        ),
      ).rejects.toBeInstanceOf(TryAgain);
      const registration = {
        id: 'never-stored',
        eventId,
        name: 'Anna',
        email: 'anna@example.nl',
        organisation: 'Org',
        choices: { '1': 'a', '2': 'c' },
        status: 'confirmed' as const,
        locale: 'nl' as const,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      };
      await expect(
        deadStore.createRegistration({ registration, emailHash: 'x', manageTokenHash: 'y' }),
      ).rejects.toBeInstanceOf(TryAgain);
    } finally {
      dead.destroy();
    }
    const state = await confirmedInTable(eventId);
    expect(state.registrations).toEqual([]);
    expect(state.workshops.get('a')?.capacity).toBe(5);
  });
});
