import { describe, expect, it } from 'vitest';
import { buildMime } from '../../lambdas/adapters/ses/mailer.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { composeEmail, manageUrl } from '../../lambdas/email/compose.js';
import { renderEmail } from '../../lambdas/email/templates.js';
import { sampleDefinition } from '../support/fakes.js';

const event = sampleDefinition({
  date: '2019-09-12',
  startTime: '09:30',
  endTime: '16:30',
  venue: 'Utrecht',
});
const registration = (overrides: Partial<StoredRegistration> = {}): StoredRegistration => ({
  id: 'reg123456789',
  eventId: 'testdag',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  choices: { '1': 'a', '2': 'c' },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2019-09-01T10:00:00.000Z',
  updatedAt: '2019-09-01T10:00:00.000Z',
  version: 1,
  emailHash: 'h',
  manageTokenHash: 'h',
  ...overrides,
});
const link = manageUrl('https://aanmelden.example.nl/', 'reg123456789', 'tok_abcdefghijklmnopqrstuvwxyz');

describe('email templates', () => {
  it('reads well in Dutch', () => {
    const email = renderEmail({ kind: 'confirmation', event, registration: registration(), manageUrl: link });
    expect(email.subject).toBe('Bevestiging van uw aanmelding: Testdag');
    expect(email.text).toMatchInlineSnapshot(`
      "Beste Anna de Vries,

      U bent aangemeld. Uw plaats in de workshops hieronder staat vast.

      Testdag
      Wanneer: donderdag 12 september 2019, 09:30–16:30
      Waar: Utrecht

      Uw workshops:
      - Ronde 1: A (door Spreker A)
      - Ronde 2: C (door Spreker C)

      Aanmelding bekijken, wijzigen of annuleren:
      https://aanmelden.example.nl/manage.html?id=reg123456789#token=tok_abcdefghijklmnopqrstuvwxyz
      Deze link is persoonlijk: deel hem niet met anderen.

      Kunt u niet komen? Annuleer dan via deze link, zodat uw plaats vrijkomt voor iemand anders.

      In de bijlage vindt u een agenda-afspraak (.ics).

      Met vriendelijke groet,
      De organisatie – Testdag"
    `);
  });

  it('reads well in English', () => {
    const email = renderEmail({
      kind: 'change',
      event,
      registration: registration({ locale: 'en' }),
      manageUrl: link,
    });
    expect(email.subject).toBe('Your registration has been changed: Testdag');
    expect(email.text).toContain('When: Thursday, 12 September 2019, 09:30–16:30');
    expect(email.text).toContain('- Ronde 1: A (by Spreker A)');
  });

  it('has no manage link and no workshops in a cancellation', () => {
    const email = renderEmail({ kind: 'cancellation', event, registration: registration() });
    expect(email.text).not.toContain('manage.html');
    expect(email.text).not.toContain('Uw workshops');
    expect(email.text).toContain('Meld u dan opnieuw aan');
  });

  it('escapes every value in HTML and loads nothing remote', () => {
    const hostile = sampleDefinition({ title: 'Dag <script>alert(1)</script>' });
    const email = renderEmail({
      kind: 'confirmation',
      event: hostile,
      registration: registration({ name: '"><img src=x onerror=alert(1)>' }),
      manageUrl: link,
    });
    expect(email.html).not.toMatch(/<script|<img/);
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('&quot;&gt;&lt;img');
    expect(email.html).not.toMatch(/src=["']?https?:/);
  });

  it('never lets a value start a new header in the MIME message', async () => {
    const email = composeEmail({
      kind: 'confirmation',
      eventId: 'testdag',
      event: sampleDefinition({ title: 'Dag\r\nBcc: victim@example.org' }),
      registration: registration(),
      manageUrl: link,
    });
    const mime = (await buildMime(email, { from: 'Testdag <aanmelden@example.nl>' })).toString('utf8');
    const headers = mime.slice(0, mime.indexOf('\r\n\r\n'));
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).toMatch(/^To: anna@example\.nl$/m);
  });
});
