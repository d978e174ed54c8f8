import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';

const SEED = 'dag-van-weerbaar-bestuur-2019';
let stack: LocalStack;
let round1: { id: string; title: string }[];
let round2: { id: string; title: string }[];

beforeAll(async () => {
  stack = await startTestStack();
  const { body } = await api(stack, 'GET', `/events/${SEED}`);
  [round1, round2] = body.rounds.map(
    (round: { workshops: { id: string; title: string }[] }) => round.workshops,
  );
});
afterAll(async () => stack.close());

const person = (email: string, extra: Record<string, unknown> = {}) => ({
  name: 'Marieke van den Berg',
  email,
  organisation: 'Gemeente Oss',
  choices: { '1': round1[1]?.id, '2': round2[2]?.id },
  consent: true,
  ...extra,
});

describe('confirmation email on the local stack', () => {
  it('sends a Dutch email naming both workshops, with an .ics and a manage link that works', async () => {
    const created = await api(stack, 'POST', `/events/${SEED}/registrations`, person('marieke@example.nl'));
    expect(created.status).toBe(201);
    const [email] = await emailsTo(stack, 'marieke@example.nl');
    expect(email).toBeDefined();
    if (!email) return;
    expect(email.subject).toBe('Bevestiging van uw aanmelding: Dag van Weerbaar Bestuur');
    expect(email.body.text).toContain('Beste Marieke van den Berg,');
    expect(email.body.text).toContain('donderdag 12 september 2019');
    expect(email.body.text).toContain(round1[1]?.title);
    expect(email.body.text).toContain(round2[2]?.title);
    expect(email.body.html).toContain('<html lang="nl">');

    const { id, token } = manageLink(email);
    expect(id).toBe(created.body.registration.id);
    expect(token.length).toBeGreaterThanOrEqual(20);
    const followed = await api(stack, 'GET', `/registrations/${id}`, undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(followed.status).toBe(200);

    const ics = email.attachments.find((attachment) => attachment.filename?.endsWith('.ics'));
    expect(ics?.contentType).toContain('text/calendar');
    const calendar = new ICAL.Component(
      ICAL.parse(Buffer.from(ics?.content ?? '', 'base64').toString('utf8')),
    );
    const vevent = new ICAL.Event(calendar.getFirstSubcomponent('vevent') ?? undefined);
    expect(vevent.summary).toBe('Dag van Weerbaar Bestuur');
    expect(vevent.description).toContain(round1[1]?.title);
    const dtstart = calendar.getFirstSubcomponent('vevent')?.getFirstProperty('dtstart');
    expect(dtstart?.getParameter('tzid')).toBe('Europe/Amsterdam');
    expect(vevent.startDate.toString()).toBe('2019-09-12T09:30:00');
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe(
      'Europe/Amsterdam',
    );
  });

  it('writes English for an English registration', async () => {
    await api(
      stack,
      'POST',
      `/events/${SEED}/registrations`,
      person('john@example.org', { name: 'John Smith', locale: 'en' }),
    );
    const [email] = await emailsTo(stack, 'john@example.org');
    expect(email?.subject).toBe('Your registration is confirmed: Dag van Weerbaar Bestuur');
    expect(email?.body.text).toContain('Thursday, 12 September 2019');
  });

  it('sends an updated confirmation on a change and a cancellation email on cancel', async () => {
    await api(stack, 'POST', `/events/${SEED}/registrations`, person('wijzig@example.nl'));
    const [first] = await emailsTo(stack, 'wijzig@example.nl');
    const { id, token } = manageLink(first ?? ({} as never));
    const auth = { Authorization: `Bearer ${token}` };
    expect(
      (await api(stack, 'PATCH', `/registrations/${id}`, { choices: { '1': round1[2]?.id } }, auth)).status,
    ).toBe(200);
    expect((await api(stack, 'DELETE', `/registrations/${id}`, undefined, auth)).status).toBe(200);
    const emails = await emailsTo(stack, 'wijzig@example.nl');
    expect(emails.map((email) => email.subject.split(':')[0])).toEqual([
      'Bevestiging van uw aanmelding',
      'Uw aanmelding is gewijzigd',
      'Uw aanmelding is geannuleerd',
    ]);
    expect(emails[1]?.body.text).toContain(round1[2]?.title);
    const cancelIcs = Buffer.from(emails[2]?.attachments[0]?.content ?? '', 'base64').toString('utf8');
    expect(cancelIcs).toContain('METHOD:CANCEL');
    expect(cancelIcs).toContain('STATUS:CANCELLED');
  });

  it('escapes a name in HTML and refuses one that tries to add a header', async () => {
    await api(
      stack,
      'POST',
      `/events/${SEED}/registrations`,
      person('html@example.nl', { name: '<b>Jan</b> & "Piet"' }),
    );
    const [email] = await emailsTo(stack, 'html@example.nl');
    expect(email?.body.html).toContain('&lt;b&gt;Jan&lt;/b&gt; &amp; &quot;Piet&quot;');
    expect(email?.body.html).not.toContain('<b>Jan</b>');

    const injection = await api(
      stack,
      'POST',
      `/events/${SEED}/registrations`,
      person('inject@example.nl', { name: 'Jan\r\nBcc: victim@example.org' }),
    );
    expect(injection.status).toBe(400);
    expect(injection.body.error.details[0].path).toBe('name');
    expect(await emailsTo(stack, 'victim@example.org')).toEqual([]);
  });
});
