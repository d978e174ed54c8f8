import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { routes } from '../../lambdas/routes.js';
import { register } from '../../lambdas/use-cases/register.js';
import type { LocalStack } from '../../local/stack.js';
import { type ApiResponse, api, startTestStack } from '../support/local-stack.js';
import { emailsTo } from '../support/mail.js';

let stack: LocalStack;
let store: DynamoStore;
let auth: Record<string, string>;

const EVENT = 'admin-testdag';

function definition(smallCapacity: number, extra: Partial<EventDefinition> = {}): EventDefinition {
  return {
    title: 'Admin testdag',
    date: '2030-09-12',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      {
        id: '1',
        title: 'Ronde 1',
        workshops: [
          { id: 'klein', title: 'Kleine zaal', description: '', speakers: [], capacity: smallCapacity },
          { id: 'groot', title: 'Grote zaal', description: '', speakers: [], capacity: 100 },
        ],
      },
      {
        id: '2',
        title: 'Ronde 2',
        workshops: [{ id: 'middag', title: 'Middagsessie', description: '', speakers: [], capacity: 100 }],
      },
    ],
    ...extra,
  };
}

const person = (n: number, workshop: string) => ({
  name: `Deelnemer ${String(n).padStart(3, '0')}`,
  email: `deelnemer${n}@example.nl`,
  organisation: n % 2 === 0 ? 'Gemeente Oss' : 'Provincie Utrecht',
  choices: { '1': workshop, '2': 'middag' },
  consent: true,
});

const admin = (method: string, path: string, body?: unknown) => api(stack, method, path, body, auth);

/** A listed item, read field by field (the JSON of a response body). */
type Item = ApiResponse['body'];

/** Every page of a listing, following nextCursor. */
async function allPages(path: string, limit: number): Promise<{ pages: ApiResponse[]; items: Item[] }> {
  const pages: ApiResponse[] = [];
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url = `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await admin('GET', url);
    expect(page.status).toBe(200);
    pages.push(page);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    expect(pages.length).toBeLessThan(200);
  } while (cursor);
  return { pages, items };
}

function csvRows(text: string): string[][] {
  return parse(text, { bom: true }) as string[][];
}

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  store = new DynamoStore(
    createDocumentClient({ region: 'eu-west-1', endpoint: stack.dynamodbEndpoint, requestTimeoutMs: 60_000 }),
    stack.tableName,
  );
});
afterAll(async () => stack?.close());

describe('admin API: credentials', () => {
  const adminRoutes = routes.filter((route) => route.auth === 'admin');
  const concrete = (path: string) =>
    path.replace('{eventId}', 'dag-van-weerbaar-bestuur-2019').replace('{registrationId}', 'abc');

  it('has the routes of the contract', () => {
    expect(adminRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        'DELETE /admin/events/{eventId}/check-ins/{registrationId}',
        'DELETE /admin/events/{eventId}/registrations/{registrationId}',
        'DELETE /admin/events/{eventId}/registrations/{registrationId}/personal-data',
        'DELETE /admin/events/{eventId}/waiting-list/{entryId}',
        'GET /admin/events',
        'GET /admin/events/{eventId}',
        'GET /admin/events/{eventId}/audit',
        'GET /admin/events/{eventId}/check-ins',
        'GET /admin/events/{eventId}/messages',
        'GET /admin/events/{eventId}/registrations',
        'GET /admin/events/{eventId}/registrations.csv',
        'GET /admin/events/{eventId}/registrations.xlsx',
        'GET /admin/events/{eventId}/summary',
        'GET /admin/events/{eventId}/waiting-list',
        'POST /admin/events/{eventId}/check-ins',
        'POST /admin/events/{eventId}/messages',
        'POST /admin/events/{eventId}/registrations/cancel-batch',
        'POST /admin/events/{eventId}/registrations/{registrationId}/resend-confirmation',
        'POST /admin/events/{eventId}/waiting-list/{entryId}/promote',
        'PUT /admin/events/{eventId}',
      ].sort(),
    );
  });

  it('refuses every admin route without a credential (401)', async () => {
    for (const route of adminRoutes) {
      const response = await api(
        stack,
        route.method,
        concrete(route.path),
        route.method === 'PUT' ? {} : undefined,
      );
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('checks the credential before it tells an unknown method (401, then 405 with Allow)', async () => {
    for (const route of adminRoutes) {
      const method = route.method === 'PATCH' ? 'POST' : 'PATCH';
      const anonymous = await api(stack, method, concrete(route.path));
      expect(anonymous.status, `${method} ${route.path}`).toBe(401);
      expect(anonymous.headers.get('allow')).toBeNull();
      const organiser = await api(stack, method, concrete(route.path), undefined, {
        Authorization: `Bearer ${stack.adminToken}`,
      });
      expect(organiser.status, `${method} ${route.path}`).toBe(405);
      expect(organiser.headers.get('allow')).toContain(route.method);
    }
  });

  it('refuses every admin route with a wrong token (401)', async () => {
    for (const headers of [
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Bearer ${stack.adminToken}x` },
      { Authorization: stack.adminToken },
      { Authorization: `Basic ${stack.adminToken}` },
    ]) {
      for (const route of adminRoutes) {
        const response = await api(stack, route.method, concrete(route.path), undefined, headers);
        expect(response.status, `${route.method} ${route.path}`).toBe(401);
        expect(response.body.error.code).toBe('UNAUTHORIZED');
      }
    }
  });
});

describe('admin API: an event from PUT to export', () => {
  const registered: string[] = [];

  it('creates an event with PUT (201), updates it (200) and validates the definition', async () => {
    const created = await admin('PUT', `/admin/events/${EVENT}`, definition(3));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: EVENT, title: 'Admin testdag', created: true });
    expect(created.body.rounds[0].workshops[0]).toMatchObject({ id: 'klein', capacity: 3, seatsLeft: 3 });

    const again = await admin('PUT', `/admin/events/${EVENT}`, definition(3));
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);

    const invalid = await admin('PUT', `/admin/events/${EVENT}`, { title: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'rounds' })]),
    );
    const badId = await admin('PUT', '/admin/events/Not_An_Id', definition(3));
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].path).toBe('eventId');
    // Issue 15: ids that name object machinery are refused; nothing is stored.
    for (const reserved of ['constructor', 'prototype', '__proto__']) {
      const base = definition(3);
      const [first, second] = base.rounds;
      if (!first || !second) throw new Error('two rounds');
      const asRound = await admin('PUT', '/admin/events/reserved-ids', {
        ...base,
        rounds: [{ ...first, id: reserved }, second],
      });
      expect(asRound.status, reserved).toBe(400);
      expect(asRound.body.error.code).toBe('VALIDATION_FAILED');
      expect(asRound.body.error.details).toContainEqual({
        path: 'rounds.0.id',
        message: expect.stringContaining('gereserveerd'),
      });
      const asWorkshop = await admin('PUT', '/admin/events/reserved-ids', {
        ...base,
        rounds: [first, { ...second, workshops: [{ ...second.workshops[0], id: reserved }] }],
      });
      expect(asWorkshop.status, reserved).toBe(400);
      expect((await admin('PUT', `/admin/events/${reserved}`, base)).status).toBe(400);
    }
    expect((await api(stack, 'GET', '/events/reserved-ids')).status).toBe(404);
    const malformed = await admin('PUT', `/admin/events/${EVENT}`, '{"title":');
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');

    const publicView = await api(stack, 'GET', `/events/${EVENT}`);
    expect(publicView.status).toBe(200);
  });

  it('lets exactly 3 of 25 concurrent registrants into the 3-seat workshop', async () => {
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, n) =>
        api(stack, 'POST', `/events/${EVENT}/registrations`, person(n + 1, 'klein')),
      ),
    );
    const ok = responses.filter((response) => response.status === 201);
    expect(ok).toHaveLength(3);
    for (const refused of responses.filter((response) => response.status !== 201)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('WORKSHOP_FULL');
      expect(refused.body.error.details.workshopIds).toEqual(['klein']);
    }
    registered.push(...ok.map((response) => response.body.registration.id));
    // Some in the big room too, and one with an accent and a formula in the name.
    for (const n of [101, 102, 103, 104]) {
      const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, person(n, 'groot'));
      expect(response.status).toBe(201);
      registered.push(response.body.registration.id);
    }
    const special = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
      ...person(105, 'groot'),
      name: '=Zoë Çelik, "ZC"',
      jobTitle: 'Wethouder',
    });
    expect(special.status).toBe(201);
    registered.push(special.body.registration.id);
  });

  it('lists, filters, exports and summarises the same registrations', async () => {
    const list = await admin('GET', `/admin/events/${EVENT}/registrations`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items.map((item: { id: string }) => item.id).sort()).toEqual([...registered].sort());
    for (const item of list.body.items) {
      expect(item).toMatchObject({ eventId: EVENT, status: 'confirmed', locale: expect.any(String) });
      expect(Object.keys(item).filter((key) => /hash|token|^pk$|^sk$|gsi/i.test(key))).toEqual([]);
    }
    const order = list.body.items.map(
      (item: { createdAt: string; id: string }) => `${item.createdAt}#${item.id}`,
    );
    expect(order).toEqual([...order].sort());

    const small = await admin('GET', `/admin/events/${EVENT}/registrations?workshopId=klein`);
    expect(small.body.items).toHaveLength(3);
    const afternoon = await admin('GET', `/admin/events/${EVENT}/registrations?workshopId=middag`);
    expect(afternoon.body.items).toHaveLength(registered.length);
    const search = await admin(
      'GET',
      `/admin/events/${EVENT}/registrations?q=${encodeURIComponent('zoe CELIK')}`,
    );
    expect(search.body.items.map((item: { name: string }) => item.name)).toEqual(['=Zoë Çelik, "ZC"']);
    const byMail = await admin('GET', `/admin/events/${EVENT}/registrations?q=DEELNEMER101@`);
    expect(byMail.body.items).toHaveLength(1);
    const cancelled = await admin('GET', `/admin/events/${EVENT}/registrations?status=cancelled`);
    expect(cancelled.body.items).toEqual([]);
    const blank = await admin('GET', `/admin/events/${EVENT}/registrations?workshopId=&status=&q=&cursor=`);
    expect(blank.body.items).toHaveLength(registered.length);

    const csv = await admin('GET', `/admin/events/${EVENT}/registrations.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${EVENT}-registrations.csv"`);
    const rows = csvRows(csv.body);
    expect(rows[0]).toEqual([
      'Naam',
      'E-mail',
      'Organisatie',
      'Functie',
      'Ronde 1',
      'Ronde 2',
      'Status',
      'Aangemeld op',
      'Wachtlijst',
    ]);
    expect(rows).toHaveLength(registered.length + 1);
    expect(rows.slice(1).map((row) => row[1])).toEqual(
      list.body.items.map((item: { email: string }) => item.email),
    );
    const zoe = rows.find((row) => row[1] === 'deelnemer105@example.nl');
    expect(zoe).toEqual([
      `'=Zoë Çelik, "ZC"`,
      'deelnemer105@example.nl',
      'Provincie Utrecht',
      'Wethouder',
      'Grote zaal',
      'Middagsessie',
      'bevestigd',
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
      '',
    ]);

    const attendance = await admin('GET', `/admin/events/${EVENT}/registrations.csv?workshopId=klein`);
    const attendanceRows = csvRows(attendance.body).slice(1);
    expect(attendanceRows).toHaveLength(3);
    const names = attendanceRows.map((row) => row[0] ?? '');
    expect(names).toEqual([...names].sort(new Intl.Collator('nl').compare));

    const summary = await admin('GET', `/admin/events/${EVENT}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.consistent).toBe(true);
    expect(summary.body.totals).toEqual({
      registrations: registered.length,
      waiting: 0,
      confirmed: registered.length,
      cancelled: 0,
      // Every confirmation went out through the local SES emulator.
      emailsPending: 0,
      emailsFailed: 0,
      emailsBounced: 0,
      emailsComplained: 0,
      // Nobody checked in yet; the event is still to come, so no no-shows.
      present: 0,
    });
    const byId = Object.fromEntries(
      summary.body.workshops.map((w: { workshopId: string }) => [w.workshopId, w]),
    );
    expect(byId.klein).toEqual({
      id: 'klein',
      workshopId: 'klein',
      roundId: '1',
      title: 'Kleine zaal',
      capacity: 3,
      taken: 3,
      seatsLeft: 0,
      holders: 3,
      confirmed: 3,
      consistent: true,
      waiting: 0,
      present: 0,
    });
    expect(byId.groot).toMatchObject({ taken: 5, holders: 5, seatsLeft: 95 });
    expect(byId.middag).toMatchObject({ taken: registered.length, holders: registered.length });
    expect(
      summary.body.rounds.map((round: { id: string; workshops: unknown[] }) => [
        round.id,
        round.workshops.length,
      ]),
    ).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
  });

  it('opens exactly 2 seats when the capacity goes from 3 to 5', async () => {
    const raised = await admin('PUT', `/admin/events/${EVENT}`, definition(5));
    expect(raised.status).toBe(200);
    expect(raised.body.rounds[0].workshops[0]).toMatchObject({ id: 'klein', capacity: 5, seatsLeft: 2 });
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        api(stack, 'POST', `/events/${EVENT}/registrations`, person(200 + n, 'klein')),
      ),
    );
    const ok = responses.filter((response) => response.status === 201);
    expect(ok).toHaveLength(2);
    registered.push(...ok.map((response) => response.body.registration.id));
    const summary = await admin('GET', `/admin/events/${EVENT}/summary`);
    expect(summary.body.workshops[0]).toMatchObject({
      workshopId: 'klein',
      taken: 5,
      holders: 5,
      seatsLeft: 0,
    });
  });

  it('refuses a capacity below what is taken, and removing a workshop that is held', async () => {
    const below = await admin('PUT', `/admin/events/${EVENT}`, definition(4));
    expect(below.status).toBe(409);
    expect(below.body.error.code).toBe('CAPACITY_BELOW_TAKEN');
    expect(below.body.error.details.workshopIds).toEqual(['klein']);

    const full = definition(5);
    const withoutSmall = {
      ...full,
      rounds: full.rounds.map((round) => ({
        ...round,
        workshops: round.workshops.filter((workshop) => workshop.id !== 'klein'),
      })),
    };
    const removed = await admin('PUT', `/admin/events/${EVENT}`, withoutSmall);
    expect(removed.status).toBe(409);
    expect(removed.body.error.code).toBe('WORKSHOP_IN_USE');
    expect(removed.body.error.details.workshopIds).toEqual(['klein']);

    const summary = await admin('GET', `/admin/events/${EVENT}/summary`);
    expect(summary.body.workshops[0]).toMatchObject({ workshopId: 'klein', capacity: 5, taken: 5 });
  });

  it('cancels on an attendee’s behalf: status cancelled, seats released once', async () => {
    const smallList = await admin('GET', `/admin/events/${EVENT}/registrations?workshopId=klein`);
    const target = smallList.body.items[0].id as string;
    const cancelled = await admin('DELETE', `/admin/events/${EVENT}/registrations/${target}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.registration).toMatchObject({ id: target, eventId: EVENT, status: 'cancelled' });
    expect(Object.keys(cancelled.body.registration).filter((key) => /hash|token/i.test(key))).toEqual([]);

    const again = await admin('DELETE', `/admin/events/${EVENT}/registrations/${target}`);
    expect(again.status).toBe(200);
    expect(again.body.registration.status).toBe('cancelled');

    const summary = await admin('GET', `/admin/events/${EVENT}/summary`);
    expect(summary.body.consistent).toBe(true);
    expect(summary.body.workshops[0]).toMatchObject({
      workshopId: 'klein',
      taken: 4,
      holders: 4,
      seatsLeft: 1,
    });
    expect(summary.body.totals).toMatchObject({ cancelled: 1, confirmed: registered.length - 1 });

    const cancelledList = await admin('GET', `/admin/events/${EVENT}/registrations?status=cancelled`);
    expect(cancelledList.body.items.map((item: { id: string }) => item.id)).toEqual([target]);
    const csv = csvRows((await admin('GET', `/admin/events/${EVENT}/registrations.csv`)).body);
    expect(csv.filter((row) => row[6] === 'geannuleerd')).toHaveLength(1);
    const attendance = csvRows(
      (await admin('GET', `/admin/events/${EVENT}/registrations.csv?workshopId=klein`)).body,
    );
    expect(attendance).toHaveLength(1 + 4);

    // The seat is free again for someone else.
    const newcomer = await api(stack, 'POST', `/events/${EVENT}/registrations`, person(300, 'klein'));
    expect(newcomer.status).toBe(201);
  });

  it('answers 404 for registrations that are unknown or of another event', async () => {
    const unknown = await admin('DELETE', `/admin/events/${EVENT}/registrations/does-not-exist`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('REGISTRATION_NOT_FOUND');
    const other = await admin(
      'DELETE',
      `/admin/events/dag-van-weerbaar-bestuur-2019/registrations/${registered[1]}`,
    );
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('REGISTRATION_NOT_FOUND');
    const still = await admin('GET', `/admin/events/${EVENT}/registrations?status=cancelled`);
    expect(still.body.items).toHaveLength(1);
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown event on every read route', async () => {
    for (const path of ['registrations', 'registrations.csv', 'summary', 'audit']) {
      const response = await admin('GET', `/admin/events/no-such-event/${path}`);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('EVENT_NOT_FOUND');
    }
  });

  it('validates the query string', async () => {
    for (const query of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=1.5',
      'status=pending',
      'workshopId=nope',
      'cursor=abc',
    ]) {
      const response = await admin('GET', `/admin/events/${EVENT}/registrations?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details[0].path).toBe(query.split('=')[0]);
    }
    const max = await admin('GET', `/admin/events/${EVENT}/registrations?limit=500`);
    expect(max.status).toBe(200);
  });

  it('keeps an audit log of the changes, newest first, without personal data', async () => {
    const audit = await admin('GET', `/admin/events/${EVENT}/audit`);
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((item: { action: string }) => item.action);
    expect(actions).toEqual(['registration.cancelled', 'event.updated', 'event.updated', 'event.created']);
    const [cancel, raise] = audit.body.items;
    expect(cancel).toMatchObject({
      id: expect.any(String),
      at: expect.any(String),
      actor: { sub: 'local-organiser', username: 'local-organiser' },
      eventId: EVENT,
      registrationId: expect.any(String),
    });
    expect(raise.details.capacityChanges).toEqual([{ workshopId: 'klein', from: 3, to: 5 }]);
    const text = JSON.stringify(audit.body);
    expect(text).not.toMatch(/Deelnemer|example\.nl|Gemeente|Provincie/);
    const ats = audit.body.items.map((item: { at: string }) => item.at);
    expect(ats).toEqual([...ats].sort().reverse());

    const paged = await allPages(`/admin/events/${EVENT}/audit`, 1);
    expect(paged.items.map((item: { id: string }) => item.id)).toEqual(
      audit.body.items.map((item: { id: string }) => item.id),
    );
  });
});

describe('admin API: cancelling a batch of abusive registrations (issue 15.2)', () => {
  const BATCH = 'batch-dag';
  const path = `/admin/events/${BATCH}/registrations/cancel-batch`;
  const bot = (n: number) => ({
    name: `Bot ${n}`,
    email: `bot${n}@bots-${n}.example`,
    organisation: 'Botnet',
    choices: { '1': 'klein', '2': 'middag' },
    consent: true,
  });

  it('lists in a dry run what it would cancel, then cancels each once: seats, emails, audit, promotion', async () => {
    expect((await admin('PUT', `/admin/events/${BATCH}`, definition(3))).status).toBe(201);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await api(stack, 'POST', `/events/${BATCH}/registrations`, bot(n));
      expect(created.status).toBe(201);
      ids.push(created.body.registration.id);
    }
    // Someone real waits for the full workshop.
    const waiting = await api(stack, 'POST', `/events/${BATCH}/waiting-list`, {
      name: 'Echte Mens',
      email: 'echt@example.nl',
      organisation: 'Gemeente',
      accepts: { '1': ['klein'], '2': ['middag'] },
      consent: true,
    });
    expect(waiting.status).toBe(201);
    const other = await api(stack, 'POST', `/events/${EVENT}/registrations`, person(900, 'groot'));
    const requested = [...ids, ids[0] ?? '', 'onbekend-id-123', other.body.registration.id];
    const auditBefore = (await admin('GET', `/admin/events/${BATCH}/audit`)).body.items.length;

    const dry = await admin('POST', path, { registrationIds: requested, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.batchId).toBeUndefined();
    expect(dry.body.items.map((item: Item) => [item.registrationId, item.outcome])).toEqual([
      ...ids.map((id) => [id, 'would-cancel']),
      ['onbekend-id-123', 'not-found'],
      [other.body.registration.id, 'not-found'],
    ]);
    expect(dry.body.items[0].registration).toMatchObject({ name: 'Bot 1', email: 'bot1@bots-1.example' });
    expect(dry.body.counts).toEqual({
      cancelled: 0,
      'would-cancel': 3,
      'already-cancelled': 0,
      'not-found': 2,
    });
    // The dry run changed nothing.
    const unchanged = await admin('GET', `/admin/events/${BATCH}/summary`);
    expect(unchanged.body.totals).toMatchObject({ confirmed: 3, cancelled: 0 });
    expect((await admin('GET', `/admin/events/${BATCH}/audit`)).body.items).toHaveLength(auditBefore);

    const done = await admin('POST', path, { registrationIds: requested });
    expect(done.status).toBe(200);
    expect(done.body.dryRun).toBe(false);
    expect(done.body.counts).toEqual({
      cancelled: 3,
      'would-cancel': 0,
      'already-cancelled': 0,
      'not-found': 2,
    });
    for (const n of [1, 2, 3]) {
      expect((await emailsTo(stack, `bot${n}@bots-${n}.example`)).map((mail) => mail.subject)).toContain(
        'Uw aanmelding is geannuleerd: Admin testdag',
      );
    }
    // Seats released once, and the freed seat went to the person waiting.
    const summary = await admin('GET', `/admin/events/${BATCH}/summary`);
    expect(summary.body.consistent).toBe(true);
    expect(summary.body.totals).toMatchObject({ confirmed: 1, cancelled: 3 });
    const klein = summary.body.workshops.find((w: Item) => w.id === 'klein');
    expect(klein).toMatchObject({ taken: 1, seatsLeft: 2 });
    const list = await admin('GET', `/admin/events/${BATCH}/registrations?status=confirmed`);
    expect(list.body.items.map((item: Item) => item.email)).toEqual(['echt@example.nl']);
    // Audited: one entry per cancellation, all with the batch's id, registration ids only.
    const audit = (await admin('GET', `/admin/events/${BATCH}/audit`)).body.items.filter(
      (item: Item) => item.details?.batchId === done.body.batchId,
    );
    expect(audit.map((item: Item) => item.registrationId).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(audit)).not.toContain('bots-');

    // Again: nothing more happens.
    const again = await admin('POST', path, { registrationIds: ids });
    expect(again.body.counts).toMatchObject({ cancelled: 0, 'already-cancelled': 3 });
    expect((await admin('GET', `/admin/events/${BATCH}/summary`)).body.workshops).toEqual(
      summary.body.workshops,
    );
  });

  it('refuses a body that is not a list of 1 to 100 registration ids, and changes nothing', async () => {
    for (const body of [
      {},
      { registrationIds: [] },
      { registrationIds: 'abc' },
      { registrationIds: ['../etc'] },
      { registrationIds: Array.from({ length: 101 }, (_, n) => `id-${n}`) },
      { registrationIds: ['abc'], dryRun: 'yes' },
    ]) {
      const response = await admin('POST', path, body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api(stack, 'POST', path, { registrationIds: ['abc'] })).status).toBe(401);
  });
});

describe('admin API: paging through 1,000 registrations', () => {
  const BIG = 'admin-grote-dag';
  const ids = new Set<string>();

  beforeAll(async () => {
    const created = await admin('PUT', `/admin/events/${BIG}`, {
      ...definition(2000, { title: 'Grote dag' }),
      rounds: [
        {
          id: '1',
          title: 'Ronde 1',
          workshops: [
            { id: 'zaal-a', title: 'Zaal A', capacity: 2000 },
            { id: 'zaal-b', title: 'Zaal B', capacity: 2000 },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    // Few distinct timestamps, so many registrations share a createdAt and the id decides their order.
    let tick = 0;
    const clock = { now: () => new Date(Date.UTC(2030, 0, 1, 10, 0, 0, (tick++ * 7) % 40)) };
    for (let start = 0; start < 1000; start += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, offset) => {
          const n = start + offset;
          return register(
            {
              eventId: BIG,
              name: `Bezoeker ${n}`,
              email: `bezoeker${n}@example.nl`,
              organisation: n % 4 === 0 ? 'Waterschap Aa' : 'Gemeente Oss',
              choices: { '1': n % 2 === 0 ? 'zaal-a' : 'zaal-b' },
              locale: 'nl',
            },
            { events: store, registrations: store, clock, secrets: cryptoSecrets },
          );
        }),
      );
      for (const { registration } of batch) ids.add(registration.id);
    }
    expect(ids.size).toBe(1000);
  });

  it('pages with limit 37: none missing, no duplicates, in (createdAt, id) order', async () => {
    const { pages, items } = await allPages(`/admin/events/${BIG}/registrations`, 37);
    expect(pages).toHaveLength(Math.ceil(1000 / 37));
    expect(pages.slice(0, -1).every((page) => page.body.items.length === 37)).toBe(true);
    expect(pages.at(-1)?.body.nextCursor).toBeNull();
    const seen = items.map((item) => item.id as string);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen)).toEqual(ids);
    const order = items.map((item) => `${item.createdAt}#${item.id}`);
    expect(order).toEqual([...order].sort());
  });

  it('pages through a filtered listing', async () => {
    const { items } = await allPages(`/admin/events/${BIG}/registrations?q=waterschap`, 37);
    expect(items).toHaveLength(250);
    expect(new Set(items.map((item) => item.id)).size).toBe(250);
    const inRoomA = await allPages(`/admin/events/${BIG}/registrations?workshopId=zaal-a`, 100);
    expect(inRoomA.items).toHaveLength(500);
    expect(inRoomA.pages).toHaveLength(5);
  });

  it('refuses a cursor of one event on another (400, path cursor)', async () => {
    const first = await admin('GET', `/admin/events/${BIG}/registrations?limit=10`);
    const cursor = first.body.nextCursor as string;
    expect(typeof cursor).toBe('string');
    const elsewhere = await admin(
      'GET',
      `/admin/events/${EVENT}/registrations?cursor=${encodeURIComponent(cursor)}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe('VALIDATION_FAILED');
    expect(elsewhere.body.error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const refused = await admin(
      'GET',
      `/admin/events/${BIG}/registrations?cursor=${encodeURIComponent(tampered)}`,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].path).toBe('cursor');
    const asAudit = await admin('GET', `/admin/events/${BIG}/audit?cursor=${encodeURIComponent(cursor)}`);
    expect(asAudit.status).toBe(400);
  });

  it('summarises and exports all of them', async () => {
    const summary = await admin('GET', `/admin/events/${BIG}/summary`);
    expect(summary.body.consistent).toBe(true);
    expect(summary.body.workshops.map((w: { holders: number }) => w.holders)).toEqual([500, 500]);
    const csv = csvRows((await admin('GET', `/admin/events/${BIG}/registrations.csv`)).body);
    expect(csv).toHaveLength(1001);
  });
});
