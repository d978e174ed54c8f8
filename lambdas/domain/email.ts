import type { ProgrammeChange } from './programme-change.js';

/**
 * Email delivery that loses nothing: every email a registration owes is written as an outbox entry in the
 * same transaction as the change that owes it. The sender, fed by the table's stream of new outbox entries,
 * sends it right after the commit (the request does not wait for it); whatever did not go out is sent by the
 * scheduled retry, with backoff, until it is sent or gives up (visible to organisers).
 */

/**
 * `erasure` confirms a removal of personal data; its entry carries the address (`recipient`) until it is sent.
 * The waiting-list kinds: `waiting-list` (signed up for a place at the event), `waiting-list-joined` (a
 * registered person joined a full workshop's list), `promotion` (a seat came free and is now theirs) and
 * `waiting-list-left` (left a list, themselves or through an organiser). `message`: an organisers' message
 * (issue 16), one entry per recipient, its texts on the message item (`messageId`). `reminder`: the reminder
 * before the event (id `<registrationId>.reminder.<daysBefore>`, written once however often the schedule runs).
 * `programme-change`: an event update changed what the confirmation showed (`changes`), with an updated `.ics`.
 */
export const mailKinds = [
  'confirmation',
  'change',
  'cancellation',
  'erasure',
  'waiting-list',
  'waiting-list-joined',
  'promotion',
  'waiting-list-left',
  'message',
  'reminder',
  'programme-change',
] as const;
export type MailKind = (typeof mailKinds)[number];

export type DeliveryState = 'pending' | 'sent' | 'failed';

export type OutboxEntry = {
  id: string;
  registrationId: string;
  eventId: string;
  kind: MailKind;
  state: DeliveryState;
  /** Attempts made so far (or claimed by a sender that is making one right now). */
  attempts: number;
  /** When the entry is due; a sender that claims it pushes this out as a lease. */
  nextAttemptAt: string;
  createdAt: string;
  lastError?: string;
  /** The workshops the email is about when the registration no longer says so (a list that was left). */
  workshopIds?: string[];
  /**
   * The manage token the change's request made or used, for the link in the email; only its hash is kept on
   * the registration. Removed from the entry by the first attempt (a retry makes a fresh token).
   */
  manageToken?: string;
  /** `erasure`: whom to tell, as the registration no longer knows; removed once sent or given up. */
  recipient?: Recipient;
  /** `message`: the organisers' message this entry is one copy of. */
  messageId?: string;
  /** `programme-change`: what changed that the registration's confirmation showed. */
  changes?: ProgrammeChange[];
};

/** What an erasure email needs of the person, carried by its outbox entry only until it is sent. */
export type Recipient = { name: string; email: string; locale: 'nl' | 'en' };

/** What the registration shows about its latest email. */
export type ConfirmationStatus = {
  kind: MailKind;
  state: DeliveryState;
  attempts: number;
  lastAttemptAt?: string;
  lastError?: string;
};

export const DELIVERY = {
  /** After this many failed attempts the email is given up and shown to organisers as failed. */
  maxAttempts: 10,
  /** How long an immediate send (or a claimed retry) has before the sweep may try it again. */
  leaseMs: 2 * 60_000,
  baseDelayMs: 60_000,
  maxDelayMs: 4 * 60 * 60_000,
} as const;

/** Exponential backoff with jitter: about 1, 2, 4 … minutes, at most 4 hours. */
export function nextAttemptDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(DELIVERY.maxDelayMs, DELIVERY.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Emails that start or change what a person holds carry the manage link; a cancellation, an erasure and the
 * list notices sent to someone who just used their link do not need it.
 */
export function needsManageLink(kind: MailKind): boolean {
  return (
    kind === 'confirmation' ||
    kind === 'change' ||
    kind === 'waiting-list' ||
    kind === 'promotion' ||
    kind === 'message' ||
    kind === 'reminder' ||
    kind === 'programme-change'
  );
}

export function newOutboxEntry(
  registrationId: string,
  eventId: string,
  kind: MailKind,
  version: number,
  now: Date,
  workshopIds?: string[],
  carries: Pick<OutboxEntry, 'manageToken' | 'recipient'> = {},
): OutboxEntry {
  return {
    ...(workshopIds ? { workshopIds } : {}),
    ...carries,
    id: `${registrationId}.${kind}.${version}`,
    registrationId,
    eventId,
    kind,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(now.getTime() + DELIVERY.leaseMs).toISOString(),
    createdAt: now.toISOString(),
  };
}

/** One recipient's copy of an organisers' message; its id is the same however often the fan-out runs. */
export function newMessageEntry(
  registrationId: string,
  eventId: string,
  messageId: string,
  now: Date,
): OutboxEntry {
  return {
    ...newOutboxEntry(registrationId, eventId, 'message', 0, now),
    id: `${registrationId}.message.${messageId}`,
    messageId,
  };
}

export type OutgoingEmail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: {
    filename: string;
    contentType: string;
    content: string | Buffer;
    /** An inline image: the HTML shows it as `cid:<contentId>` (the check-in QR code). */
    contentId?: string;
  }[];
  /**
   * Which registration and email this is: tagged on the message (never the address), so that SES's bounce and
   * complaint events lead back to the registration.
   */
  reference?: EmailReference;
};

export type EmailReference = { registrationId: string; kind: MailKind };

/**
 * What the recipient's side said after SES accepted an email: the address does not exist (a permanent bounce)
 * or the person marked it as spam (a complaint). Shown to organisers on the registration as `emailState`.
 */
export type EmailState = 'bounced' | 'complained';

/** One bounce or complaint as it comes back from SES, reduced to what the registration keeps. */
export type EmailFeedback = EmailReference & {
  state: EmailState;
  /** When the receiving side reported it. */
  at: string;
  /** `Permanent/General`, `Permanent/NoEmail`, `Permanent/OnAccountSuppressionList`; or the complaint type (`abuse`). */
  detail?: string;
};

/** A bounce or complaint as the mail service reported it, with the email it concerns if that is known. */
export type FeedbackNotice = {
  type: 'bounce' | 'complaint';
  /** The mail service's id of the message (for the logs). */
  messageId: string;
  at: string;
  /** Bounces: `Permanent`, `Transient` or `Undetermined`. */
  bounceType?: string;
  /** `Permanent/General`, `Transient/MailboxFull`; a complaint's feedback type (`abuse`, `not-spam`). */
  detail?: string;
  /** Which registration and email; undefined for a message this application did not tag. */
  reference?: EmailReference;
};

/** The states a new one may not replace: once someone said "spam", a later bounce does not hide it. */
export const OUTRANKING_EMAIL_STATES: Readonly<Record<EmailState, readonly EmailState[]>> = {
  bounced: ['complained'],
  complained: [],
};

/** The address will never accept this email (rejected by SES): retrying cannot help. */
export class PermanentDeliveryFailure extends Error {
  constructor(readonly reason: string) {
    super(`PermanentDeliveryFailure: ${reason}`);
    this.name = 'PermanentDeliveryFailure';
  }
}

/** Sending failed for now (throttling, an outage, a configuration being fixed): try again later. */
export class TransientDeliveryFailure extends Error {
  constructor(
    readonly reason: string,
    name = 'TransientDeliveryFailure',
  ) {
    super(`${name}: ${reason}`);
    this.name = name;
  }
}

/**
 * The sending side is not ready yet (identity not verified, account still in the sandbox or paused, sending
 * quota used up, no permission): no email can go out until someone fixes it. Retried with backoff, never given
 * up for running out of attempts, and alarmed on.
 */
export class SenderNotReady extends TransientDeliveryFailure {
  constructor(reason: string) {
    super(reason, 'SenderNotReady');
  }
}

/** SES refused for the send rate (not the daily quota, which is `SenderNotReady`): slow down and try again. */
export function isSendRateExceeded(error: unknown): boolean {
  return (
    error instanceof TransientDeliveryFailure &&
    !(error instanceof SenderNotReady) &&
    /^(Throttling|ThrottlingException|TooManyRequestsException)$/.test(error.reason)
  );
}
