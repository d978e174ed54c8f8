import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { LocalStack } from '../../local/stack.js';
import { main } from '../../scripts/admin.js';
import { cliIo } from '../support/cli-io.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';

let stack: LocalStack;
let auth: Record<string, string>;

const EVENT = 'resend-dag';
const OTHER_EVENT = 'resend-andere-dag';

const definition = (title: string) => ({
  title,
  date: '2030-06-06',
  timezone: 'Europe/Amsterdam',
  rounds: [{ id: '1', title: 'Ochtend', workshops: [{ id: 'lezen', title: 'Lezen', capacity: 5 }] }],
});

const admin = (method: string, path: string, body?: unknown) => api(stack, method, path, body, auth);
const resend = (eventId: string, registrationId: string) =>
  admin('POST', `/admin/events/${eventId}/registrations/${registrationId}/resend-confirmation`);

async function registerPerson(n: number): Promise<{ id: string; email: string }> {
  const email = `herhaal${n}@example.nl`;
  const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
    name: `Herhaal ${n}`,
    email,
    organisation: 'Gemeente Oss',
    choices: { '1': 'lezen' },
    consent: true,
  });
  expect(response.status).toBe(201);
  return { id: response.body.registration.id, email };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  stack = await startTestStack();
  auth = bearer(stack.adminToken);
  expect((await api(stack, 'PUT', `/admin/events/${EVENT}`, definition('Herhaaldag'), auth)).status).toBe(
    201,
  );
  expect(
    (await api(stack, 'PUT', `/admin/events/${OTHER_EVENT}`, definition('Andere dag'), auth)).status,
  ).toBe(201);
});
afterAll(async () => stack?.close());

describe('admin API: the list of events', () => {
  it('lists the events put through the API and the ones loaded from events/, by date', async () => {
    const listed = await admin('GET', '/admin/events');
    expect(listed.status).toBe(200);
    const ids = listed.body.items.map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining([EVENT, OTHER_EVENT, 'dag-van-weerbaar-bestuur-2019']));
    expect(listed.body.items.find((item: { id: string }) => item.id === EVENT)).toEqual({
      id: EVENT,
      title: 'Herhaaldag',
      date: '2030-06-06',
      timezone: 'Europe/Amsterdam',
    });
    expect(ids.indexOf('dag-van-weerbaar-bestuur-2019')).toBeLessThan(ids.indexOf(EVENT));
    expect((await api(stack, 'GET', '/admin/events')).status).toBe(401);
  });

  it('gives an event’s definition as stored, the shape PUT takes, for the editor', async () => {
    const stored = await admin('GET', `/admin/events/${EVENT}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject(definition('Herhaaldag'));
    const again = await api(stack, 'PUT', `/admin/events/${EVENT}`, stored.body, auth);
    expect(again.status).toBe(200);
    const unknown = await admin('GET', '/admin/events/bestaat-niet');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('EVENT_NOT_FOUND');
  });
});

describe('admin API: resending the confirmation', () => {
  it('sends the confirmation again with a fresh link that works, retires the old one, and audits it', async () => {
    const person = await registerPerson(1);
    const [first] = await emailsTo(stack, person.email);
    if (!first) throw new Error('no first confirmation');
    const oldLink = manageLink(first);

    const response = await resend(EVENT, person.id);
    expect(response.status).toBe(200);
    expect(response.body.registration).toMatchObject({
      id: person.id,
      status: 'confirmed',
      confirmation: { kind: 'confirmation', state: 'pending', attempts: 0 },
    });
    expect(Object.keys(response.body.registration).filter((key) => /hash|token/i.test(key))).toEqual([]);

    const emails = await emailsTo(stack, person.email);
    expect(emails).toHaveLength(2);
    const second = emails[1];
    if (!second) throw new Error('no second confirmation');
    expect(second.subject).toBe(first.subject);
    expect(second.attachments.some((file) => file.filename?.endsWith('.ics'))).toBe(true);
    const newLink = manageLink(second);
    expect(newLink.id).toBe(person.id);
    expect(newLink.token).not.toBe(oldLink.token);

    const withNew = await api(stack, 'GET', `/registrations/${person.id}`, undefined, bearer(newLink.token));
    expect(withNew.status).toBe(200);
    const withOld = await api(stack, 'GET', `/registrations/${person.id}`, undefined, bearer(oldLink.token));
    expect(withOld.status).toBe(404);

    // The check-in code rotates with the manage token: the old code no longer checks anyone in.
    const oldCode = checkInCodeOf(sha256Hex(oldLink.token));
    const newCode = withNew.body.checkIn?.code;
    expect(newCode).toBeTruthy();
    expect(newCode).not.toBe(oldCode);
    const byOldCode = await admin('POST', `/admin/events/${EVENT}/check-ins`, { code: oldCode });
    expect(byOldCode.status).toBe(404);
    expect(byOldCode.body.error.code).toBe('CHECK_IN_CODE_UNKNOWN');
    const byNewCode = await admin('POST', `/admin/events/${EVENT}/check-ins`, { code: newCode });
    expect(byNewCode.status).toBe(200);
    expect(byNewCode.body.checkIn.registrationId).toBe(person.id);

    const listed = await admin('GET', `/admin/events/${EVENT}/registrations?q=herhaal1`);
    expect(listed.body.items[0].confirmation).toMatchObject({ kind: 'confirmation', state: 'sent' });

    const auditLog = await admin('GET', `/admin/events/${EVENT}/audit`);
    expect(auditLog.body.items[0]).toMatchObject({
      action: 'registration.confirmation-resent',
      registrationId: person.id,
      details: { kind: 'confirmation' },
    });
    expect(JSON.stringify(auditLog.body)).not.toContain(person.email);
  });

  it('answers 404 for an unknown registration and for one of another event, 409 for a cancelled one', async () => {
    const person = await registerPerson(2);
    const unknown = await resend(EVENT, 'bestaat-niet');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('REGISTRATION_NOT_FOUND');
    const otherEvent = await resend(OTHER_EVENT, person.id);
    expect(otherEvent.status).toBe(404);
    expect(otherEvent.body.error.code).toBe('REGISTRATION_NOT_FOUND');

    expect((await admin('DELETE', `/admin/events/${EVENT}/registrations/${person.id}`)).status).toBe(200);
    const before = await emailsTo(stack, person.email);
    const cancelled = await resend(EVENT, person.id);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error.code).toBe('REGISTRATION_CANCELLED');
    expect(await emailsTo(stack, person.email)).toHaveLength(before.length);
  });

  it('answers 410 REGISTRATION_ERASED once the personal data was removed', async () => {
    const person = await registerPerson(3);
    expect(
      (await admin('DELETE', `/admin/events/${EVENT}/registrations/${person.id}/personal-data`)).status,
    ).toBe(200);
    const erased = await resend(EVENT, person.id);
    expect(erased.status).toBe(410);
    expect(erased.body.error.code).toBe('REGISTRATION_ERASED');
  });

  it('is a CLI command: resend-confirmation <eventId> <registrationId>', async () => {
    const person = await registerPerson(4);
    const { io, out, err } = cliIo(stack.adminToken);
    const target = ['--url', stack.apiUrl, '--token', stack.adminToken];
    const code = await main(['resend-confirmation', EVENT, person.id, ...target], io);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).toMatch(/gaat opnieuw naar herhaal4@example\.nl/);
    expect(await emailsTo(stack, person.email)).toHaveLength(2);

    expect(await main(['resend-confirmation', EVENT, 'bestaat-niet', ...target], io)).toBe(1);
    expect(await main(['resend-confirmation', EVENT, ...target], io)).toBe(2);
  });
});
