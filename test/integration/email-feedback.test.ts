/**
 * Bounces and complaints end to end on the embedded DynamoDB: the real mailer tags a message (SES client mocked
 * at the SDK boundary), SES's event record for that message comes in through SNS to the real handler, and the
 * registration shows it to organisers (the admin listing and the summary).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoAdminQueries } from '../../lambdas/adapters/dynamodb/admin-queries.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.js';
import { lazySesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import { logger } from '../../lambdas/observability.js';
import { eventSummary } from '../../lambdas/use-cases/admin/event-summary.js';
import { deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { register } from '../../lambdas/use-cases/register.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { sampleDefinition } from '../support/fakes.js';
import { bounceRecord, complaintRecord, type MessageTags, snsEvent } from '../support/ses-events.js';

const ses = mockClient(SESv2Client);
const EVENT = 'feedback';
let table: TestTable;
let store: DynamoStore;
let handler: typeof import('../../lambdas/handlers/email-feedback.js')['handler'];
const clock = { now: () => new Date('2030-01-01T09:00:00Z') };

beforeAll(async () => {
  table = await startTestTable();
  // The handler builds its clients at import, from the environment, as in Lambda.
  process.env.TABLE_NAME = table.tableName;
  process.env.DYNAMODB_ENDPOINT = table.endpoint;
  ({ handler } = await import('../../lambdas/handlers/email-feedback.js'));
  store = new DynamoStore(table.documentClient, table.tableName);
  await store.putEventDefinition(
    EVENT,
    sampleDefinition({
      rounds: sampleDefinition().rounds.map((r) => ({
        ...r,
        workshops: r.workshops.map((w) => ({ ...w, capacity: 100 })),
      })),
    }),
  );
});
afterAll(async () => table?.close());
afterEach(() => {
  ses.reset();
  vi.restoreAllMocks();
});

let n = 0;
/** Registers someone and sends the confirmation through the real mailer; returns the tags SES was given. */
async function registerAndSend(): Promise<{ registrationId: string; email: string; tags: MessageTags }> {
  n += 1;
  const email = `deelnemer${n}@example.nl`;
  const result = await register(
    {
      eventId: EVENT,
      name: `Deelnemer ${n}`,
      email,
      organisation: 'Gemeente',
      choices: { '1': 'a', '2': 'c' },
      locale: 'nl',
    },
    { events: store, registrations: store, clock, secrets: cryptoSecrets },
  );
  ses.on(SendEmailCommand).resolves({ MessageId: `m-${n}` });
  const outcome = await deliverNewEntry(result.outbox, {
    outbox: new DynamoOutbox(table.documentClient, table.tableName),
    mailer: new SesMailer(lazySesClient({ region: 'eu-west-1' }), {
      from: 'Testdag <aanmelden@example.nl>',
      configurationSet: 'vol-is-vol-test',
    }),
    clock,
    publicBaseUrl: 'https://aanmelden.example.nl',
    registrations: store,
    events: store,
    secrets: cryptoSecrets,
  });
  expect(outcome?.result).toBe('sent');
  const sent = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
  // SES publishes each message tag as a list of values.
  const tags = Object.fromEntries((sent?.EmailTags ?? []).map((tag) => [tag.Name, [tag.Value]]));
  return { registrationId: result.registration.id, email, tags };
}

async function listed(registrationId: string) {
  for await (const { registration } of new DynamoAdminQueries(
    table.documentClient,
    table.tableName,
  ).registrationsOf(EVENT)) {
    if (registration.id === registrationId) return registration;
  }
  return undefined;
}

describe('SES bounces and complaints', () => {
  it('tags every message with the registration and the kind of email, never the address', async () => {
    const { registrationId, tags } = await registerAndSend();
    expect(tags).toEqual({ registration: [registrationId], kind: ['confirmation'] });
  });

  it('a permanent bounce marks the registration bounced, in the admin listing and the summary', async () => {
    const info = vi.spyOn(logger, 'info');
    const { registrationId, email, tags } = await registerAndSend();
    const before = (await eventSummary(EVENT, { events: store, index: adminIndex() })).totals;

    const [outcome] = await handler(snsEvent(bounceRecord(tags, { recipient: email })));
    expect(outcome).toMatchObject({ result: 'marked', registrationId, state: 'bounced' });

    expect(await listed(registrationId)).toMatchObject({
      emailState: 'bounced',
      emailFeedback: { kind: 'confirmation', at: '2030-01-01T10:01:02.669Z', detail: 'Permanent/General' },
    });
    const after = (await eventSummary(EVENT, { events: store, index: adminIndex() })).totals;
    expect(after.emailsBounced).toBe(before.emailsBounced + 1);
    expect(after.emailsComplained).toBe(before.emailsComplained);
    // The log says which registration, never which address.
    expect(JSON.stringify(info.mock.calls)).toContain(registrationId);
    expect(JSON.stringify(info.mock.calls)).not.toContain(email);
  });

  it('a complaint marks it complained, and a later bounce does not hide the complaint', async () => {
    const { registrationId, tags } = await registerAndSend();
    await handler(snsEvent(complaintRecord(tags)));
    expect(await store.getRegistration(registrationId)).toMatchObject({
      emailState: 'complained',
      emailFeedback: { kind: 'confirmation', detail: 'abuse' },
    });
    const [late] = await handler(snsEvent(bounceRecord(tags)));
    expect(late?.result).toBe('unchanged');
    expect((await store.getRegistration(registrationId))?.emailState).toBe('complained');
    expect((await eventSummary(EVENT, { events: store, index: adminIndex() })).totals.emailsComplained).toBe(
      1,
    );
  });

  it('a transient bounce changes nothing; a change to the registration keeps the email state', async () => {
    const { registrationId, tags } = await registerAndSend();
    await handler(snsEvent(bounceRecord(tags, { bounceType: 'Transient', bounceSubType: 'MailboxFull' })));
    expect((await store.getRegistration(registrationId))?.emailState).toBeUndefined();

    await handler(snsEvent(bounceRecord(tags)));
    const current = await store.getRegistration(registrationId);
    if (!current) throw new Error('registration missing');
    // No version bump: the attendee's next change does not fail as "changed meanwhile".
    const changed = await store.changeChoices(current, { '1': 'b', '2': 'c' }, '2030-01-01T11:00:00Z');
    expect(changed.version).toBe(current.version + 1);
    expect((await store.getRegistration(registrationId))?.emailState).toBe('bounced');
  });

  it('after erasure the state is gone and feedback marks nothing', async () => {
    const { registrationId, tags } = await registerAndSend();
    await handler(snsEvent(bounceRecord(tags)));
    const current = await store.getRegistration(registrationId);
    if (!current) throw new Error('registration missing');
    await store.removePersonalData(current, '2030-01-02T00:00:00Z', 'request');
    expect(await store.getRegistration(registrationId)).not.toHaveProperty('emailState');
    const [outcome] = await handler(snsEvent(complaintRecord(tags)));
    expect(outcome?.result).toBe('unchanged');
    expect(await store.getRegistration(registrationId)).not.toHaveProperty('emailFeedback');
  });

  it('skips records it cannot use, and handles the rest of the batch', async () => {
    const { registrationId, tags } = await registerAndSend();
    const outcomes = await handler(snsEvent('not json', complaintRecord({}), bounceRecord(tags)));
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['ignored', 'marked']);
    expect((await store.getRegistration(registrationId))?.emailState).toBe('bounced');
  });
});

function adminIndex() {
  return new DynamoAdminQueries(table.documentClient, table.tableName);
}
