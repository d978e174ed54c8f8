import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCheckIns } from '../../lambdas/adapters/dynamodb/check-ins.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';

let stack: LocalStack;
let checkIns: DynamoCheckIns;
let store: DynamoStore;
let documentClient: ReturnType<typeof createDocumentClient>;
const admin = () => ({ Authorization: `Bearer ${stack.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const definition = (capacities: Record<string, number>, date = '2030-05-01'): EventDefinition => ({
  title: 'Incheckdag',
  date,
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: ['a', 'b'].map((id) => ({
        id,
        title: `Workshop ${id}`,
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
        title: `Workshop ${id}`,
        description: '',
        speakers: [],
        capacity: capacities[id] ?? 0,
      })),
    },
  ],
});

let people = 0;
async function createEvent(eventId: string, capacities: Record<string, number>, date?: string) {
  const response = await api(stack, 'PUT', `/admin/events/${eventId}`, definition(capacities, date), admin());
  expect(response.status).toBeLessThan(300);
}

/** Registers over HTTP and follows the confirmation email's manage link, as a person would. */
async function registerPerson(
  eventId: string,
  choices: Record<string, string>,
  waitFor?: Record<string, string>,
) {
  people += 1;
  const who = {
    name: `Deelnemer ${people}`,
    email: `incheck${people}@example.nl`,
    organisation: `Gemeente ${people}`,
    consent: true,
  };
  const response = await api(stack, 'POST', `/events/${eventId}/registrations`, { ...who, choices, waitFor });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const [email] = await emailsTo(stack, who.email);
  if (!email) throw new Error('no confirmation email');
  return { ...who, id: response.body.registration.id as string, token: manageLink(email).token };
}

async function codeOf(registrationId: string, token: string): Promise<string | undefined> {
  const view = await api(stack, 'GET', `/registrations/${registrationId}`, undefined, bearer(token));
  expect(view.status).toBe(200);
  return view.body.checkIn?.code;
}

/** Every item of the table that mentions the text anywhere. */
async function itemsMentioning(text: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documentClient.send(new ScanCommand({ TableName: stack.tableName }));
  return Items.filter((item) => JSON.stringify(item).includes(text));
}

beforeAll(async () => {
  stack = await startTestStack();
  documentClient = createDocumentClient({
    region: process.env.AWS_REGION ?? 'eu-west-1',
    endpoint: stack.dynamodbEndpoint,
    requestTimeoutMs: 30_000,
  });
  checkIns = new DynamoCheckIns(documentClient, stack.tableName);
  store = new DynamoStore(documentClient, stack.tableName);
});
afterAll(async () => {
  documentClient?.destroy();
  await stack?.close();
});

describe('check-in codes', () => {
  it('a confirmed registration shows its readable code to its owner, and the code finds it', async () => {
    await createEvent('ci-codes', { a: 5, b: 5, c: 5, d: 5 });
    const anna = await registerPerson('ci-codes', { '1': 'a', '2': 'c' });
    const code = await codeOf(anna.id, anna.token);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    if (!code) return;
    expect(code).not.toContain(anna.token);
    expect(await checkIns.registrationIdForCode('ci-codes', code)).toBe(anna.id);
    // Another person's code is another code.
    const bert = await registerPerson('ci-codes', { '1': 'b', '2': 'd' });
    expect(await codeOf(bert.id, bert.token)).not.toBe(code);
  });

  it('rotates with the manage token when an email is sent again: the old code finds nobody', async () => {
    const carla = await registerPerson('ci-codes', { '1': 'a', '2': 'd' });
    const before = await codeOf(carla.id, carla.token);
    const newToken = 'een-nieuw-token-van-minstens-32-tekens';
    await store.replaceManageToken(carla.id, sha256Hex(newToken));
    const after = await codeOf(carla.id, newToken);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    if (!before || !after) return;
    expect(await checkIns.registrationIdForCode('ci-codes', before)).toBeUndefined();
    expect(await checkIns.registrationIdForCode('ci-codes', after)).toBe(carla.id);
  });

  it('rotates at a promotion (the promotion email carries a new link), and a waiting one has no code', async () => {
    await createEvent('ci-promote', { a: 1, b: 5, c: 5, d: 5 });
    const holder = await registerPerson('ci-promote', { '1': 'a', '2': 'c' });
    const waiter = await registerPerson('ci-promote', { '1': 'b', '2': 'c' }, { '1': 'a' });
    const before = await codeOf(waiter.id, waiter.token);
    expect(before).toBeDefined();
    await api(stack, 'DELETE', `/registrations/${holder.id}`, undefined, bearer(holder.token));
    const promoted = (await emailsTo(stack, waiter.email)).find((email) =>
      /plaats vrijgekomen/i.test(email.subject),
    );
    if (!promoted || !before) throw new Error('no promotion email');
    const after = await codeOf(waiter.id, manageLink(promoted).token);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await checkIns.registrationIdForCode('ci-promote', before)).toBeUndefined();
    if (after) expect(await checkIns.registrationIdForCode('ci-promote', after)).toBe(waiter.id);

    // Signed up for a place on the waiting list: no seat, so no code yet.
    const signup = await api(stack, 'POST', '/events/ci-promote/waiting-list', {
      name: 'Wachtende',
      email: 'wachtende@example.nl',
      organisation: 'Provincie',
      consent: true,
      accepts: { '1': ['a'], '2': ['c'] },
    });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    const [listed] = await emailsTo(stack, 'wachtende@example.nl');
    if (!listed) throw new Error('no waiting-list email');
    expect(await codeOf(signup.body.registration.id, manageLink(listed).token)).toBeUndefined();
  });

  it('erasure removes the code: nothing in the table leads to the registration by it', async () => {
    const dirk = await registerPerson('ci-codes', { '1': 'b', '2': 'c' });
    const code = await codeOf(dirk.id, dirk.token);
    if (!code) throw new Error('no code');
    const erased = await api(
      stack,
      'DELETE',
      `/registrations/${dirk.id}/personal-data`,
      undefined,
      bearer(dirk.token),
    );
    expect(erased.status).toBe(200);
    expect(await checkIns.registrationIdForCode('ci-codes', code)).toBeUndefined();
    expect(await itemsMentioning(code)).toEqual([]);
  });
});
