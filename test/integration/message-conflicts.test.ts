import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamodb/message-store.js';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.js';
import { defaultRetryPolicy, type RetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { lazySesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import { DELIVERY, newMessageEntry } from '../../lambdas/domain/email.js';
import type { OrganiserMessage } from '../../lambdas/domain/message.js';
import { deliverDueEmails, deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { register } from '../../lambdas/use-cases/register.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { sampleDefinition } from '../support/fakes.js';

/**
 * An organisers' message to many people, every copy sent at once against the embedded DynamoDB's conflict model:
 * each copy's settle counts on the one message item, so real DynamoDB cancels overlapping ones.
 */
const ses = mockClient(SESv2Client);
let table: TestTable;
let store: DynamoStore;
let messages: DynamoMessageStore;
let now = new Date('2030-01-01T09:00:00Z');
const clock = { now: () => now };
const mailer = new SesMailer(lazySesClient({ region: 'eu-west-1' }), {
  from: 'Testdag <aanmelden@example.nl>',
});
const deps = (outbox: DynamoOutbox) => ({
  outbox,
  mailer,
  clock,
  publicBaseUrl: 'https://aanmelden.example.nl',
  registrations: store,
  events: store,
  secrets: cryptoSecrets,
  messages,
});

const RECIPIENTS = 40;

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
  messages = new DynamoMessageStore(table.documentClient, table.tableName);
  await store.putEventDefinition(
    'druk',
    sampleDefinition({
      rounds: sampleDefinition().rounds.map((r) => ({
        ...r,
        workshops: r.workshops.map((w) => ({ ...w, capacity: 1000 })),
      })),
    }),
  );
});
afterAll(async () => table?.close());

describe('a message to many recipients under transaction conflicts', () => {
  it.each<[string, RetryPolicy]>([
    ['conflicts waited out', defaultRetryPolicy],
    // No retry at all: every count refused is left to the sweep, which counts it and sends nothing again.
    ['conflicts not retried', { ...defaultRetryPolicy, maxAttempts: 1 }],
  ])('sends each copy once and counts every copy sent exactly once (%s)', async (label, policy) => {
    const outbox = new DynamoOutbox(table.documentClient, table.tableName, policy);
    const subject = `Zaalwijziging ${label}`;
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const ids: string[] = [];
    for (let n = 0; n < RECIPIENTS; n++) {
      const { registration } = await register(
        {
          eventId: 'druk',
          name: `Persoon ${n}`,
          email: `persoon${n}.${policy.maxAttempts}@example.nl`,
          organisation: 'Gemeente',
          choices: { '1': 'a', '2': 'c' },
          locale: 'nl',
        },
        { events: store, registrations: store, clock, secrets: cryptoSecrets },
      );
      ids.push(registration.id);
    }
    const message = {
      id: `msg-${policy.maxAttempts}`,
      eventId: 'druk',
      subject: { nl: subject },
      body: { nl: 'De workshop is verplaatst.' },
      audience: {},
      recipients: RECIPIENTS,
      createdAt: now.toISOString(),
    } as OrganiserMessage;
    await messages.createMessage(message, ids);
    const copies = ids.map((id) => newMessageEntry(id, 'druk', message.id, now));
    await messages.queueCopies(
      { eventId: 'druk', messageId: message.id, listId: 'RECIPIENTS#0000', registrationIds: ids },
      copies,
    );

    // Every copy's first attempt at once, as the stream's batches deliver them, while conflicts are modelled.
    table.embedded?.setConflictModel({ serviceTimeMedianMs: 5 });
    const firstAttempts = await Promise.allSettled(
      copies.map((copy) => deliverNewEntry(copy, deps(outbox))),
    ).finally(() => table.embedded?.setConflictModel(undefined));
    // The stream retrying what failed finds it claimed; the sweep takes what is due after the lease.
    await Promise.all(copies.map((copy) => deliverNewEntry(copy, deps(outbox))));
    for (let sweep = 0; sweep < 3; sweep++) {
      now = new Date(now.getTime() + DELIVERY.leaseMs + 1000);
      await deliverDueEmails(deps(outbox), 100);
    }

    const sentTo = ses
      .commandCalls(SendEmailCommand)
      .filter((call) => call.args[0].input.Content?.Simple?.Subject?.Data === subject)
      .map((call) => call.args[0].input.Destination?.ToAddresses?.[0]);
    expect(sentTo).toHaveLength(RECIPIENTS);
    expect(new Set(sentTo).size).toBe(RECIPIENTS);
    expect(await messages.getMessage('druk', message.id)).toMatchObject({
      queued: RECIPIENTS,
      sent: RECIPIENTS,
      failed: 0,
    });
    // No first attempt failed: a conflict was waited out, not left to the stream's retry.
    expect(firstAttempts.filter(({ status }) => status === 'rejected')).toEqual([]);
    // Nothing of the message is left due: every copy is settled and counted.
    expect(await outbox.due(now, 100)).toEqual([]);
  });
});
