import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminQueries } from '../../lambdas/adapters/dynamodb/admin-queries.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoOutbox, toEntry } from '../../lambdas/adapters/dynamodb/outbox.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import { TransientDeliveryFailure } from '../../lambdas/domain/email.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { ERASED } from '../../lambdas/domain/privacy.js';
import type { Mailer } from '../../lambdas/ports.js';
import { deliverDueEmails, deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { erasePersonalData } from '../../lambdas/use-cases/erase-personal-data.js';
import { purgeExpiredPersonalData } from '../../lambdas/use-cases/purge-personal-data.js';
import { register } from '../../lambdas/use-cases/register.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';

let stack: LocalStack;
let store: DynamoStore;
let documentClient: ReturnType<typeof createDocumentClient>;
let outbox: DynamoOutbox;

const event = (retentionDays?: number): EventDefinition => ({
  title: 'Privacydag',
  date: '2030-03-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  ...(retentionDays ? { privacy: { statementUrl: '/privacy.html', version: '1', retentionDays } } : {}),
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [
        { id: 'a', title: 'A', description: '', speakers: [], capacity: 10 },
        { id: 'b', title: 'B', description: '', speakers: [], capacity: 10 },
      ],
    },
  ],
});

const person = (n: number, choice = 'a') => ({
  name: `Privé Persoon ${n}`,
  email: `prive${n}@example.nl`,
  organisation: `Geheime Organisatie ${n}`,
  jobTitle: 'Adviseur',
  choices: { '1': choice },
  consent: true,
});

/** Every item of the table, as a string: where personal data could hide. */
async function wholeTable(): Promise<string> {
  return JSON.stringify(await allItems());
}

async function allItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Emails the table still owes to, or records as failed for, a registration. */
async function emailsOwedOrFailed(registrationId: string) {
  return (await allItems()).filter(
    (item) => item.type === 'outbox' && item.registrationId === registrationId && item.state !== 'sent',
  );
}

/** The seats taken per workshop of an event, from the public view. */
async function taken(eventId: string): Promise<Record<string, number>> {
  const { body } = await api(stack, 'GET', `/events/${eventId}`);
  return Object.fromEntries(
    body.rounds.flatMap((round: { workshops: { id: string; capacity: number; seatsLeft: number }[] }) =>
      round.workshops.map((workshop) => [workshop.id, workshop.capacity - workshop.seatsLeft]),
    ),
  );
}

const admin = (method: string, path: string) =>
  api(stack, method, path, undefined, { Authorization: `Bearer ${stack.adminToken}` });

beforeAll(async () => {
  stack = await startTestStack();
  documentClient = createDocumentClient({
    region: 'eu-west-1',
    endpoint: stack.dynamodbEndpoint,
    requestTimeoutMs: 30_000,
  });
  store = new DynamoStore(documentClient, stack.tableName);
  outbox = new DynamoOutbox(documentClient, stack.tableName);
});
afterAll(async () => stack.close());

describe('erasure on request', () => {
  it('through the link: cancels, confirms by email, then removes every trace of the person', async () => {
    await store.putEventDefinition('erase', event());
    const created = await api(stack, 'POST', '/events/erase/registrations', person(1));
    expect(created.status).toBe(201);
    const [confirmation] = await emailsTo(stack, 'prive1@example.nl');
    const { id, token } = manageLink(confirmation ?? ({} as never));
    const auth = { Authorization: `Bearer ${token}` };

    const erased = await api(stack, 'DELETE', `/registrations/${id}/personal-data`, undefined, auth);
    expect(erased.status).toBe(200);
    expect(erased.body.registration).toMatchObject({ status: 'cancelled', name: ERASED, email: ERASED });
    expect(erased.body.registration.personalDataRemoved.reason).toBe('request');

    const emails = await emailsTo(stack, 'prive1@example.nl');
    expect(emails.at(-1)?.subject).toBe('Uw gegevens zijn verwijderd: Privacydag');
    // The link no longer opens anything.
    expect((await api(stack, 'GET', `/registrations/${id}`, undefined, auth)).status).toBe(404);
    // The seat is free, the counts agree, and the same person may register again.
    const summary = await admin('GET', '/admin/events/erase/summary');
    expect(summary.body.consistent).toBe(true);
    expect(summary.body.totals).toMatchObject({ confirmed: 0, cancelled: 1 });
    // Nothing in the table names the person any more.
    const table = await wholeTable();
    for (const trace of ['Privé Persoon 1', 'prive1@example.nl', 'Geheime Organisatie 1', 'Adviseur']) {
      expect(table).not.toContain(trace);
    }
    expect((await api(stack, 'POST', '/events/erase/registrations', person(1))).status).toBe(201);
  });

  it('by an organiser, audited with the registration id only', async () => {
    await store.putEventDefinition('erase-admin', event());
    const created = await api(stack, 'POST', '/events/erase-admin/registrations', person(2));
    const id = created.body.registration.id;
    const erased = await admin('DELETE', `/admin/events/erase-admin/registrations/${id}/personal-data`);
    expect(erased.status).toBe(200);
    expect(erased.body.registration).toMatchObject({ name: ERASED, status: 'cancelled' });
    const audit = await admin('GET', '/admin/events/erase-admin/audit');
    expect(audit.body.items[0]).toMatchObject({ action: 'registration.erased', registrationId: id });
    expect(JSON.stringify(audit.body)).not.toContain('prive2');
    expect((await emailsTo(stack, 'prive2@example.nl')).at(-1)?.subject).toContain(
      'Uw gegevens zijn verwijderd',
    );
    expect(
      (await admin('DELETE', `/admin/events/erase-admin/registrations/${id}/personal-data`)).status,
    ).toBe(200);
  });

  it('SES down at the erasure: erased at once; only the email holds the address, until SES takes it', async () => {
    await store.putEventDefinition('erase-later', event());
    stack.setEmailSenderEnabled(false); // the test plays the sender, with SES down
    try {
      const { registration, manageToken } = await register(
        {
          eventId: 'erase-later',
          name: 'Nog Niet',
          email: 'nognier@example.nl',
          organisation: 'Org',
          choices: { '1': 'a' },
          locale: 'nl',
        },
        { events: store, registrations: store, clock: { now: () => new Date() }, secrets: cryptoSecrets },
      );
      await erasePersonalData(
        { registrationId: registration.id, manageToken, by: 'attendee' },
        { registrations: store, events: store, outbox, clock: { now: () => new Date() } },
      );
      expect((await store.getRegistration(registration.id))?.name).toBe(ERASED);
      const holding = (await allItems()).filter((item) =>
        JSON.stringify(item).includes('nognier@example.nl'),
      );
      expect(holding).toEqual([
        expect.objectContaining({ type: 'outbox', kind: 'erasure', state: 'pending' }),
      ]);

      const sent: string[] = [];
      const sender = (mailer: Mailer, at: Date) => ({
        outbox,
        mailer,
        clock: { now: () => at },
        publicBaseUrl: 'http://localhost',
        registrations: store,
        events: store,
        secrets: cryptoSecrets,
      });
      const down: Mailer = {
        send: async () => {
          throw new TransientDeliveryFailure('Throttling');
        },
      };
      const up: Mailer = { send: async (email) => void sent.push(`${email.to} ${email.subject}`) };
      const first = await deliverNewEntry(toEntry(holding[0] ?? {}), sender(down, new Date()));
      expect(first?.result).toBe('retry');
      expect(await wholeTable()).toContain('nognier@example.nl');

      await deliverDueEmails(sender(up, new Date(Date.now() + 60 * 60_000)), 1000);
      expect(sent).toEqual(['nognier@example.nl Uw gegevens zijn verwijderd: Privacydag']);
      const table = await wholeTable();
      for (const trace of ['Nog Niet', 'nognier@example.nl']) expect(table).not.toContain(trace);
    } finally {
      stack.setEmailSenderEnabled(true);
    }
  });
});

describe('Idempotency-Key records hold nothing personal (issue 15.1)', () => {
  const withKey = (key: string) => ({ 'Idempotency-Key': key });
  const traces = (n: number) => [`Privé Persoon ${n}`, `prive${n}@example.nl`, `Geheime Organisatie ${n}`];
  const keyed = (n: number) => ({ ...person(n), jobTitle: `Functie ${n}` });

  it('after erasure: no item of the table holds the person, and a replay books nothing and returns nothing of them', async () => {
    await store.putEventDefinition('idem-erase', event());
    const created = await api(stack, 'POST', '/events/idem-erase/registrations', keyed(30), withKey('k-30'));
    expect(created.status).toBe(201);
    const id = created.body.registration.id;
    // The record of the key exists and holds only the registration id.
    const records = (await allItems()).filter((item) => String(item.pk).startsWith('IDEMP#'));
    expect(JSON.stringify(records)).toContain(id);
    for (const trace of [...traces(30), 'Functie 30']) expect(JSON.stringify(records)).not.toContain(trace);

    const [confirmation] = await emailsTo(stack, 'prive30@example.nl');
    const { token } = manageLink(confirmation ?? ({} as never));
    const erased = await api(stack, 'DELETE', `/registrations/${id}/personal-data`, undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(erased.status).toBe(200);

    await stack.emailsSettled(); // the erasure email is sent: its address goes with it
    const table = await wholeTable();
    for (const trace of [...traces(30), 'Functie 30']) expect(table).not.toContain(trace);

    const replay = await api(stack, 'POST', '/events/idem-erase/registrations', keyed(30), withKey('k-30'));
    expect(replay.status).toBe(410);
    expect(replay.body.error.code).toBe('REGISTRATION_ERASED');
    for (const trace of traces(30)) expect(JSON.stringify(replay.body)).not.toContain(trace);
    expect(await taken('idem-erase')).toEqual({ a: 0, b: 0 });
    const summary = await admin('GET', '/admin/events/idem-erase/summary');
    expect(summary.body.totals).toMatchObject({ registrations: 1, confirmed: 0, cancelled: 1 });
  });

  it('after a cancel: a replay books nothing and does not claim a confirmed registration', async () => {
    await store.putEventDefinition('idem-cancel', event());
    const created = await api(stack, 'POST', '/events/idem-cancel/registrations', keyed(31), withKey('k-31'));
    expect(created.status).toBe(201);
    const [confirmation] = await emailsTo(stack, 'prive31@example.nl');
    const { id, token } = manageLink(confirmation ?? ({} as never));
    const cancelled = await api(stack, 'DELETE', `/registrations/${id}`, undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(cancelled.body.registration.status).toBe('cancelled');

    const replay = await api(stack, 'POST', '/events/idem-cancel/registrations', keyed(31), withKey('k-31'));
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('REGISTRATION_CANCELLED');
    expect(JSON.stringify(replay.body)).not.toContain('confirmed');
    expect(await taken('idem-cancel')).toEqual({ a: 0, b: 0 });
    const summary = await admin('GET', '/admin/events/idem-cancel/summary');
    expect(summary.body.totals).toMatchObject({ registrations: 1, confirmed: 0 });
  });

  it('while nothing changed, a replay still answers the registration as it is now', async () => {
    await store.putEventDefinition('idem-same', event());
    const created = await api(stack, 'POST', '/events/idem-same/registrations', keyed(32), withKey('k-32'));
    const replay = await api(stack, 'POST', '/events/idem-same/registrations', keyed(32), withKey('k-32'));
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(created.body);
    expect(replay.headers.get('location')).toBe(`/registrations/${created.body.registration.id}`);
    expect(await taken('idem-same')).toEqual({ a: 1, b: 0 });
  });
});

describe('no email is owed to an erased address (issue 15.5)', () => {
  it('erasing a confirmed registration leaves no cancellation email owed and no failure', async () => {
    await store.putEventDefinition('erase-owed', event());
    const created = await api(stack, 'POST', '/events/erase-owed/registrations', person(40));
    const id = created.body.registration.id;
    const erased = await admin('DELETE', `/admin/events/erase-owed/registrations/${id}/personal-data`);
    expect(erased.status).toBe(200);
    await stack.emailsSettled();
    expect(await emailsOwedOrFailed(id)).toEqual([]);
    const summary = await admin('GET', '/admin/events/erase-owed/summary');
    expect(summary.body.totals).toMatchObject({ emailsPending: 0, emailsFailed: 0 });
  });

  it('an email still being retried is dropped by the erasure, not sent and not failed', async () => {
    await store.putEventDefinition('erase-retrying', event());
    stack.setEmailSenderEnabled(false); // registered while the mail was down: the confirmation is still owed
    try {
      const { registration } = await register(
        { eventId: 'erase-retrying', ...person(41), locale: 'nl' },
        { events: store, registrations: store, clock: { now: () => new Date() }, secrets: cryptoSecrets },
      );
      expect(await emailsOwedOrFailed(registration.id)).toHaveLength(1);
      await erasePersonalData(
        { registrationId: registration.id, by: 'organiser' },
        { registrations: store, events: store, outbox, clock: { now: () => new Date() } },
      );
      const sent: string[] = [];
      await deliverDueEmails(
        {
          outbox,
          mailer: { send: async (email) => void sent.push(email.subject) },
          clock: { now: () => new Date(Date.now() + 60 * 60_000) },
          publicBaseUrl: 'http://localhost',
          registrations: store,
          events: store,
          secrets: cryptoSecrets,
        },
        1000,
      );
      expect(sent).toEqual(['Uw gegevens zijn verwijderd: Privacydag']);
      expect(await emailsOwedOrFailed(registration.id)).toEqual([]);
    } finally {
      stack.setEmailSenderEnabled(true);
    }
  });

  it('after the retention purge, the sweep drops what is still owed instead of reporting it failed', async () => {
    await store.putEventDefinition('purge-owed', event(30));
    stack.setEmailSenderEnabled(false); // the confirmation stays owed until the sweep
    const { registration } = await register(
      { eventId: 'purge-owed', ...person(42), locale: 'nl' },
      { events: store, registrations: store, clock: { now: () => new Date() }, secrets: cryptoSecrets },
    );
    const later = new Date('2030-04-05T00:00:00Z');
    await purgeExpiredPersonalData({
      eventIds: async () => ['purge-owed'],
      registrationIdsOf: async function* () {
        yield registration.id;
      },
      events: store,
      registrations: store,
      clock: { now: () => later },
    });
    const outcomes = await deliverDueEmails(
      {
        outbox,
        mailer: { send: async () => expect.fail('nobody to write to') },
        clock: { now: () => later },
        publicBaseUrl: 'http://localhost',
        registrations: store,
        events: store,
        secrets: cryptoSecrets,
      },
      1000,
    );
    stack.setEmailSenderEnabled(true);
    expect(outcomes.find((outcome) => outcome.registrationId === registration.id)?.result).toBe('skipped');
    expect(await emailsOwedOrFailed(registration.id)).toEqual([]);
    const summary = await admin('GET', '/admin/events/purge-owed/summary');
    expect(summary.body.totals).toMatchObject({ emailsPending: 0, emailsFailed: 0 });
  });
});

describe('retention', () => {
  it('removes personal data after the period, keeps counters and summary right, and does it once', async () => {
    await store.putEventDefinition('retain', event(30));
    for (const n of [10, 11, 12]) {
      expect(
        (
          await api(stack, 'POST', '/events/retain/registrations', person(n, n === 12 ? 'b' : 'a'), {
            'Idempotency-Key': `k-retain-${n}`,
          })
        ).status,
      ).toBe(201);
    }
    const queries = new DynamoAdminQueries(documentClient, stack.tableName);
    const deps = (now: Date) => ({
      eventIds: async () => ['retain'],
      registrationIdsOf: async function* (eventId: string) {
        for await (const { registration } of queries.registrationsOf(eventId)) yield String(registration.id);
      },
      events: store,
      registrations: store,
      clock: { now: () => now },
    });
    const before = await admin('GET', '/admin/events/retain/summary');
    // Organisers see when the data goes, so they can export before.
    expect(before.body.retention).toEqual({
      retentionDays: 30,
      personalDataRemovedFrom: '2030-03-31T23:59:59.000Z',
    });

    // Before the end of the period nothing is touched.
    expect(await purgeExpiredPersonalData(deps(new Date('2030-03-20T00:00:00Z')))).toMatchObject({
      removed: 0,
      kept: 3,
    });
    // After it, everything personal is gone.
    expect(await purgeExpiredPersonalData(deps(new Date('2030-04-05T00:00:00Z')))).toMatchObject({
      removed: 3,
    });
    expect(await purgeExpiredPersonalData(deps(new Date('2030-04-06T00:00:00Z')))).toMatchObject({
      removed: 0,
    });

    const after = await admin('GET', '/admin/events/retain/summary');
    expect(after.body.consistent).toBe(true);
    expect(after.body.workshops).toEqual(before.body.workshops);
    const list = await admin('GET', '/admin/events/retain/registrations');
    for (const item of list.body.items) {
      expect(item).toMatchObject({ name: ERASED, email: ERASED, organisation: ERASED, status: 'confirmed' });
    }
    const table = await wholeTable();
    for (const n of [10, 11, 12]) {
      expect(table).not.toContain(`Privé Persoon ${n}`);
      expect(table).not.toContain(`prive${n}@example.nl`);
      expect(table).not.toContain(`Geheime Organisatie ${n}`);
    }
    // A replay of a purged registration's request returns nothing of the person and books nothing.
    const replay = await api(stack, 'POST', '/events/retain/registrations', person(10), {
      'Idempotency-Key': 'k-retain-10',
    });
    expect(replay.status).toBe(410);
    expect(JSON.stringify(replay.body)).not.toContain('prive10');
    expect((await admin('GET', '/admin/events/retain/summary')).body.workshops).toEqual(
      before.body.workshops,
    );
  });
});

describe('check-ins are personal data (issue 17)', () => {
  /** Registers, shows the code to the owner, and checks in at the entrance and workshop a. */
  async function checkedIn(eventId: string, n: number) {
    const created = await api(stack, 'POST', `/events/${eventId}/registrations`, person(n));
    expect(created.status).toBe(201);
    const [confirmation] = await emailsTo(stack, `prive${n}@example.nl`);
    const { id, token } = manageLink(confirmation ?? ({} as never));
    const auth = { Authorization: `Bearer ${token}` };
    const { code } = (await api(stack, 'GET', `/registrations/${id}`, undefined, auth)).body.checkIn;
    for (const body of [{ code }, { code, workshopId: 'a' }]) {
      const scanned = await api(stack, 'POST', `/admin/events/${eventId}/check-ins`, body, {
        Authorization: `Bearer ${stack.adminToken}`,
      });
      expect(scanned.status).toBe(200);
    }
    return { id, auth, code: code as string };
  }

  /** The items of the table that belong to check-in (codes and check-ins) and mention the registration. */
  async function checkInItemsOf(id: string, code: string) {
    return (await allItems()).filter(
      (item) =>
        /^(CODE|CHECKIN)#/.test(String(item.pk)) &&
        (JSON.stringify(item).includes(id) || String(item.pk).includes(code)),
    );
  }

  it('the access export has them; erasure removes them with the code', async () => {
    await store.putEventDefinition('privacy-checkin', event());
    const { id, auth, code } = await checkedIn('privacy-checkin', 20);
    const exported = await api(stack, 'GET', `/registrations/${id}/personal-data`, undefined, auth);
    expect(exported.body.checkIns).toEqual({
      entranceAt: expect.any(String),
      workshops: { a: expect.any(String) },
    });
    expect(await checkInItemsOf(id, code)).toHaveLength(2);

    expect((await api(stack, 'DELETE', `/registrations/${id}/personal-data`, undefined, auth)).status).toBe(
      200,
    );
    expect(await checkInItemsOf(id, code)).toEqual([]);
    const summary = await admin('GET', '/admin/events/privacy-checkin/summary');
    expect(summary.body.totals.present).toBe(0);
  });

  it('the retention purge removes them with the code', async () => {
    await store.putEventDefinition('privacy-checkin-purge', event(30));
    const { id, code } = await checkedIn('privacy-checkin-purge', 21);
    expect(await checkInItemsOf(id, code)).toHaveLength(2);
    const queries = new DynamoAdminQueries(documentClient, stack.tableName);
    const removed = await purgeExpiredPersonalData({
      eventIds: async () => ['privacy-checkin-purge'],
      registrationIdsOf: async function* (eventId: string) {
        for await (const { registration } of queries.registrationsOf(eventId)) yield String(registration.id);
      },
      events: store,
      registrations: store,
      clock: { now: () => new Date('2030-04-05T00:00:00Z') },
    });
    expect(removed).toMatchObject({ removed: 1 });
    expect(await checkInItemsOf(id, code)).toEqual([]);
    expect(await wholeTable()).not.toContain('Privé Persoon 21');
  });
});
