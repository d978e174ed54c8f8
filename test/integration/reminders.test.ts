import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type { LocalStack } from '../../local/stack.js';
import { calendarOf } from '../support/ics.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, sentEmails } from '../support/mail.js';
import { daysAfter, zoneWhereRemindersAreDue } from '../support/reminders.js';

let stack: LocalStack;
let auth: Record<string, string>;
const EVENT = 'herinnering-testdag';
const { timezone, today } = zoneWhereRemindersAreDue();

/** Tomorrow in a time zone where it is past 09:00: the one-day reminder is due now. */
const definition: EventDefinition = {
  title: 'Herinnering testdag',
  date: daysAfter(today, 1),
  timezone,
  startTime: '10:00',
  endTime: '16:00',
  reminders: { daysBefore: [1, 3] },
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [{ id: 'a', title: 'Workshop A', description: '', speakers: [], capacity: 10 }],
    },
  ],
};

async function registerPerson(email: string) {
  const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
    name: 'Henk Jansen',
    email,
    organisation: 'Gemeente Oss',
    choices: { '1': 'a' },
    consent: true,
  });
  expect(response.status).toBe(201);
  return response.body.registration.id as string;
}

const runNow = (name: string, headers: Record<string, string> = auth, method = 'POST') =>
  fetch(`${stack.apiUrl}/local/schedules/${name}`, { method, headers });

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  expect((await api(stack, 'PUT', `/admin/events/${EVENT}`, definition, auth)).status).toBe(201);
});
afterAll(async () => stack?.close());

describe('reminders (sendReminders)', () => {
  it('sends each confirmed registration one reminder with its .ics, even when two runs overlap and a third follows', async () => {
    await registerPerson('een@example.nl');
    await registerPerson('twee@example.nl');
    const cancelledId = await registerPerson('weg@example.nl');
    expect(
      (await api(stack, 'DELETE', `/admin/events/${EVENT}/registrations/${cancelledId}`, undefined, auth))
        .status,
    ).toBe(200);
    await stack.emailsSettled();

    const [first, second] = (await Promise.all([
      stack.runScheduled('sendReminders'),
      stack.runScheduled('sendReminders'),
    ])) as { queued: number; alreadyQueued: number }[];
    // Two confirmed registrations, one reminder due (the one-day one): written once between both runs.
    expect((first?.queued ?? 0) + (second?.queued ?? 0)).toBe(2);
    expect((first?.alreadyQueued ?? 0) + (second?.alreadyQueued ?? 0)).toBe(2);
    const third = (await stack.runScheduled('sendReminders')) as { queued: number };
    expect(third.queued).toBe(0);
    await stack.emailsSettled();

    for (const address of ['een@example.nl', 'twee@example.nl']) {
      const reminders = (await emailsTo(stack, address)).filter((email) =>
        email.subject.startsWith('Herinnering'),
      );
      expect(reminders).toHaveLength(1);
      const [reminder] = reminders;
      expect(reminder?.subject).toBe('Herinnering: Herinnering testdag');
      expect(reminder?.body.text).toContain('Workshop A');
      expect(reminder?.body.text).toMatch(
        /Ik kan niet komen: http\S+manage\.html\?id=\S+&step=cancel#token=\S+/,
      );
      expect(reminder?.body.html).toContain('>Ik kan niet komen</a>');
      const calendar = calendarOf(reminder);
      expect(calendar.uid).toMatch(/@vol-is-vol$/);
      expect(calendar.sequence).toBeGreaterThanOrEqual(1);
      expect(calendar.dtstampRaw).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
      expect(calendar.startTzid).toBe(timezone);
      expect(calendar.vtimezoneTzid).toBe(timezone);
    }
    expect(
      (await emailsTo(stack, 'weg@example.nl')).some((email) => email.subject.startsWith('Herinnering')),
    ).toBe(false);
  });

  it('POST /local/schedules/{name} runs a schedule now for the admin token only', async () => {
    const before = (await sentEmails(stack.sesUrl)).length;
    const run = await runNow('sendReminders');
    expect(run.status).toBe(200);
    expect(await run.json()).toEqual({
      schedule: 'sendReminders',
      result: { eventsDue: 1, queued: 0, alreadyQueued: 2 },
    });
    await stack.emailsSettled();
    expect((await sentEmails(stack.sesUrl)).length).toBe(before);

    const anonymous = await runNow('sendReminders', {});
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const unknown = await runNow('bestaatNiet');
    expect(unknown.status).toBe(404);
    const wrongMethod = await runNow('sendReminders', auth, 'GET');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});
