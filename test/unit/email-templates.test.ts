import { describe, expect, it } from 'vitest';
import { sendEmailInput } from '../../lambdas/adapters/ses/mailer.js';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import type { MailKind } from '../../lambdas/domain/email.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { composeEmail, manageUrl } from '../../lambdas/email/compose.js';
import { qrCodePng } from '../../lambdas/email/qr-png.js';
import { renderEmail } from '../../lambdas/email/templates.js';
import { sampleDefinition } from '../support/fakes.js';
import { decodeQrPng } from '../support/qr.js';

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

  it('reads well on the waiting list in Dutch', () => {
    const email = renderEmail({
      kind: 'waiting-list',
      event,
      registration: registration({
        status: 'waiting',
        choices: {},
        waitingFor: { '1': ['b', 'a'], '2': ['c'] },
      }),
      manageUrl: link,
      waitingPositions: { a: 2, b: 1, c: 4 },
    });
    expect(email.subject).toBe('U staat op de wachtlijst: Testdag');
    expect(email.text).toMatchInlineSnapshot(`
      "Beste Anna de Vries,

      U staat op de wachtlijst. Zodra er in elke ronde een plaats vrij is in een van de workshops die u hieronder kiest, melden we u automatisch aan en krijgt u een e-mail. Tot dan bent u nog niet aangemeld.

      Testdag
      Wanneer: donderdag 12 september 2019, 09:30–16:30
      Waar: Utrecht

      Uw keuzes, in volgorde van voorkeur:
      - Ronde 1:
        1. B (nummer 1 op de wachtlijst)
        2. A (nummer 2 op de wachtlijst)
      - Ronde 2: C (nummer 4 op de wachtlijst)

      Wachtlijst bekijken of verlaten:
      https://aanmelden.example.nl/manage.html?id=reg123456789#token=tok_abcdefghijklmnopqrstuvwxyz
      Deze link is persoonlijk: deel hem niet met anderen.

      Wilt u niet meer op de wachtlijst staan? Verlaat hem dan via deze link.

      Met vriendelijke groet,
      De organisatie – Testdag"
    `);
  });

  it('mentions the waiting list in a confirmation, with positions when known', () => {
    const email = renderEmail({
      kind: 'confirmation',
      event,
      registration: registration({ choices: { '1': 'b', '2': 'c' }, waitingFor: { '1': ['a'] } }),
      manageUrl: link,
      waitingPositions: { a: 3 },
    });
    expect(email.text).toContain('Wachtlijst:\n- Ronde 1: A (nummer 3 op de wachtlijst)');
    expect(email.text).toContain('zetten we u automatisch over');
    const unknown = renderEmail({
      kind: 'change',
      event,
      registration: registration({
        locale: 'en',
        choices: { '1': 'b', '2': 'c' },
        waitingFor: { '1': ['a'] },
      }),
      manageUrl: link,
    });
    expect(unknown.text).toContain('Waiting list:\n- Ronde 1: A\n');
  });

  it('leaves the manage link out of the kinds that do not carry one, even when given', () => {
    for (const kind of ['cancellation', 'waiting-list-joined', 'waiting-list-left', 'erasure'] as const) {
      const email = renderEmail({
        kind,
        event,
        registration: registration({ waitingFor: { '1': ['b'] } }),
        manageUrl: link,
        workshopIds: ['b'],
      });
      expect(email.text).not.toContain('manage.html');
      expect(email.html).not.toContain('manage.html');
    }
  });

  it('names the workshops of a list that was left', () => {
    const email = renderEmail({
      kind: 'waiting-list-left',
      event,
      registration: registration({ locale: 'en' }),
      workshopIds: ['b'],
    });
    expect(email.subject).toBe('You are no longer on the waiting list: Testdag');
    expect(email.text).toContain('You are no longer on the waiting list for:\n- Ronde 1: B\n');
    expect(email.text).toContain('You keep your seats.\n\nYour workshops:\n- Ronde 1: A (by Spreker A)');
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

  it('never lets a value start a new header: subject and names reach SES on one line', () => {
    const email = composeEmail({
      kind: 'confirmation',
      eventId: 'testdag',
      event: sampleDefinition({ title: 'Dag\r\nBcc: victim@example.org' }),
      registration: registration(),
      manageUrl: link,
    });
    const input = sendEmailInput(email, {
      from: 'Testdag\r\nBcc: victim@example.org <aanmelden@example.nl>',
      replyTo: 'Vragen\nX-Injected: 1 <vragen@example.nl>',
    });
    const headerValues = [
      input.Content?.Simple?.Subject?.Data,
      input.FromEmailAddress,
      ...(input.ReplyToAddresses ?? []),
      ...(input.Destination?.ToAddresses ?? []),
    ];
    for (const value of headerValues) expect(value).not.toMatch(/[\r\n]/);
    expect(input.Content?.Simple?.Subject?.Data).toContain('Dag Bcc: victim@example.org');
    expect(input.Destination).toEqual({ ToAddresses: ['anna@example.nl'] });
  });
});

const code = checkInCodeOf(sha256Hex('een-manage-token')) ?? '';
const compose = (kind: MailKind, overrides: Partial<StoredRegistration> = {}) =>
  composeEmail({ kind, eventId: 'testdag', event, registration: registration(overrides), checkInCode: code });

describe('the check-in code in emails', () => {
  it('a PNG that any QR reader decodes to the code', () => {
    const png = qrCodePng(code);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(decodeQrPng(png)).toBe(code);
    // Small enough for an email: a few kilobytes.
    expect(png.length).toBeLessThan(8 * 1024);
  });

  // Every kind that carries a fresh manage link to a confirmed registration (issue 16's reminder, programme
  // change and message too): the link's token is the code's, and the earlier code stops working.
  it.each(['confirmation', 'change', 'promotion', 'reminder', 'programme-change', 'message'] as const)(
    '%s: an inline PNG (cid) shown in the HTML, and the short code in the text and the HTML',
    (kind) => {
      const email = compose(kind);
      const image = email.attachments.find((attachment) => attachment.contentType === 'image/png');
      expect(image?.contentId).toBe('checkin-qr');
      expect(decodeQrPng(image?.content as Buffer)).toBe(code);
      expect(email.html).toContain('src="cid:checkin-qr"');
      expect(email.html).toContain(code);
      expect(email.html).toMatch(/alt="QR-code om in te checken, code [0-9A-Z-]{14}"/);
      expect(email.text).toContain(`Inchecken op de dag: ${code}`);
      // The calendar entry is still there (a message has none).
      expect(email.attachments.some((attachment) => attachment.filename.endsWith('.ics'))).toBe(
        kind !== 'message',
      );
    },
  );

  it('in English for an English registration', () => {
    expect(compose('confirmation', { locale: 'en' }).text).toContain(`Checking in on the day: ${code}`);
  });

  it('not in emails without a seat to check in with', () => {
    for (const email of [
      compose('cancellation', { status: 'cancelled' }),
      compose('waiting-list', { status: 'waiting' }),
      compose('erasure', { status: 'cancelled' }),
      compose('waiting-list-joined'),
      // A message to someone waiting for a place: a manage link, but no seat to check in with.
      compose('message', { status: 'waiting', choices: {}, waitingFor: { '1': ['a'] } }),
    ]) {
      expect(email.attachments.filter((attachment) => attachment.contentType === 'image/png')).toEqual([]);
      expect(email.text).not.toContain(code);
    }
  });

  it('SES gets the image inline under its Content-ID, as bytes', () => {
    const email = compose('confirmation');
    const input = sendEmailInput(email, { from: 'aanmelden@example.nl' });
    const image = input.Content?.Simple?.Attachments?.find(
      (attachment) => attachment.ContentType === 'image/png',
    );
    expect(image).toMatchObject({
      FileName: 'inchecken.png',
      ContentDisposition: 'INLINE',
      ContentId: 'checkin-qr',
    });
    expect(decodeQrPng(Buffer.from(image?.RawContent ?? new Uint8Array()))).toBe(code);
  });
});
