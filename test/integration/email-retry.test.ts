import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.js';
import { lazySesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import { DELIVERY } from '../../lambdas/domain/email.js';
import { matchesHash } from '../../lambdas/domain/hashing.js';
import { deliverDueEmails, deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { register } from '../../lambdas/use-cases/register.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { sampleDefinition } from '../support/fakes.js';

const ses = mockClient(SESv2Client);
let table: TestTable;
let store: DynamoStore;
let outbox: DynamoOutbox;
let now: Date;
const clock = { now: () => now };
const later = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

const mailer = new SesMailer(lazySesClient({ region: 'eu-west-1' }), {
  from: 'Testdag <aanmelden@example.nl>',
});
const delivery = () => ({ outbox, mailer, clock, publicBaseUrl: 'https://aanmelden.example.nl' });
const retry = () => ({ ...delivery(), registrations: store, events: store, secrets: cryptoSecrets });

function sesError(name: string, status = 400) {
  return Object.assign(new Error(name), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}

let n = 0;
async function registerSomeone() {
  n += 1;
  return register(
    {
      eventId: 'mail',
      name: `Persoon ${n}`,
      email: `persoon${n}@example.nl`,
      organisation: 'Gemeente',
      choices: { '1': 'a', '2': 'c' },
      locale: 'nl',
    },
    { events: store, registrations: store, clock, secrets: cryptoSecrets },
  );
}

/** Runs the sweep until nothing is due any more, moving the clock past every backoff. */
async function sweepUntilQuiet(rounds = DELIVERY.maxAttempts + 2) {
  for (let round = 0; round < rounds; round++) {
    later(DELIVERY.maxDelayMs + DELIVERY.leaseMs);
    await deliverDueEmails(retry());
  }
}

const sends = () => ses.commandCalls(SendEmailCommand).length;

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
  outbox = new DynamoOutbox(table.documentClient, table.tableName);
  now = new Date('2030-01-01T09:00:00Z');
  await store.putEventDefinition(
    'mail',
    sampleDefinition({
      rounds: sampleDefinition().rounds.map((r) => ({
        ...r,
        workshops: r.workshops.map((w) => ({ ...w, capacity: 1000 })),
      })),
    }),
  );
});
afterAll(async () => table.close());
beforeEach(async () => {
  // Leave nothing due from an earlier test.
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'drain' });
  await sweepUntilQuiet(2);
  ses.reset();
});

describe('delivery that loses nothing', () => {
  it.each([
    ['throttling', sesError('TooManyRequestsException', 429)],
    ['a 500', sesError('InternalFailure', 500)],
  ])(
    'keeps the registration when SES fails with %s, then sends it once when SES recovers',
    async (_label, failure) => {
      ses.on(SendEmailCommand).rejectsOnce(failure).resolves({ MessageId: 'm-1' });
      const result = await registerSomeone();
      const first = await deliverNewEntry(result.outbox, retry());
      expect(first?.result).toBe('retry');
      expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
        state: 'pending',
        attempts: 1,
      });

      await sweepUntilQuiet(3);
      expect(sends()).toBe(2);
      expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
        state: 'sent',
        attempts: 2,
      });
      await sweepUntilQuiet(3);
      expect(sends()).toBe(2);
    },
  );

  it('gives up at once on an address SES rejects, and shows it on the registration', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Address blacklisted', $metadata: {} }));
    const result = await registerSomeone();
    const outcome = await deliverNewEntry(result.outbox, retry());
    expect(outcome?.result).toBe('gave-up');
    await sweepUntilQuiet(3);
    expect(sends()).toBe(1);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'failed',
      attempts: 1,
    });
  });

  it('never gives up while SES is not ready (sandbox), and sends once it is', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: persoon@example.nl',
        $metadata: {},
      }),
    );
    const result = await registerSomeone();
    const first = await deliverNewEntry(result.outbox, retry());
    expect(first).toMatchObject({ result: 'retry', senderNotReady: true });
    await sweepUntilQuiet(DELIVERY.maxAttempts + 3);
    expect(sends()).toBeGreaterThan(DELIVERY.maxAttempts);
    const waiting = (await store.getRegistration(result.registration.id))?.confirmation;
    expect(waiting).toMatchObject({ state: 'pending' });
    expect(waiting?.lastError).not.toMatch(/@/);

    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-ready' });
    await sweepUntilQuiet(2);
    expect(sends()).toBe(1);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'sent',
    });
  });

  it('gives up after the last attempt while SES stays down', async () => {
    ses.on(SendEmailCommand).rejects(sesError('ServiceUnavailable', 503));
    const result = await registerSomeone();
    await deliverNewEntry(result.outbox, retry());
    await sweepUntilQuiet();
    expect(sends()).toBe(DELIVERY.maxAttempts);
    expect((await store.getRegistration(result.registration.id))?.confirmation).toMatchObject({
      state: 'failed',
      attempts: DELIVERY.maxAttempts,
    });
  });

  it('sends the email of a registration whose process died right after the commit, with a fresh token', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    const result = await registerSomeone();
    // No immediate attempt: as if the function crashed between commit and email.
    await deliverDueEmails(retry());
    expect(sends()).toBe(0);
    later(DELIVERY.leaseMs + 1);
    await deliverDueEmails(retry());
    expect(sends()).toBe(1);

    const text = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
    const fresh = /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
    const stored = await store.getRegistration(result.registration.id);
    expect(fresh.length).toBeGreaterThanOrEqual(20);
    expect(matchesHash(fresh, stored?.manageTokenHash ?? '')).toBe(true);
    // The token that never reached anyone no longer opens the registration.
    expect(matchesHash(result.manageToken, stored?.manageTokenHash ?? '')).toBe(false);
  });

  it('sends each due email once even when two sweeps run at the same time', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });
    const results = await Promise.all(Array.from({ length: 6 }, () => registerSomeone()));
    later(DELIVERY.leaseMs + 1);
    await Promise.all([deliverDueEmails(retry()), deliverDueEmails(retry())]);
    expect(sends()).toBe(6);
    for (const result of results) {
      expect((await store.getRegistration(result.registration.id))?.confirmation?.state).toBe('sent');
    }
  });
});
