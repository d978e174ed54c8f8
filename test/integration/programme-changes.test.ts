import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoProgrammeNotices } from '../../lambdas/adapters/dynamodb/programme-notices.js';
import { systemClock } from '../../lambdas/adapters/system.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { type NoticeList, noticesOf } from '../../lambdas/domain/programme-notice.js';
import { fanOutProgrammeNotices } from '../../lambdas/use-cases/admin/programme-changes.js';
import type { LocalStack } from '../../local/stack.js';
import { calendarOf } from '../support/ics.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo } from '../support/mail.js';

let stack: LocalStack;
let auth: Record<string, string>;
const EVENT = 'programma-testdag';

const definition: EventDefinition = {
  title: 'Programma testdag',
  date: '2030-09-12',
  timezone: 'Europe/Amsterdam',
  startTime: '09:30',
  endTime: '16:30',
  venue: 'Stadhuis',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [
        { id: 'a', title: 'Workshop A', description: '', speakers: ['Spreker A'], capacity: 10 },
        { id: 'b', title: 'Workshop B', description: '', speakers: ['Spreker B'], capacity: 10 },
      ],
    },
  ],
};

const put = (body: EventDefinition, query = '') =>
  api(stack, 'PUT', `/admin/events/${EVENT}${query}`, body, auth);
const withWorkshopA = (change: Record<string, unknown>): EventDefinition => ({
  ...definition,
  rounds: [
    {
      ...(definition.rounds[0] as EventDefinition['rounds'][number]),
      workshops: (definition.rounds[0]?.workshops ?? []).map((w) => (w.id === 'a' ? { ...w, ...change } : w)),
    },
  ],
});

const programmeEmails = async (address: string) =>
  (await emailsTo(stack, address)).filter((email) => email.subject.startsWith('Het programma is gewijzigd'));

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  expect((await put(definition)).status).toBe(201);
  for (const [address, workshop] of [
    ['a@example.nl', 'a'],
    ['b@example.nl', 'b'],
  ] as const) {
    const created = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
      name: `Persoon ${workshop.toUpperCase()}`,
      email: address,
      organisation: 'Gemeente Oss',
      choices: { '1': workshop },
      consent: true,
    });
    expect(created.status).toBe(201);
  }
  await stack.emailsSettled();
});
afterAll(async () => stack?.close());

describe('PUT /admin/events/{eventId}: programme changes tell the people concerned', () => {
  it('a dry run counts who would be emailed and changes nothing', async () => {
    const dryRun = await put(withWorkshopA({ speakers: ['Nieuwe spreker'] }), '?dryRun=true');
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toEqual({ dryRun: true, created: false, notified: 1 });
    const event = await api(stack, 'GET', `/events/${EVENT}`);
    expect(event.body.rounds[0].workshops[0].speakers).toEqual(['Spreker A']);
    expect(await programmeEmails('a@example.nl')).toEqual([]);
  });

  it('a dry run is refused as the update would be: a capacity below the seats taken', async () => {
    const dryRun = await put(withWorkshopA({ capacity: 0 }), '?dryRun=true');
    expect(dryRun.status).toBe(409);
    expect(dryRun.body.error).toMatchObject({
      code: 'CAPACITY_BELOW_TAKEN',
      details: { workshopIds: ['a'] },
    });
    const update = await put(withWorkshopA({ capacity: 0 }));
    expect(update.status).toBe(409);
    expect(update.body.error).toMatchObject({
      code: 'CAPACITY_BELOW_TAKEN',
      details: { workshopIds: ['a'] },
    });
    const event = await api(stack, 'GET', `/events/${EVENT}`);
    expect(event.body.rounds[0].workshops[0].capacity).toBe(10);
  });

  it('a change to workshop A emails A’s registrants only, naming it, with the same UID and a higher SEQUENCE', async () => {
    const [confirmation] = await emailsTo(stack, 'a@example.nl');
    const updated = await put(withWorkshopA({ speakers: ['Nieuwe spreker'] }));
    expect(updated.status).toBe(200);
    expect(updated.body.notified).toBe(1);
    // Audited: how many were told, never who.
    const audit = await api(stack, 'GET', `/admin/events/${EVENT}/audit?limit=1`, undefined, auth);
    expect(audit.body.items[0]).toMatchObject({ action: 'event.updated', details: { notified: 1 } });
    expect(JSON.stringify(audit.body)).not.toContain('a@example.nl');
    const [email, ...more] = await programmeEmails('a@example.nl');
    expect(more).toEqual([]);
    expect(email?.body.text).toContain('Workshop Workshop A, sprekers: Nieuwe spreker (was: Spreker A)');
    const before = calendarOf(confirmation);
    const after = calendarOf(email);
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBeGreaterThan(before.sequence);
    expect(after.dtstampRaw).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    expect(after.startTzid).toBe('Europe/Amsterdam');
    expect(after.description).toContain('Workshop A');
    expect(await programmeEmails('b@example.nl')).toEqual([]);
  });

  it('notify=false (a typo fix) emails nobody', async () => {
    const quiet = await put(
      { ...withWorkshopA({ speakers: ['Nieuwe spreker'] }), venue: 'Stadhuis Oss' },
      '?notify=false',
    );
    expect(quiet.status).toBe(200);
    expect(quiet.body.notified).toBe(0);
    expect(await programmeEmails('b@example.nl')).toEqual([]);
  });

  it('a new start time concerns everyone confirmed, and says what it was', async () => {
    const earlier = await put({
      ...withWorkshopA({ speakers: ['Nieuwe spreker'] }),
      venue: 'Stadhuis Oss',
      startTime: '09:00',
    });
    expect(earlier.body.notified).toBe(2);
    const [email] = await programmeEmails('b@example.nl');
    expect(email?.body.text).toContain('Begintijd: 09:00 (was: 09:30)');
    expect(calendarOf(email).start).toBe('2030-09-12T09:00:00');
    expect(await programmeEmails('a@example.nl')).toHaveLength(2);
  });

  it('the notices are committed with the update as lists and written after the PUT answered, none twice', async () => {
    const documentClient = createDocumentClient({
      region: 'eu-west-1',
      endpoint: stack.dynamodbEndpoint,
      requestTimeoutMs: 30_000,
    });
    const store = new DynamoStore(documentClient, stack.tableName);
    const scan = async (filter: string, values: Record<string, unknown>) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documentClient.send(
          new ScanCommand({
            TableName: stack.tableName,
            FilterExpression: filter,
            ExpressionAttributeValues: values,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    };
    const programmeEntries = () =>
      scan('kind = :kind AND begins_with(pk, :mail)', { ':kind': 'programme-change', ':mail': 'MAIL#' });
    const entriesBefore = (await programmeEntries()).length;
    const [registrationOfA] = await scan('begins_with(pk, :reg) AND email = :email', {
      ':reg': 'REG#',
      ':email': 'a@example.nl',
    });

    // The sender's feed is off: whatever the PUT leaves, nothing but the stream turns it into emails.
    stack.setEmailSenderEnabled(false);
    const later = await put({
      ...withWorkshopA({ speakers: ['Nieuwe spreker'] }),
      venue: 'Stadhuis Oss',
      startTime: '09:00',
      endTime: '17:00',
    });
    expect(later.status).toBe(200);
    expect(later.body.notified).toBe(2);
    // The answer owes two emails and wrote none: they are in a list committed with the update.
    expect(await programmeEntries()).toHaveLength(entriesBefore);
    const lists = (await scan('kind = :kind AND begins_with(sk, :list)', {
      ':kind': 'programme-change',
      ':list': 'RECIPIENTS#',
    })) as (NoticeList & { eventId: string; messageId: string })[];
    const list = lists.find((candidate) =>
      candidate.changeSets.some((set) => set.some((change) => change.field === 'endTime')),
    );
    expect(list?.registrationIds).toHaveLength(2);
    expect(
      noticesOf(list as NoticeList).every(({ changes }) => changes.some((c) => c.field === 'endTime')),
    ).toBe(true);

    // The stream's fan-out, as the sender runs it; a retried record writes nothing again.
    stack.setEmailSenderEnabled(true);
    const fanOut = () =>
      fanOutProgrammeNotices(
        { eventId: EVENT, noticeId: String(list?.messageId), notices: noticesOf(list as NoticeList) },
        {
          registrations: store,
          notices: new DynamoProgrammeNotices(documentClient, stack.tableName),
          clock: systemClock,
        },
      );
    expect(await fanOut()).toBe(2);
    expect(await fanOut()).toBe(0);
    expect(await programmeEntries()).toHaveLength(entriesBefore + 2);
    const raised = await store.getRegistration(String(registrationOfA?.id));
    expect(raised?.version).toBe(Number(registrationOfA?.version) + 1);

    const emailsOfB = await programmeEmails('b@example.nl');
    expect(emailsOfB).toHaveLength(2);
    expect(
      emailsOfB.filter((email) => email.body.text?.includes('Eindtijd: 17:00 (was: 16:30)')),
    ).toHaveLength(1);
    expect(calendarOf(emailsOfB.at(-1)).sequence).toBeGreaterThan(calendarOf(emailsOfB[0]).sequence);
  });
});
