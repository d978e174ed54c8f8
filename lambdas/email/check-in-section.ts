import type { MailKind } from '../domain/email.js';
import type { Locale } from '../domain/registration.js';
import { escapeHtml as e } from './format.js';
import { qrCodePng } from './qr-png.js';

/**
 * The check-in code in the emails that give or change seats: an inline PNG QR code (a `cid:` attachment, which
 * mail clients show; SVG many block) and the short code to read out, in the text and the HTML.
 */

/** The Content-ID of the QR image: the HTML refers to it as `cid:checkin-qr`. */
export const CHECK_IN_QR_CONTENT_ID = 'checkin-qr';

/**
 * The kinds that show the check-in code: every email that carries a fresh manage link to a confirmed registration
 * (the code is derived from that link's token, and the earlier one stops working).
 */
export function carriesCheckInCode(kind: MailKind): boolean {
  return (
    kind === 'confirmation' ||
    kind === 'change' ||
    kind === 'promotion' ||
    kind === 'reminder' ||
    kind === 'programme-change' ||
    kind === 'message'
  );
}

const TEXTS: Record<Locale, { heading: string; note: string; alt: (code: string) => string }> = {
  nl: {
    heading: 'Inchecken op de dag',
    note: 'Laat deze QR-code scannen bij de ingang en bij uw workshops, of noem uw code. Een nieuwe e-mail van ons geeft een nieuwe code; de vorige werkt dan niet meer.',
    alt: (code) => `QR-code om in te checken, code ${code}`,
  },
  en: {
    heading: 'Checking in on the day',
    note: 'Have this QR code scanned at the entrance and at your workshops, or read out your code. A new email from us brings a new code; the previous one then stops working.',
    alt: (code) => `QR code to check in, code ${code}`,
  },
};

/** The block of the email (text lines and HTML) and the inline image it refers to. */
export function checkInSection(code: string, locale: Locale) {
  const texts = TEXTS[locale];
  return {
    section: {
      text: [`${texts.heading}: ${code}`, texts.note],
      html: [
        `<h2 style="font-size:17px;margin:16px 0 4px">${e(texts.heading)}</h2>`,
        `<p style="margin:0"><img src="cid:${CHECK_IN_QR_CONTENT_ID}" width="198" height="198" alt="${e(texts.alt(code))}" style="display:block;border:0"></p>`,
        `<p style="font-family:Consolas,'Courier New',monospace;font-size:22px;letter-spacing:2px;margin:4px 0"><strong>${e(code)}</strong></p>`,
        `<p style="color:#444">${e(texts.note)}</p>`,
      ].join('\n'),
    },
    attachment: {
      filename: 'inchecken.png',
      contentType: 'image/png',
      content: qrCodePng(code),
      contentId: CHECK_IN_QR_CONTENT_ID,
    },
  };
}
