/**
 * SES outages and a crash between the commit and the email, on the embedded DynamoDB with the real store and
 * outbox (lambdas/adapters/dynamodb/outbox.ts) and a Mailer that fails on demand. The confirmation email is
 * committed with the registration (transactional outbox); what must hold:
 *  - a registration never depends on SES: it is confirmed and its seats counted once whatever SES does;
 *  - an email owed is sent once SES is back (or the lease of a crashed sender runs out), exactly once,
 *    with a manage link that works, even when two senders sweep at the same time;
 *  - an outage that outlasts every attempt ends as `failed` (visible to organisers), seats untouched.
 * The clock is controlled, so backoff and leases pass without waiting.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.js';
import { defaultRetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import {
  DELIVERY,
  type OutgoingEmail,
  PermanentDeliveryFailure,
  TransientDeliveryFailure,
} from '../../lambdas/domain/email.js';
import type { Mailer } from '../../lambdas/ports.js';
import { changeChoices } from '../../lambdas/use-cases/change-choices.js';
import { deliverDueEmails, deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { register } from '../../lambdas/use-cases/register.js';
import { assertEventConsistent } from '../model/invariants.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { faultEvent, freshEventId } from './support.js';

const PUBLIC_BASE_URL = 'https://aanmelden.example.nl';

/** A mailer that is down until told otherwise, and remembers what it delivered. */
class FlakyMailer implements Mailer {
  sent: OutgoingEmail[] = [];
  tried: OutgoingEmail[] = [];
  failure: Error | undefined;

  /** Attempts to one address (other scenarios' emails may be due in the same sweep). */
  attemptsTo(address: string): number {
    return this.tried.filter((mail) => mail.to.includes(address)).length;
  }

  async send(email: OutgoingEmail): Promise<void> {
    this.tried.push(email);
    if (this.failure) throw this.failure;
    this.sent.push(email);
  }
}

let table: TestTable;
let store: DynamoStore;
let outbox: DynamoOutbox;
let mailer: FlakyMailer;
let now: Date;
const clock = { now: () => now };
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

const delivery = () => ({ outbox, mailer, clock, publicBaseUrl: PUBLIC_BASE_URL });
const retryDeps = () => ({ ...delivery(), registrations: store, events: store, secrets: cryptoSecrets });

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
  outbox = new DynamoOutbox(table.documentClient, table.tableName);
});
afterAll(async () => table?.close());
beforeEach(() => {
  mailer = new FlakyMailer();
  now = new Date();
});

async function registerOne(eventId: string, n = 1) {
  return register(
    {
      eventId,
      name: `Deelnemer ${n}`,
      email: `deelnemer${n}@example.nl`,
      organisation: 'Gemeente',
      choices: { '1': 'a', '2': 'c' },
      locale: 'nl',
    },
    { events: store, registrations: store, clock, secrets: cryptoSecrets },
  );
}

async function newEvent() {
  const eventId = freshEventId('email');
  await store.putEventDefinition(eventId, faultEvent({ a: 5, b: 5, c: 5, d: 5 }));
  return eventId;
}

const mailsTo = (address: string) => mailer.sent.filter((mail) => mail.to.includes(address));
const tokenIn = (mail: OutgoingEmail | undefined) => {
  const match = /#token=([A-Za-z0-9_%-]+)/.exec(mail?.text ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
};

/** Sweeps until nothing is due any more (at most `rounds` times), moving the clock past each backoff. */
async function sweepUntilQuiet(rounds = DELIVERY.maxAttempts + 2) {
  for (let round = 0; round < rounds; round++) {
    advance(DELIVERY.maxDelayMs + DELIVERY.leaseMs + 1_000);
    const outcomes = await deliverDueEmails(retryDeps());
    if (outcomes.length === 0) return;
  }
}

describe('SES outage and a crash between commit and email', () => {
  it('SES down at registration: confirmed anyway, seats once; the email goes out once SES is back', async () => {
    const eventId = await newEvent();
    mailer.failure = new TransientDeliveryFailure('ServiceUnavailable');
    const result = await registerOne(eventId);
    const first = await deliverNewEntry(result.outbox, retryDeps());
    expect(first?.result).toBe('retry');

    let state = await assertEventConsistent(table.documentClient, table.tableName, eventId);
    expect(state.registrations.map((r) => [r.id, r.status])).toEqual([[result.registration.id, 'confirmed']]);
    expect(state.workshops.get('a')?.taken).toBe(1);
    const stored = await store.getRegistration(result.registration.id);
    expect(stored?.confirmation).toMatchObject({ state: 'pending', attempts: 1 });

    // Still down at the first retry: backoff, nothing sent.
    advance(DELIVERY.leaseMs + DELIVERY.baseDelayMs + 1_000);
    await deliverDueEmails(retryDeps());
    expect(mailsTo('deelnemer1@example.nl')).toHaveLength(0);

    mailer.failure = undefined;
    await sweepUntilQuiet();
    const mails = mailsTo('deelnemer1@example.nl');
    expect(mails).toHaveLength(1);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'sent',
    });

    // The link in the email that did arrive works; the token of the one that never arrived does not.
    const token = tokenIn(mails[0]);
    expect(token).toBeDefined();
    expect(token).not.toBe(result.manageToken);
    await expect(
      changeChoices(
        { registrationId: result.registration.id, manageToken: result.manageToken, choices: { '1': 'b' } },
        { registrations: store, events: store, clock },
      ),
    ).rejects.toMatchObject({ code: 'REGISTRATION_NOT_FOUND' });
    await changeChoices(
      { registrationId: result.registration.id, manageToken: token ?? '', choices: { '1': 'b' } },
      { registrations: store, events: store, clock },
    );
    state = await assertEventConsistent(table.documentClient, table.tableName, eventId);
    expect(state.workshops.get('a')?.taken).toBe(0);
    expect(state.workshops.get('b')?.taken).toBe(1);
  });

  it('a crash right after the commit (no send attempted): sent once after the lease, never before', async () => {
    const eventId = await newEvent();
    const result = await registerOne(eventId, 2);
    // The process dies here: the sender never runs.
    await assertEventConsistent(table.documentClient, table.tableName, eventId);

    await deliverDueEmails(retryDeps());
    expect(mailsTo('deelnemer2@example.nl')).toHaveLength(0);
    advance(DELIVERY.leaseMs + 1_000);
    await deliverDueEmails(retryDeps());
    await deliverDueEmails(retryDeps());
    expect(mailsTo('deelnemer2@example.nl')).toHaveLength(1);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'sent',
    });
  });

  it('two senders sweeping at the same time send the email once', async () => {
    const eventId = await newEvent();
    await registerOne(eventId, 3);
    advance(DELIVERY.leaseMs + 1_000);
    await Promise.all([
      deliverDueEmails(retryDeps()),
      deliverDueEmails(retryDeps()),
      deliverDueEmails(retryDeps()),
    ]);
    expect(mailsTo('deelnemer3@example.nl')).toHaveLength(1);
  });

  it('an outage longer than every attempt: the email is given up (failed), the registration and seats stay', async () => {
    const eventId = await newEvent();
    mailer.failure = new TransientDeliveryFailure('ServiceUnavailable');
    const result = await registerOne(eventId, 4);
    await deliverNewEntry(result.outbox, retryDeps());
    await sweepUntilQuiet();
    expect(mailer.attemptsTo('deelnemer4@example.nl')).toBe(DELIVERY.maxAttempts);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'failed',
      attempts: DELIVERY.maxAttempts,
    });
    const state = await assertEventConsistent(table.documentClient, table.tableName, eventId);
    expect(state.registrations.map((r) => r.status)).toEqual(['confirmed']);
    expect(state.workshops.get('a')?.taken).toBe(1);

    // Nothing is retried after giving up, even once SES is back.
    mailer.failure = undefined;
    await sweepUntilQuiet(2);
    expect(mailsTo('deelnemer4@example.nl')).toHaveLength(0);
  });

  it('an address SES rejects is given up at once, without retries', async () => {
    const eventId = await newEvent();
    mailer.failure = new PermanentDeliveryFailure('MessageRejected');
    const result = await registerOne(eventId, 5);
    const outcome = await deliverNewEntry(result.outbox, retryDeps());
    expect(outcome?.result).toBe('gave-up');
    await sweepUntilQuiet(2);
    expect(mailer.attemptsTo('deelnemer5@example.nl')).toBe(1);
    await assertEventConsistent(table.documentClient, table.tableName, eventId);
  });

  it('the outbox write failing with the registration: neither is stored (one transaction)', async () => {
    const eventId = await newEvent();
    const embedded = table.embedded;
    if (!embedded) return; // the fault switch exists on the embedded DynamoDB only
    // More conflicts than the store's retry policy attempts: the registration's transaction never commits.
    embedded.faults.failNext('TransactWriteItems', 'TransactionConflict', defaultRetryPolicy.maxAttempts + 1);
    await expect(registerOne(eventId, 6)).rejects.toMatchObject({ code: 'TRY_AGAIN' });
    embedded.faults.clear();
    const state = await assertEventConsistent(table.documentClient, table.tableName, eventId);
    expect(state.registrations).toEqual([]);
    advance(DELIVERY.leaseMs + 1_000);
    await deliverDueEmails(retryDeps());
    expect(mailsTo('deelnemer6@example.nl')).toHaveLength(0);
  });
});
