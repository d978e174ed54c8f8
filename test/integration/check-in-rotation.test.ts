/**
 * Issue 16 × issue 17: a reminder and an organisers' message each carry a fresh manage link, so the check-in
 * code (derived from the token) rotates with them. The lookup item must rotate in the same write: the code in the
 * newest email checks in, every earlier one is unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink, type StoredEmail } from '../support/mail.js';
import { daysAfter, zoneWhereRemindersAreDue } from '../support/reminders.js';

let stack: LocalStack;
let auth: Record<string, string>;
const EVENT = 'inchecken-herinnering';
const ADDRESS = 'roteer@example.nl';
const { timezone, today } = zoneWhereRemindersAreDue();

/** Tomorrow in a time zone where it is past 09:00: the one-day reminder is due now. */
const definition: EventDefinition = {
  title: 'Inchecken na herinnering',
  date: daysAfter(today, 1),
  timezone,
  reminders: { daysBefore: [1] },
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: [{ id: 'a', title: 'Workshop A', description: '', speakers: [], capacity: 10 }],
    },
  ],
};

/** The check-in code an email's manage link stands for, and that the email shows it. */
function codeIn(email: StoredEmail | undefined): string {
  if (!email) throw new Error('no such email');
  const code = checkInCodeOf(sha256Hex(manageLink(email).token));
  if (!code) throw new Error('no code');
  expect(email.body.text).toContain(`Inchecken op de dag: ${code}`);
  expect(email.body.html).toContain('src="cid:checkin-qr"');
  expect(email.attachments.some((attachment) => attachment.filename === 'inchecken.png')).toBe(true);
  return code;
}

const checkIn = (code: string) => api(stack, 'POST', `/admin/events/${EVENT}/check-ins`, { code }, auth);

/** The newest email to the person whose subject starts so (once the sender has handled what is owed). */
async function newestEmail(subjectStart: string): Promise<StoredEmail | undefined> {
  return (await emailsTo(stack, ADDRESS)).filter((email) => email.subject.startsWith(subjectStart)).at(-1);
}

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  expect((await api(stack, 'PUT', `/admin/events/${EVENT}`, definition, auth)).status).toBe(201);
});
afterAll(async () => stack?.close());

describe('the check-in code rotates with the manage link of a reminder and a message', () => {
  it("the newest email's code checks in; the codes of earlier emails are unknown", async () => {
    const registered = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
      name: 'Rob Roteer',
      email: ADDRESS,
      organisation: 'Gemeente Oss',
      choices: { '1': 'a' },
      consent: true,
    });
    expect(registered.status).toBe(201);
    const confirmed = codeIn(await newestEmail('Bevestiging'));

    await stack.runScheduled('sendReminders');
    const reminded = codeIn(await newestEmail('Herinnering'));
    expect(reminded).not.toBe(confirmed);

    const stale = await checkIn(confirmed);
    expect(stale.status).toBe(404);
    expect(stale.body.error.code).toBe('CHECK_IN_CODE_UNKNOWN');
    const current = await checkIn(reminded);
    expect(current.status).toBe(200);
    expect(current.body.checkIn.alreadyCheckedInAt).toBeUndefined();

    const sent = await api(
      stack,
      'POST',
      `/admin/events/${EVENT}/messages`,
      { subject: { nl: 'Parkeren' }, body: { nl: 'Parkeer achter het stadhuis.' } },
      auth,
    );
    expect(sent.status).toBe(202);
    const messageCode = codeIn(await newestEmail('Parkeren'));
    expect(messageCode).not.toBe(reminded);

    for (const earlier of [confirmed, reminded]) {
      const refused = await checkIn(earlier);
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('CHECK_IN_CODE_UNKNOWN');
    }
    // Already checked in at the entrance (with the reminder's code): the new code finds the same person.
    const again = await checkIn(messageCode);
    expect(again.status).toBe(200);
    expect(again.body.checkIn.registrationId).toBe(registered.body.registration.id);
    expect(again.body.checkIn.alreadyCheckedInAt).toBe(current.body.checkIn.at);
  });
});
