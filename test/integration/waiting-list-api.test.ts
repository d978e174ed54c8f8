import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type { LocalStack } from '../../local/stack.js';
import { twoRoundsOfTwo } from '../support/fakes.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';
import { registerWithManageLink } from '../support/registrations.js';

let stack: LocalStack;
const admin = () => ({ Authorization: `Bearer ${stack.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const definition = (capacities: Record<string, number>): EventDefinition =>
  twoRoundsOfTwo('Wachtlijstdag', capacities);

let people = 0;
function person() {
  people += 1;
  return {
    name: `Persoon ${people}`,
    email: `wacht${people}@example.nl`,
    organisation: 'Gemeente',
    consent: true,
  };
}

async function createEvent(eventId: string, capacities: Record<string, number>) {
  const response = await api(stack, 'PUT', `/admin/events/${eventId}`, definition(capacities), admin());
  expect(response.status).toBeLessThan(300);
}

const registerPerson = (eventId: string, choices: Record<string, string>, waitFor?: Record<string, string>) =>
  registerWithManageLink(stack, eventId, person(), choices, waitFor);

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.close());

describe('waiting lists over HTTP', () => {
  it('hands a cancelled seat to the first person waiting, in the same request, with an email', async () => {
    await createEvent('wl-basic', { a: 1, b: 5, c: 5, d: 5 });
    const holder = await registerPerson('wl-basic', { '1': 'a', '2': 'c' });
    const first = await registerPerson('wl-basic', { '1': 'b', '2': 'c' }, { '1': 'a' });
    expect(first.response.body.registration).toMatchObject({
      waitingFor: { '1': ['a'] },
      waitingPositions: { a: 1 },
    });
    const second = await registerPerson('wl-basic', { '1': 'b', '2': 'd' }, { '1': 'a' });
    expect(second.response.body.registration.waitingPositions).toEqual({ a: 2 });

    const event = await api(stack, 'GET', '/events/wl-basic');
    const workshopA = event.body.rounds[0].workshops.find((w: { id: string }) => w.id === 'a');
    expect(workshopA).toMatchObject({ full: true, waiting: 2 });

    const cancelled = await api(
      stack,
      'DELETE',
      `/registrations/${holder.id}`,
      undefined,
      bearer(holder.token),
    );
    expect(cancelled.status).toBe(200);

    const promoted = (await emailsTo(stack, first.email)).find((email) =>
      /plaats vrijgekomen/i.test(email.subject),
    );
    expect(promoted, 'promotion email').toBeDefined();
    if (!promoted) return;
    const newLink = manageLink(promoted);
    const view = await api(stack, 'GET', `/registrations/${first.id}`, undefined, bearer(newLink.token));
    expect(view.body.registration).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'c' } });
    expect(view.body.registration.waitingFor).toBeUndefined();

    const secondView = await api(
      stack,
      'GET',
      `/registrations/${second.id}`,
      undefined,
      bearer(second.token),
    );
    expect(secondView.body.registration.waitingPositions).toEqual({ a: 1 });

    const summary = await api(stack, 'GET', '/admin/events/wl-basic/summary', undefined, admin());
    const byId = Object.fromEntries(summary.body.workshops.map((w: { id: string }) => [w.id, w]));
    expect(byId.a).toMatchObject({ taken: 1, holders: 1, waiting: 1, consistent: true });
    expect(byId.b).toMatchObject({ taken: 1, holders: 1, consistent: true });
    const list = await api(
      stack,
      'GET',
      '/admin/events/wl-basic/waiting-list?workshopId=a',
      undefined,
      admin(),
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({ position: 1, registrationId: second.id, kind: 'preference' }),
    ]);
  });

  it('signs someone up for a place and registers them when every round has a seat', async () => {
    await createEvent('wl-place', { a: 1, b: 0, c: 2, d: 0 });
    const holder = await registerPerson('wl-place', { '1': 'a', '2': 'c' });
    const who = person();
    const refused = await api(stack, 'POST', '/events/wl-place/waiting-list', {
      ...who,
      accepts: { '1': ['a', 'b'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INVALID_CHOICE');

    const signup = await api(stack, 'POST', '/events/wl-place/waiting-list', {
      ...who,
      accepts: { '1': ['b', 'a'], '2': ['c'] },
    });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    expect(signup.body.registration).toMatchObject({
      status: 'waiting',
      choices: {},
      waitingPositions: { a: 1, b: 1, c: 1 },
    });
    const again = await api(stack, 'POST', '/events/wl-place/waiting-list', {
      ...who,
      accepts: { '1': ['a'], '2': ['c'] },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_WAITING');
    const [waitingEmail] = await emailsTo(stack, who.email);
    expect(waitingEmail?.subject).toMatch(/wachtlijst/i);

    await api(stack, 'DELETE', `/registrations/${holder.id}`, undefined, bearer(holder.token));
    const promoted = (await emailsTo(stack, who.email)).find((email) =>
      /plaats vrijgekomen/i.test(email.subject),
    );
    if (!promoted) throw new Error('no promotion email');
    const view = await api(
      stack,
      'GET',
      `/registrations/${signup.body.registration.id}`,
      undefined,
      bearer(manageLink(promoted).token),
    );
    expect(view.body.registration).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'c' } });
  });

  it('refuses a list when a seat is free, and a second wait in the same round', async () => {
    await createEvent('wl-refuse', { a: 1, b: 5, c: 5, d: 5 });
    const someone = await registerPerson('wl-refuse', { '1': 'b', '2': 'c' });
    const notFull = await api(
      stack,
      'POST',
      `/registrations/${someone.id}/waiting-list`,
      { workshopId: 'a' },
      bearer(someone.token),
    );
    expect(notFull.status).toBe(409);
    expect(notFull.body.error).toMatchObject({ code: 'NOT_FULL', details: { workshopIds: ['a'] } });
    await registerPerson('wl-refuse', { '1': 'a', '2': 'c' });
    const joined = await api(
      stack,
      'POST',
      `/registrations/${someone.id}/waiting-list`,
      { workshopId: 'a' },
      bearer(someone.token),
    );
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body.registration.waitingPositions).toEqual({ a: 1 });
    const twice = await api(
      stack,
      'POST',
      `/registrations/${someone.id}/waiting-list`,
      { workshopId: 'a' },
      bearer(someone.token),
    );
    expect(twice.body.error.code).toBe('ALREADY_WAITING');
    const held = await api(
      stack,
      'POST',
      `/registrations/${someone.id}/waiting-list`,
      { workshopId: 'b' },
      bearer(someone.token),
    );
    expect(held.body.error.code).toBe('INVALID_CHOICE');

    const left = await api(
      stack,
      'DELETE',
      `/registrations/${someone.id}/waiting-list/1`,
      undefined,
      bearer(someone.token),
    );
    expect(left.status).toBe(200);
    expect(left.body.registration.waitingFor).toBeUndefined();
    expect(left.body.registration.choices).toEqual({ '1': 'b', '2': 'c' });
    const leftEmail = (await emailsTo(stack, someone.email)).find((email) =>
      /niet meer op de wachtlijst/i.test(email.subject),
    );
    expect(leftEmail).toBeDefined();
  });

  it('lets organisers promote by hand within capacity and remove an entry, both audited', async () => {
    await createEvent('wl-admin', { a: 1, b: 5, c: 5, d: 5 });
    await registerPerson('wl-admin', { '1': 'a', '2': 'c' });
    const waiter = await registerPerson('wl-admin', { '1': 'b', '2': 'c' }, { '1': 'a' });
    const entryId = `${waiter.id}.1`;
    const full = await api(
      stack,
      'POST',
      `/admin/events/wl-admin/waiting-list/${entryId}/promote`,
      undefined,
      admin(),
    );
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('WORKSHOP_FULL');

    const raised = await api(
      stack,
      'PUT',
      '/admin/events/wl-admin',
      definition({ a: 2, b: 5, c: 5, d: 5 }),
      admin(),
    );
    expect(raised.status).toBe(200);
    // Raising the capacity promoted the waiter at once.
    const view = await api(stack, 'GET', '/admin/events/wl-admin/registrations', undefined, admin());
    const promoted = view.body.items.find((item: { id: string }) => item.id === waiter.id);
    expect(promoted).toMatchObject({ choices: { '1': 'a', '2': 'c' } });

    const other = await registerPerson('wl-admin', { '1': 'b', '2': 'd' }, { '1': 'a' });
    const removed = await api(
      stack,
      'DELETE',
      `/admin/events/wl-admin/waiting-list/${other.id}.1`,
      undefined,
      admin(),
    );
    expect(removed.status).toBe(200);
    const missing = await api(
      stack,
      'DELETE',
      `/admin/events/wl-admin/waiting-list/${other.id}.1`,
      undefined,
      admin(),
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('WAITING_ENTRY_NOT_FOUND');
    const audit = await api(stack, 'GET', '/admin/events/wl-admin/audit', undefined, admin());
    expect(audit.body.items.map((item: { action: string }) => item.action)).toContain('waiting-list.removed');
  });
});
