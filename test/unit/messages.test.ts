import { describe, expect, it } from 'vitest';
import { isInAudience, type MessageAudience, messageStatus, textFor } from '../../lambdas/domain/message.js';
import { renderEmail } from '../../lambdas/email/templates.js';
import { sampleDefinition, sampleRegistration } from '../support/fakes.js';

const registration = sampleRegistration;

const everyoneConfirmed: MessageAudience = { statuses: ['confirmed'] };

describe('the audience of a message', () => {
  it('is every confirmed registration by default, never a cancelled or erased one, nor one waiting', () => {
    expect(isInAudience(registration({}), everyoneConfirmed)).toBe(true);
    expect(isInAudience(registration({ status: 'cancelled' }), everyoneConfirmed)).toBe(false);
    expect(isInAudience(registration({ status: 'waiting', choices: {} }), everyoneConfirmed)).toBe(false);
    const erased = registration({ personalDataRemoved: { at: '2030-02-01T00:00:00Z', reason: 'request' } });
    expect(isInAudience(erased, everyoneConfirmed)).toBe(false);
  });

  it('with workshops: the confirmed holding one of them, and the waiting waiting for one', () => {
    const aOrB: MessageAudience = { workshopIds: ['a', 'b'], statuses: ['confirmed', 'waiting'] };
    expect(isInAudience(registration({ choices: { '1': 'b' } }), aOrB)).toBe(true);
    expect(isInAudience(registration({ choices: { '2': 'c' } }), aOrB)).toBe(false);
    const waitingForB = registration({
      status: 'waiting',
      choices: {},
      waitingFor: { '1': ['b'], '2': ['c'] },
    });
    expect(isInAudience(waitingForB, aOrB)).toBe(true);
    expect(isInAudience(waitingForB, { workshopIds: ['b'], statuses: ['confirmed'] })).toBe(false);
    // A confirmed registration waiting (a preference) for A but holding C is not "holding A".
    const preference = registration({ choices: { '1': 'b' }, waitingFor: { '1': ['a'] } });
    expect(isInAudience(preference, { workshopIds: ['a'], statuses: ['confirmed'] })).toBe(false);
  });

  it('reads the English text for English registrations, Dutch when there is none', () => {
    expect(textFor({ nl: 'Hallo', en: 'Hello' }, 'en')).toBe('Hello');
    expect(textFor({ nl: 'Hallo' }, 'en')).toBe('Hallo');
    expect(textFor({ nl: 'Hallo', en: 'Hello' }, 'nl')).toBe('Hallo');
  });

  it('is accepted until every copy is queued, sending while any is pending, then done', () => {
    const record = {
      id: 'm',
      eventId: 'e',
      subject: { nl: 's' },
      body: { nl: 'b' },
      audience: everyoneConfirmed,
      recipients: 3,
      createdAt: '2030-01-01T10:00:00.000Z',
    };
    expect(messageStatus({ ...record, queued: 0, sent: 0, failed: 0 }).state).toBe('accepted');
    expect(messageStatus({ ...record, queued: 3, sent: 1, failed: 1 })).toEqual({
      state: 'sending',
      counts: { sent: 1, pending: 1, failed: 1 },
    });
    expect(messageStatus({ ...record, queued: 3, sent: 2, failed: 1 }).state).toBe('done');
  });
});

describe('the message email', () => {
  const render = (body: string) =>
    renderEmail({
      kind: 'message',
      event: sampleDefinition(),
      registration: registration({}),
      manageUrl: 'https://aanmelden.example.nl/manage.html?id=reg-1#token=t',
      message: { subject: 'Zaalwijziging', body },
    });

  it('escapes organiser HTML and makes only http(s) addresses clickable', () => {
    const email = render(
      'Let op: <b>nieuw</b> <a href="javascript:x">klik</a>\n\nRoute: https://example.nl/a?b=1&c=2, of javascript:alert(1).',
    );
    expect(email.subject).toBe('Zaalwijziging');
    expect(email.html).not.toMatch(/<b>|<a href="javascript/);
    expect(email.html).toContain('&lt;b&gt;nieuw&lt;/b&gt;');
    expect(email.html).toContain('<a href="https://example.nl/a?b=1&amp;c=2" style="color:#0b4f9c">');
    expect(email.html).not.toContain('href="javascript');
    expect(email.text).toContain('Route: https://example.nl/a?b=1&c=2');
  });

  it('shows the person their own workshops and manage link', () => {
    const email = render('Tot dan.');
    expect(email.text).toContain('Ronde 1: A');
    expect(email.text).toContain('Ronde 2: C');
    expect(email.text).not.toContain(': B');
    expect(email.text).toContain('https://aanmelden.example.nl/manage.html?id=reg-1#token=t');
  });
});
