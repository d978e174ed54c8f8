import type { Locale } from '../domain/registration.js';

/** Field messages of our own checks (zod's locales cover its built-in ones), Dutch first. */
export const fieldMessages = {
  'single-line': {
    nl: 'gebruik één regel, zonder regeleinden of besturingstekens',
    en: 'use a single line, without line breaks or control characters',
  },
  'bidi-control': {
    nl: 'tekens die de leesrichting omkeren zijn niet toegestaan',
    en: 'characters that change the reading direction are not allowed',
  },
  'lone-surrogate': {
    nl: 'bevat een ongeldig teken (losse surrogate)',
    en: 'contains an invalid character (lone surrogate)',
  },
  'invisible-only': {
    nl: 'vul zichtbare tekst in, niet alleen onzichtbare tekens',
    en: 'enter visible text, not only invisible characters',
  },
  'malformed-path': {
    nl: 'het adres bevat een ongeldige %-codering',
    en: 'the address contains an invalid percent-encoding',
  },
  'reserved-id': {
    nl: 'deze id is gereserveerd (zoals __proto__, constructor, prototype); kies een andere',
    en: 'this id is reserved (like __proto__, constructor, prototype); choose another',
  },
} as const satisfies Record<string, Record<Locale, string>>;

export type FieldMessageKey = keyof typeof fieldMessages;

/** A zod issue whose message `parseInput` puts in the client's language. */
export function fieldIssue(messageKey: FieldMessageKey) {
  return { code: 'custom' as const, message: fieldMessages[messageKey].en, params: { messageKey } };
}

/** The message of an issue in the client's language, when it is one of ours. */
export function localisedFieldMessage(params: unknown, locale: Locale): string | undefined {
  const key = (params as { messageKey?: unknown } | undefined)?.messageKey;
  return typeof key === 'string' && Object.hasOwn(fieldMessages, key)
    ? fieldMessages[key as FieldMessageKey][locale]
    : undefined;
}
