import { type Locale, ownValue, type Registration, type RegistrationStatus } from './registration.js';

/**
 * A message from the organisers to registrants (issue 16): plain text in Dutch and optionally English, to an
 * audience chosen by status and workshop. Each recipient's email is its own outbox entry (kind `message`),
 * written by the fan-out from the recipient lists the request stored with the message.
 */

/** Longest subject and body, per language. */
export const MESSAGE_LIMITS = { subject: 200, body: 10_000 } as const;

/** Recipient ids per stored list item: 500 ids of 22 characters stay far below DynamoDB's 400 KB item limit. */
export const RECIPIENTS_PER_LIST = 500;

export type LocalisedText = { nl: string; en?: string };

export type AudienceStatus = Extract<RegistrationStatus, 'confirmed' | 'waiting'>;

export type MessageAudience = {
  /** Registrations holding (confirmed) or waiting for (waiting) one of these; absent: every one of the statuses. */
  workshopIds?: string[];
  /** Default `['confirmed']`. */
  statuses: AudienceStatus[];
};

export type MessageState = 'accepted' | 'sending' | 'done';

export type MessageCounts = { sent: number; pending: number; failed: number };

export type OrganiserMessage = {
  id: string;
  eventId: string;
  subject: LocalisedText;
  body: LocalisedText;
  audience: MessageAudience;
  recipients: number;
  createdAt: string;
};

/** A stored message with what the fan-out and the sender have counted so far. */
export type MessageRecord = OrganiserMessage & {
  /** Outbox entries written by the fan-out. */
  queued: number;
  sent: number;
  failed: number;
};

/** `accepted` until every entry is written, `sending` while any is pending, then `done`. */
export function messageStatus(record: MessageRecord): { state: MessageState; counts: MessageCounts } {
  const pending = Math.max(0, record.recipients - record.sent - record.failed);
  const state: MessageState =
    record.queued < record.recipients ? 'accepted' : pending > 0 ? 'sending' : 'done';
  return { state, counts: { sent: record.sent, pending, failed: record.failed } };
}

/** Who a message goes to: the audience's statuses, and with workshops only those holding or awaiting one. */
export function isInAudience(registration: Registration, audience: MessageAudience): boolean {
  if (registration.personalDataRemoved) return false;
  const status = registration.status;
  if (status !== 'confirmed' && status !== 'waiting') return false;
  if (!audience.statuses.includes(status)) return false;
  if (!audience.workshopIds || audience.workshopIds.length === 0) return true;
  const wanted = new Set(audience.workshopIds);
  if (status === 'confirmed') {
    return Object.keys(registration.choices).some((roundId) =>
      wanted.has(ownValue(registration.choices, roundId) ?? ''),
    );
  }
  const waitingFor = registration.waitingFor ?? {};
  return Object.keys(waitingFor).some((roundId) =>
    (ownValue(waitingFor, roundId) ?? []).some((workshopId) => wanted.has(workshopId)),
  );
}

/** The text in the registration's language: English where given, Dutch otherwise. */
export function textFor(text: LocalisedText, locale: Locale): string {
  return locale === 'en' && text.en ? text.en : text.nl;
}

/** The refusal of an audience naming a workshop the event does not have, Dutch first. */
export const UNKNOWN_WORKSHOP_MESSAGE: Record<Locale, string> = {
  nl: 'onbekende workshop voor dit evenement',
  en: 'unknown workshop for this event',
};
