/**
 * Promotion when things fail, on the whole local stack (real handlers, embedded DynamoDB, local SES):
 *  - the promotion right after a cancellation cannot run (the embedded DynamoDB refuses the promotion's
 *    transaction for a moment, or the process dies between the cancel's commit and the walk): the cancel still
 *    answers 200, and the next scheduled sweep (`promoteWaitingLists`) promotes the first in line, once;
 *  - SES fails on the promotion email: the promotion is committed anyway, and the email sweep
 *    (`sendDueEmails`) sends it later with a working, fresh manage link: one promotion email in the end.
 * After every scenario the seats are checked against the holders read from the table.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { systemClock } from '../../lambdas/adapters/system.js';
import { DELIVERY } from '../../lambdas/domain/email.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import { cancelRegistration } from '../../lambdas/use-cases/cancel-registration.js';
import type { LocalStack } from '../../local/stack.js';
import { assertEventConsistent, satisfiableEntries } from '../model/invariants.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';
import { registerWithManageLink } from '../support/registrations.js';
import { freshEventId } from './support.js';

// The embedded DynamoDB's fault switch exists only when no other endpoint is given.
const external = Boolean(process.env.DYNAMODB_ENDPOINT);

let stack: LocalStack;
let direct: DynamoDBDocumentClient;
let store: DynamoStore;
const admin = () => ({ Authorization: `Bearer ${stack.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  stack = await startTestStack();
  direct = createDocumentClient({
    region: 'eu-west-1',
    endpoint: stack.dynamodbEndpoint,
    requestTimeoutMs: 30_000,
  });
  store = new DynamoStore(direct, stack.tableName);
});
afterAll(async () => {
  direct?.destroy();
  await stack?.close();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  stack.embeddedDynamo?.faults.clear();
});

function definition(capacities: { a: number; b: number; c: number; d: number }): EventDefinition {
  const workshop = (id: 'a' | 'b' | 'c' | 'd') => ({
    id,
    title: `Workshop ${id.toUpperCase()}`,
    description: '',
    speakers: [],
    capacity: capacities[id],
  });
  return {
    title: 'Wachtlijst storingsdag',
    date: '2030-06-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      { id: '1', title: 'Ronde 1', workshops: [workshop('a'), workshop('b')] },
      { id: '2', title: 'Ronde 2', workshops: [workshop('c'), workshop('d')] },
    ],
  };
}

/** An event where a has one seat; someone holds it and two people wait for it, in that order. */
async function fullEventWithTwoWaiting(prefix: string) {
  const eventId = freshEventId(prefix);
  const created = await api(
    stack,
    'PUT',
    `/admin/events/${eventId}`,
    definition({ a: 1, b: 5, c: 5, d: 5 }),
    admin(),
  );
  expect(created.status).toBeLessThan(300);
  const holder = await registerPerson(eventId, `${eventId}-holder`, { '1': 'a', '2': 'c' });
  const first = await registerPerson(eventId, `${eventId}-first`, { '1': 'b', '2': 'c' }, { '1': 'a' });
  const second = await registerPerson(eventId, `${eventId}-second`, { '1': 'b', '2': 'd' }, { '1': 'a' });
  expect(first.waitingPositions).toEqual({ a: 1 });
  expect(second.waitingPositions).toEqual({ a: 2 });
  return { eventId, holder, first, second };
}

/** Registers over HTTP and follows the confirmation email's manage link, as a person would. */
async function registerPerson(
  eventId: string,
  name: string,
  choices: Record<string, string>,
  waitFor?: Record<string, string>,
) {
  const who = { name, email: `${name}@example.nl`, organisation: 'Gemeente Storing', consent: true };
  const { id, email, token, response } = await registerWithManageLink(stack, eventId, who, choices, waitFor);
  return {
    id,
    email,
    token,
    waitingPositions: response.body.registration.waitingPositions as Record<string, number> | undefined,
  };
}

const promotionEmails = async (address: string) =>
  (await emailsTo(stack, address)).filter((email) => /plaats vrijgekomen/i.test(email.subject));

type SweepResult = { promoted: number; failedEventIds: string[] };
/**
 * The scheduled promotion sweep over every event of the stack (it throws when an event failed). What it did
 * for the scenario's own event is checked on the event itself: the counts include every other event.
 */
const sweepPromotions = async () => (await stack.runScheduled('promoteWaitingLists')) as SweepResult;

/**
 * The event read from the table agrees with itself (test/model/invariants.ts: seats = confirmed holders within
 * capacity, one active registration per email, entries ⟷ `waitingFor`); returns taken per workshop.
 */
async function seatsOf(eventId: string) {
  const state = await assertEventConsistent(direct, stack.tableName, eventId);
  return Object.fromEntries([...state.workshops].map(([id, workshop]) => [id, workshop.taken]));
}

/** Once promotion has settled, no entry is left that the free seats could satisfy. */
async function expectSettled(eventId: string) {
  const state = await assertEventConsistent(direct, stack.tableName, eventId);
  expect(satisfiableEntries(state)).toEqual([]);
}

/** The waiting person, after the holder left but before any promotion: still waiting, a is free. */
async function expectNotPromotedYet(eventId: string, person: { id: string }) {
  expect(await store.getRegistration(person.id)).toMatchObject({
    status: 'confirmed',
    choices: { '1': 'b', '2': 'c' },
    waitingFor: { '1': ['a'] },
  });
  expect(await seatsOf(eventId)).toEqual({ a: 0, b: 2, c: 1, d: 1 });
}

/** The first in line got a (once), b released; the second still waits; one promotion email with a working link. */
async function expectFirstPromotedOnce(
  eventId: string,
  first: { id: string; email: string; token: string },
  second: { id: string; email: string },
) {
  const promoted = await store.getRegistration(first.id);
  expect(promoted).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'c' } });
  expect(promoted?.waitingFor).toBeUndefined();
  // Registered (1), joined with it, promoted (2): one version step for the one promotion.
  expect(promoted?.version).toBe(2);
  expect(await store.getRegistration(second.id)).toMatchObject({
    choices: { '1': 'b', '2': 'd' },
    waitingFor: { '1': ['a'] },
  });
  expect(await seatsOf(eventId)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  await expectSettled(eventId);

  const mails = await promotionEmails(first.email);
  expect(mails).toHaveLength(1);
  expect(await promotionEmails(second.email)).toHaveLength(0);
  const link = manageLink(mails[0] as (typeof mails)[number]);
  expect(link.id).toBe(first.id);
  const view = await api(stack, 'GET', `/registrations/${first.id}`, undefined, bearer(link.token));
  expect(view.status).toBe(200);
  expect(view.body.registration).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'c' } });
  // The link of the confirmation email stopped working: the promotion email carries the fresh one.
  const old = await api(stack, 'GET', `/registrations/${first.id}`, undefined, bearer(first.token));
  expect(old.status).toBe(404);
  return link;
}

type Send = (command: unknown, ...rest: unknown[]) => Promise<unknown>;
type TransactInput = {
  TransactItems?: { Delete?: { Key?: { pk?: unknown }; ConditionExpression?: string } }[];
};

/** The promotion's transaction: the only one deleting a waiting entry on the condition of its `joinedAt`. */
function isPromotion(command: unknown): boolean {
  const items = (command as { input?: TransactInput }).input?.TransactItems ?? [];
  return items.some(
    (item) =>
      String(item.Delete?.Key?.pk ?? '').startsWith('WAIT#') &&
      item.Delete?.ConditionExpression === 'joinedAt = :joinedAt',
  );
}

describe('the promotion after a cancellation cannot run: the sweep promotes later, once', () => {
  it.skipIf(external)(
    'the embedded DynamoDB refuses the promotion’s transaction: the cancel answers 200, the sweep promotes the first in line once',
    async () => {
      const { eventId, holder, first, second } = await fullEventWithTwoWaiting('wl-refused');
      const faults = stack.embeddedDynamo?.faults;
      if (!faults) throw new Error('no embedded DynamoDB');

      // While refusing, every attempt of a promotion transaction meets a TransactionConflict from the
      // embedded DynamoDB (the store retries it with backoff, then gives up); everything else goes through.
      let refusing = true;
      let refused = 0;
      const prototype = DynamoDBDocumentClient.prototype as unknown as { send: Send };
      const realSend = prototype.send;
      (vi.spyOn(prototype, 'send') as unknown as MockInstance<Send>).mockImplementation(function (
        this: unknown,
        command,
        ...rest
      ) {
        if (refusing && isPromotion(command)) {
          refused += 1;
          faults.failNext('TransactWriteItems', 'TransactionConflict', 1);
        }
        return realSend.call(this, command, ...rest);
      });

      const cancelled = await api(
        stack,
        'DELETE',
        `/registrations/${holder.id}`,
        undefined,
        bearer(holder.token),
      );
      refusing = false;
      faults.clear();
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.registration.status).toBe('cancelled');
      expect(refused).toBeGreaterThan(0);
      await expectNotPromotedYet(eventId, first);
      expect(await promotionEmails(first.email)).toHaveLength(0);

      expect((await sweepPromotions()).promoted).toBeGreaterThanOrEqual(1);
      await expectFirstPromotedOnce(eventId, first, second);
      // Later sweeps find nothing more to do: the promotion and its email happen once.
      await sweepPromotions();
      expect((await store.getRegistration(first.id))?.version).toBe(2);
      expect(await promotionEmails(first.email)).toHaveLength(1);
    },
  );

  it('a crash between the cancel’s commit and the walk: the next sweep promotes the first in line once', async () => {
    const { eventId, holder, first, second } = await fullEventWithTwoWaiting('wl-crash');
    // The cancel commits, then the process dies: the walk and the emails that follow it never run.
    const { cancelledNow } = await cancelRegistration(
      { registrationId: holder.id, by: 'organiser', eventId },
      { registrations: store, clock: systemClock },
    );
    expect(cancelledNow).toBe(true);
    await expectNotPromotedYet(eventId, first);

    // Two sweeps at the same time (the schedule overlapping a slow run): still one promotion.
    const sweeps = await Promise.all([sweepPromotions(), sweepPromotions()]);
    expect(sweeps[0].promoted + sweeps[1].promoted).toBeGreaterThanOrEqual(1);
    await expectFirstPromotedOnce(eventId, first, second);
    await sweepPromotions();
    expect((await store.getRegistration(first.id))?.version).toBe(2);
    expect(await promotionEmails(first.email)).toHaveLength(1);
  });
});

describe('SES fails on the promotion email', () => {
  it('the promotion commits anyway; the email sweep sends it later, once, with a fresh working link', async () => {
    const { eventId, holder, first, second } = await fullEventWithTwoWaiting('wl-ses');

    // SES refuses every email to the first in line; others go through.
    let sesDown = true;
    let refusedMails = 0;
    const prototype = SESv2Client.prototype as unknown as { send: Send };
    const realSend = prototype.send;
    (vi.spyOn(prototype, 'send') as unknown as MockInstance<Send>).mockImplementation(function (
      this: unknown,
      command,
      ...rest
    ) {
      const to = (command as { input?: { Destination?: { ToAddresses?: string[] } } }).input?.Destination
        ?.ToAddresses;
      if (sesDown && to?.includes(first.email)) {
        refusedMails += 1;
        return Promise.reject(
          Object.assign(new Error('Service unavailable'), {
            name: 'ServiceUnavailable',
            $fault: 'server',
            $metadata: { httpStatusCode: 503 },
          }),
        );
      }
      return realSend.call(this, command, ...rest);
    });

    const cancelled = await api(
      stack,
      'DELETE',
      `/registrations/${holder.id}`,
      undefined,
      bearer(holder.token),
    );
    expect(cancelled.status).toBe(200);
    await stack.emailsSettled(); // the sender has tried the promotion email (after the answer)
    expect(refusedMails).toBeGreaterThan(0);

    // Committed in the request, email or not: the seat, the registration, the email owed.
    const committed = await store.getRegistration(first.id);
    expect(committed).toMatchObject({
      status: 'confirmed',
      choices: { '1': 'a', '2': 'c' },
      confirmation: { kind: 'promotion', state: 'pending', attempts: 1 },
    });
    expect(await seatsOf(eventId)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(await promotionEmails(first.email)).toHaveLength(0);
    // The cancellation email to the holder was not held up.
    expect((await emailsTo(stack, holder.email)).length).toBe(2);

    sesDown = false;
    // Too early: the retry waits for its backoff, nothing is sent yet.
    await stack.runScheduled('sendDueEmails');
    expect(await promotionEmails(first.email)).toHaveLength(0);

    // Past the backoff (the handlers read the system clock): the sweep sends it.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + DELIVERY.leaseMs + 60_000 });
    await stack.runScheduled('sendDueEmails');
    vi.useRealTimers();

    const link = await expectFirstPromotedOnce(eventId, first, second);
    const sent = await store.getRegistration(first.id);
    expect(sent?.confirmation).toMatchObject({ kind: 'promotion', state: 'sent' });
    // A fresh token: not the one whose email never arrived.
    expect(sent?.manageTokenHash).toBe(sha256Hex(link.token));
    expect(sent?.manageTokenHash).not.toBe(committed?.manageTokenHash);

    // Later sweeps send nothing more, and promote nobody again.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + DELIVERY.maxDelayMs + DELIVERY.leaseMs });
    await stack.runScheduled('sendDueEmails');
    vi.useRealTimers();
    expect(await promotionEmails(first.email)).toHaveLength(1);
    await sweepPromotions();
    expect(await store.getRegistration(first.id)).toMatchObject({ version: 2, choices: { '1': 'a' } });
  });
});
