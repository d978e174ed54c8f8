import { describe, expect, it } from 'vitest';
import { buildMime } from '../../lambdas/adapters/ses/mailer.js';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import type { MailKind } from '../../lambdas/domain/email.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { composeEmail } from '../../lambdas/email/compose.js';
import { qrCodePng } from '../../lambdas/email/qr-png.js';
import { sampleDefinition } from '../support/fakes.js';
import { decodeQrPng } from '../support/qr.js';

const code = checkInCodeOf(sha256Hex('een-manage-token')) ?? '';
const event = sampleDefinition({ date: '2030-09-12' });
const registration = (overrides: Partial<StoredRegistration> = {}): StoredRegistration => ({
  id: 'reg123456789',
  eventId: 'testdag',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  choices: { '1': 'a', '2': 'c' },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2030-09-01T10:00:00.000Z',
  updatedAt: '2030-09-01T10:00:00.000Z',
  version: 1,
  emailHash: 'h',
  manageTokenHash: 'h',
  ...overrides,
});

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

  it.each(['confirmation', 'change', 'promotion'] as const)(
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
      // The calendar entry is still there.
      expect(email.attachments.some((attachment) => attachment.filename.endsWith('.ics'))).toBe(true);
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
    ]) {
      expect(email.attachments.filter((attachment) => attachment.contentType === 'image/png')).toEqual([]);
      expect(email.text).not.toContain(code);
    }
  });

  it('the MIME message carries the image inline under its Content-ID', async () => {
    const mime = (await buildMime(compose('confirmation'), { from: 'aanmelden@example.nl' })).toString(
      'utf8',
    );
    expect(mime).toMatch(/Content-Type: image\/png; name=inchecken\.png/);
    expect(mime).toContain('Content-ID: <checkin-qr>');
    expect(mime).toMatch(/Content-Disposition: inline; filename=inchecken\.png/);
    expect(mime).toMatch(/Content-Type: multipart\/related/);
  });
});
