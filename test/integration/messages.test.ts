import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamodb/message-store.js';
import { newMessageEntry } from '../../lambdas/domain/email.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type { LocalStack } from '../../local/stack.js';
import { type ApiResponse, api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink, sentEmails } from '../support/mail.js';

let stack: LocalStack;
let auth: Record<string, string>;
const EVENT = 'berichten-testdag';

const definition: EventDefinition = {
  title: 'Berichten testdag',
  date: '2030-09-12',
  timezone: 'Europe/Amsterdam',
  venue: 'Stadhuis',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [
        { id: 'klein', title: 'Kleine zaal', description: '', speakers: ['Spreker K'], capacity: 1 },
        { id: 'groot', title: 'Grote zaal', description: '', speakers: [], capacity: 100 },
      ],
    },
  ],
};

const admin = (method: string, path: string, body?: unknown) => api(stack, method, path, body, auth);

async function registerPerson(email: string, workshop: string, extra: Record<string, unknown> = {}) {
  const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
    name: `Naam ${email.split('@')[0]}`,
    email,
    organisation: 'Gemeente Oss',
    choices: { '1': workshop },
    consent: true,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body.registration.id as string;
}

/** The message as listed, once its fan-out and every copy's first attempt are done. */
async function settledMessage(id: string): Promise<ApiResponse['body']> {
  for (let round = 0; round < 50; round++) {
    await stack.emailsSettled();
    const listed = await admin('GET', `/admin/events/${EVENT}/messages`);
    const message = listed.body.items.find((item: { id: string }) => item.id === id);
    if (message?.state === 'done') return message;
  }
  throw new Error('the message never settled');
}

const message = {
  subject: { nl: 'Andere zaal', en: 'Another room' },
  body: {
    nl: 'Beste deelnemer,\n\nDe workshop is verplaatst. <script>alert(1)</script>\nZie https://example.nl/route?a=1&b=2.',
    en: 'Dear participant,\n\nThe workshop has moved. See https://example.nl/route.',
  },
};

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  expect((await admin('PUT', `/admin/events/${EVENT}`, definition)).status).toBe(201);
  await registerPerson('klein@example.nl', 'klein');
  await registerPerson('groot-nl@example.nl', 'groot');
  await registerPerson('groot-en@example.org', 'groot', { locale: 'en' });
  // The small workshop is full: this one waits for it.
  const waiting = await api(stack, 'POST', `/events/${EVENT}/waiting-list`, {
    name: 'Naam wacht',
    email: 'wacht@example.nl',
    organisation: 'Gemeente Oss',
    accepts: { '1': ['klein'] },
    consent: true,
  });
  expect(waiting.status).toBe(201);
  await stack.emailsSettled();
});
afterAll(async () => stack?.close());

describe('POST /admin/events/{eventId}/messages', () => {
  it('counts the audience in a dry run and sends nothing', async () => {
    const before = (await sentEmails(stack.sesUrl)).length;
    const dryRun = await admin('POST', `/admin/events/${EVENT}/messages`, {
      ...message,
      audience: { workshopIds: ['groot'] },
      dryRun: true,
    });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.message).toEqual({ id: null, recipients: 2, state: 'dry-run' });
    const all = await admin('POST', `/admin/events/${EVENT}/messages`, { ...message, dryRun: true });
    expect(all.body.message.recipients).toBe(3);
    const waiting = await admin('POST', `/admin/events/${EVENT}/messages`, {
      ...message,
      audience: { workshopIds: ['klein'], statuses: ['waiting'] },
      dryRun: true,
    });
    expect(waiting.body.message.recipients).toBe(1);
    await stack.emailsSettled();
    expect((await sentEmails(stack.sesUrl)).length).toBe(before);
    expect((await admin('GET', `/admin/events/${EVENT}/messages`)).body.items).toEqual([]);
  });

  it('sends each recipient of the workshop one copy in their language, escaped, with their own workshops', async () => {
    const accepted = await admin('POST', `/admin/events/${EVENT}/messages`, {
      ...message,
      audience: { workshopIds: ['groot'] },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.message).toMatchObject({ recipients: 2, state: 'accepted' });
    const listed = await settledMessage(accepted.body.message.id);
    expect(listed).toMatchObject({ recipients: 2, counts: { sent: 2, pending: 0, failed: 0 } });

    const [dutch, ...moreDutch] = await emailsTo(stack, 'groot-nl@example.nl').then((emails) =>
      emails.filter((email) => email.subject === 'Andere zaal'),
    );
    expect(moreDutch).toEqual([]);
    expect(dutch?.body.text).toContain('<script>alert(1)</script>');
    expect(dutch?.body.html).not.toContain('<script>');
    expect(dutch?.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dutch?.body.html).toContain(
      '<a href="https://example.nl/route?a=1&amp;b=2" style="color:#0b4f9c">https://example.nl/route?a=1&amp;b=2</a>.',
    );
    expect(dutch?.body.text).toContain('Grote zaal');
    expect(dutch?.body.text).not.toContain('Kleine zaal');
    // The manage link in the message works.
    const { id, token } = manageLink(dutch as NonNullable<typeof dutch>);
    expect(
      (await api(stack, 'GET', `/registrations/${id}`, undefined, { Authorization: `Bearer ${token}` }))
        .status,
    ).toBe(200);

    const english = (await emailsTo(stack, 'groot-en@example.org')).filter(
      (e) => e.subject === 'Another room',
    );
    expect(english).toHaveLength(1);
    expect(english[0]?.body.text).toContain('The workshop has moved.');
    expect((await emailsTo(stack, 'klein@example.nl')).some((e) => e.subject === 'Andere zaal')).toBe(false);
  });

  it('falls back to Dutch for an English registration when the message has no English text', async () => {
    const accepted = await admin('POST', `/admin/events/${EVENT}/messages`, {
      subject: { nl: 'Alleen Nederlands' },
      body: { nl: 'Tot morgen.' },
      audience: { workshopIds: ['groot'] },
    });
    await settledMessage(accepted.body.message.id);
    const copies = (await emailsTo(stack, 'groot-en@example.org')).filter(
      (e) => e.subject === 'Alleen Nederlands',
    );
    expect(copies).toHaveLength(1);
    expect(copies[0]?.body.text).toContain('Tot morgen.');
  });

  it('lists messages newest first and audits who sent what to how many, without personal data', async () => {
    const listed = await admin('GET', `/admin/events/${EVENT}/messages`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { subject: { nl: string } }) => item.subject.nl)).toEqual([
      'Alleen Nederlands',
      'Andere zaal',
    ]);
    const audit = await admin('GET', `/admin/events/${EVENT}/audit`);
    const sent = audit.body.items.filter((item: { action: string }) => item.action === 'message.sent');
    expect(sent).toHaveLength(2);
    expect(sent[1].details).toMatchObject({ messageId: listed.body.items[1].id, recipients: 2 });
    expect(JSON.stringify(sent)).not.toMatch(/@example|Naam /);
  });

  it('refuses empty and overlong texts, a subject of two lines and unknown workshops, storing nothing', async () => {
    const refused = [
      { ...message, subject: { nl: '' } },
      { ...message, body: { nl: '   ' } },
      { ...message, body: { nl: 'x'.repeat(10_001) } },
      { ...message, subject: { nl: 'Eerste regel\nTweede regel' } },
      { ...message, audience: { workshopIds: ['bestaat-niet'] } },
    ];
    for (const body of refused) {
      const response = await admin('POST', `/admin/events/${EVENT}/messages`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await admin('POST', `/admin/events/${EVENT}/messages`, refused[4]);
    expect(unknown.body.error.details).toEqual([
      { path: 'audience.workshopIds.0', message: 'onbekende workshop voor dit evenement' },
    ]);
    expect((await admin('GET', `/admin/events/${EVENT}/messages`)).body.items).toHaveLength(2);
  });

  it('answers 404 for an unknown event', async () => {
    const response = await admin('POST', '/admin/events/bestaat-niet/messages', message);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('EVENT_NOT_FOUND');
    expect((await admin('GET', '/admin/events/bestaat-niet/messages')).status).toBe(404);
  });
});

describe('the fan-out', () => {
  it('writes no copy twice and counts a list once when the same list is fanned out again', async () => {
    const accepted = await admin('POST', `/admin/events/${EVENT}/messages`, {
      subject: { nl: 'Nog eens' },
      body: { nl: 'Herhaald.' },
    });
    const listedBefore = await settledMessage(accepted.body.message.id);
    const messages = new DynamoMessageStore(
      createDocumentClient({
        region: 'eu-west-1',
        endpoint: stack.dynamodbEndpoint,
        requestTimeoutMs: 30_000,
      }),
      stack.tableName,
    );
    const record = await messages.getMessage(EVENT, accepted.body.message.id);
    expect(record?.queued).toBe(3);
    // The stream delivering the same list again (a retried record): nothing new, nothing counted twice.
    const ids = listedBefore.recipients;
    const registrationIds = (
      await api(stack, 'GET', `/admin/events/${EVENT}/registrations?status=confirmed`, undefined, auth)
    ).body.items.map((item: { id: string }) => item.id);
    expect(registrationIds).toHaveLength(ids);
    const again = await messages.queueCopies(
      { eventId: EVENT, messageId: accepted.body.message.id, listId: 'RECIPIENTS#0000', registrationIds },
      registrationIds.map((id: string) => newMessageEntry(id, EVENT, accepted.body.message.id, new Date())),
    );
    expect(again).toBe(0);
    await stack.emailsSettled();
    expect((await messages.getMessage(EVENT, accepted.body.message.id))?.queued).toBe(3);
    const copies = (await sentEmails(stack.sesUrl)).filter((email) => email.subject === 'Nog eens');
    expect(copies).toHaveLength(3);
  });
});
