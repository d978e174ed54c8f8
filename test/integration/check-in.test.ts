import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCheckIns } from '../../lambdas/adapters/dynamodb/check-ins.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import { DOOR_ROUTES } from '../../lambdas/http/admin-auth.js';
import { routes } from '../../lambdas/routes.js';
import type { LocalStack } from '../../local/stack.js';
import { twoRoundsOfTwo } from '../support/fakes.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';
import { decodeQrPng } from '../support/qr.js';
import { registerWithManageLink } from '../support/registrations.js';

let stack: LocalStack;
let checkIns: DynamoCheckIns;
let store: DynamoStore;
let documentClient: ReturnType<typeof createDocumentClient>;
const admin = () => ({ Authorization: `Bearer ${stack.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const definition = (capacities: Record<string, number>, date?: string): EventDefinition =>
  twoRoundsOfTwo('Incheckdag', capacities, date);

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
  return registerWithManageLink(stack, eventId, who, choices, waitFor);
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
    // The confirmation email shows the same code, in its text and as an inline QR image.
    const [confirmation] = await emailsTo(stack, anna.email);
    expect(confirmation?.body.text).toContain(code);
    // The emulator's parser (mailparser) turns an inline image's `cid:` link into a data URL: it resolved.
    expect(confirmation?.body.html).toMatch(/<img src="(cid:checkin-qr|data:image\/png;base64,[^"]+)"/);
    const image = confirmation?.attachments.find((attachment) => attachment.contentType === 'image/png');
    expect(decodeQrPng(Buffer.from(image?.content ?? '', 'base64'))).toBe(code);
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

const door = () => ({ Authorization: `Bearer ${stack.doorToken}` });
const checkInAs = (headers: Record<string, string>, eventId: string, body: unknown) =>
  api(stack, 'POST', `/admin/events/${eventId}/check-ins`, body, headers);

/** A confirmed person of the event with the code their GET shows. */
async function withCode(eventId: string, choices: Record<string, string>) {
  const person = await registerPerson(eventId, choices);
  const code = await codeOf(person.id, person.token);
  if (!code) throw new Error('no code');
  return { ...person, code };
}

describe('who may check in', () => {
  it('door staff are refused (403) on every admin route but the check-in routes', async () => {
    const others = routes.filter(
      ({ auth, method, path }) => auth === 'admin' && !DOOR_ROUTES.has(`${method} ${path}`),
    );
    expect(others.length).toBeGreaterThan(10);
    // The organisers' messages (issue 16) are among them.
    expect(others.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining([
        'POST /admin/events/{eventId}/messages',
        'GET /admin/events/{eventId}/messages',
      ]),
    );
    for (const { method, path } of others) {
      const concrete = path
        .replace('{eventId}', 'ci-codes')
        .replace('{registrationId}', 'r1')
        .replace('{entryId}', 'r1.1');
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const response = await api(stack, method, concrete, body, door());
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    // Without any credential: 401, as before.
    expect((await checkInAs({}, 'ci-codes', { code: 'AAAA-AAAA-AAAA' })).status).toBe(401);
  });

  it('door staff check in and search, and never see an email address', async () => {
    await createEvent('ci-door', { a: 5, b: 5, c: 5, d: 5 });
    const anna = await withCode('ci-door', { '1': 'a', '2': 'c' });
    const scanned = await checkInAs(door(), 'ci-door', { code: anna.code });
    expect(scanned.status).toBe(200);
    const found = await api(
      stack,
      'GET',
      `/admin/events/ci-door/check-ins?q=${encodeURIComponent(anna.name)}`,
      undefined,
      door(),
    );
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    for (const answer of [scanned.body, found.body]) expect(JSON.stringify(answer)).not.toContain('@');
    // Searching by an email address finds nobody: door staff cannot probe who registered.
    const byEmail = await api(
      stack,
      'GET',
      `/admin/events/ci-door/check-ins?q=${encodeURIComponent(anna.email)}`,
      undefined,
      door(),
    );
    expect(byEmail.body.items).toEqual([]);
    const undone = await api(
      stack,
      'DELETE',
      `/admin/events/ci-door/check-ins/${anna.id}`,
      undefined,
      door(),
    );
    expect(undone.body).toEqual({ registrationId: anna.id, undone: true });
  });
});

describe('checking in', () => {
  it('by code at the entrance: who it is, when; a second scan counts once and says when the first was', async () => {
    await createEvent('ci-api', { a: 5, b: 5, c: 5, d: 5 });
    const anna = await withCode('ci-api', { '1': 'a', '2': 'c' });
    const first = await checkInAs(admin(), 'ci-api', { code: anna.code });
    expect(first.status).toBe(200);
    expect(first.body.checkIn).toEqual({
      registrationId: anna.id,
      name: anna.name,
      organisation: anna.organisation,
      choices: { '1': 'a', '2': 'c' },
      at: expect.any(String),
    });
    // Typed by hand: lower case, spaces instead of hyphens.
    const again = await checkInAs(admin(), 'ci-api', {
      code: ` ${anna.code.replaceAll('-', ' ').toLowerCase()}`,
    });
    expect(again.status).toBe(200);
    expect(again.body.checkIn.alreadyCheckedInAt).toBe(first.body.checkIn.at);
    const summary = await api(stack, 'GET', '/admin/events/ci-api/summary', undefined, admin());
    expect(summary.body.totals.present).toBe(1);
    // The event is in 2030: nobody is a no-show yet.
    expect(summary.body.totals.noShows).toBeUndefined();
  });

  it('the same code scanned at two doors at the same moment counts once', async () => {
    const bert = await withCode('ci-api', { '1': 'b', '2': 'd' });
    const scans = await Promise.all(
      Array.from({ length: 6 }, () => checkInAs(admin(), 'ci-api', { code: bert.code, workshopId: 'b' })),
    );
    expect(scans.map((scan) => scan.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const firsts = scans.filter((scan) => scan.body.checkIn.alreadyCheckedInAt === undefined);
    expect(firsts).toHaveLength(1);
    const at = firsts[0]?.body.checkIn.at;
    for (const scan of scans) expect(scan.body.checkIn.at).toBe(at);
    const summary = await api(stack, 'GET', '/admin/events/ci-api/summary', undefined, admin());
    const b = summary.body.workshops.find((workshop: { id: string }) => workshop.id === 'b');
    expect(b.present).toBe(1);
  });

  it('refuses unknown codes, codes of another event, cancelled registrations and the wrong room', async () => {
    const carla = await withCode('ci-api', { '1': 'a', '2': 'd' });
    const unknown = await checkInAs(admin(), 'ci-api', { code: 'ZZZZ-ZZZZ-ZZZZ' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('CHECK_IN_CODE_UNKNOWN');
    expect((await checkInAs(admin(), 'ci-api', { code: 'geen code' })).body.error.code).toBe(
      'CHECK_IN_CODE_UNKNOWN',
    );
    expect((await checkInAs(admin(), 'ci-codes', { code: carla.code })).status).toBe(404);
    expect((await checkInAs(admin(), 'ci-api', { registrationId: 'onbekend' })).status).toBe(404);

    const wrongRoom = await checkInAs(admin(), 'ci-api', { code: carla.code, workshopId: 'b' });
    expect(wrongRoom.status).toBe(409);
    expect(wrongRoom.body.error).toMatchObject({
      code: 'NOT_REGISTERED_FOR_WORKSHOP',
      details: { roundId: '1', workshopId: 'a', title: 'Workshop a' },
    });
    const rightRoom = await checkInAs(admin(), 'ci-api', { registrationId: carla.id, workshopId: 'a' });
    expect(rightRoom.status).toBe(200);
    expect(rightRoom.body.checkIn.workshopId).toBe('a');
    const noSuchWorkshop = await checkInAs(admin(), 'ci-api', { code: carla.code, workshopId: 'zz' });
    expect(noSuchWorkshop.status).toBe(400);

    await api(stack, 'DELETE', `/registrations/${carla.id}`, undefined, bearer(carla.token));
    const cancelled = await checkInAs(admin(), 'ci-api', { code: carla.code });
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error.code).toBe('REGISTRATION_CANCELLED');

    for (const body of [{}, { code: carla.code, registrationId: carla.id }, { code: '' }]) {
      const refused = await checkInAs(admin(), 'ci-api', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('undoing a mistaken check-in is audited, and the person can be checked in again', async () => {
    const dirk = await withCode('ci-api', { '1': 'b', '2': 'c' });
    const first = await checkInAs(admin(), 'ci-api', { code: dirk.code, workshopId: 'c' });
    const undo = await api(
      stack,
      'DELETE',
      `/admin/events/ci-api/check-ins/${dirk.id}?workshopId=c`,
      undefined,
      admin(),
    );
    expect(undo.status).toBe(200);
    expect(undo.body).toEqual({ registrationId: dirk.id, workshopId: 'c', undone: true });
    const again = await api(
      stack,
      'DELETE',
      `/admin/events/ci-api/check-ins/${dirk.id}?workshopId=c`,
      undefined,
      admin(),
    );
    expect(again.body.undone).toBe(false);
    const audit = await api(stack, 'GET', '/admin/events/ci-api/audit', undefined, admin());
    const entries = audit.body.items.filter(
      (entry: { action: string }) => entry.action === 'check-in.undone',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ registrationId: dirk.id, details: { place: 'c' } });
    expect(JSON.stringify(entries[0])).not.toContain(dirk.name);
    const second = await checkInAs(admin(), 'ci-api', { code: dirk.code, workshopId: 'c' });
    expect(second.body.checkIn.alreadyCheckedInAt).toBeUndefined();
    expect(second.body.checkIn.at >= first.body.checkIn.at).toBe(true);
    expect(
      (await api(stack, 'DELETE', '/admin/events/ci-api/check-ins/onbekend', undefined, admin())).status,
    ).toBe(404);
  });

  it('finds people by name or organisation, accents ignored, with their check-in at the place asked about', async () => {
    await createEvent('ci-search', { a: 5, b: 5, c: 5, d: 5 });
    const zoe = await registerPerson('ci-search', { '1': 'a', '2': 'c' });
    await registerPerson('ci-search', { '1': 'b', '2': 'c' });
    await checkInAs(admin(), 'ci-search', { registrationId: zoe.id, workshopId: 'a' });
    const byName = await api(
      stack,
      'GET',
      `/admin/events/ci-search/check-ins?q=${encodeURIComponent(zoe.name.toUpperCase())}`,
      undefined,
      admin(),
    );
    expect(byName.body.items).toEqual([
      {
        registrationId: zoe.id,
        name: zoe.name,
        organisation: zoe.organisation,
        choices: { '1': 'a', '2': 'c' },
      },
    ]);
    const inRoom = await api(
      stack,
      'GET',
      '/admin/events/ci-search/check-ins?workshopId=a',
      undefined,
      admin(),
    );
    expect(inRoom.body.items).toEqual([
      expect.objectContaining({ registrationId: zoe.id, checkedInAt: expect.any(String) }),
    ]);
    const everyone = await api(
      stack,
      'GET',
      '/admin/events/ci-search/check-ins?workshopId=c',
      undefined,
      admin(),
    );
    expect(everyone.body.items).toHaveLength(2);
    expect(
      everyone.body.items.every((item: { checkedInAt?: string }) => item.checkedInAt === undefined),
    ).toBe(true);
  });

  it('after the event day the summary counts no-shows; the attendance list has the check-in time', async () => {
    await createEvent('ci-past', { a: 5, b: 5, c: 5, d: 5 }, '2020-03-12');
    const came = await withCode('ci-past', { '1': 'a', '2': 'c' });
    await withCode('ci-past', { '1': 'a', '2': 'd' });
    await checkInAs(admin(), 'ci-past', { code: came.code });
    await checkInAs(admin(), 'ci-past', { code: came.code, workshopId: 'a' });
    const summary = await api(stack, 'GET', '/admin/events/ci-past/summary', undefined, admin());
    expect(summary.body.totals).toMatchObject({ confirmed: 2, present: 1, noShows: 1 });
    const byId = Object.fromEntries(summary.body.workshops.map((w: { id: string }) => [w.id, w]));
    expect(byId.a).toMatchObject({ holders: 2, present: 1, noShows: 1 });
    expect(byId.c).toMatchObject({ holders: 1, present: 0, noShows: 1 });

    const csv = await fetch(`${stack.apiUrl}/admin/events/ci-past/registrations.csv?workshopId=a`, {
      headers: admin(),
    });
    const rows = parse(await csv.text(), { bom: true, delimiter: ',' }) as string[][];
    const header = rows[0] ?? [];
    expect(header.at(-1)).toBe('Ingecheckt om');
    const cameRow = rows.find((row) => row[0] === came.name);
    expect(cameRow?.at(-1)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const otherRow = rows.find((row) => row[0] !== came.name && row !== header);
    expect(otherRow?.at(-1)).toBe('');
  });
});
