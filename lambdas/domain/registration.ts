import type { ConfirmationStatus, EmailFeedback, EmailState } from './email.js';
import type { EventDefinition, WorkshopDefinition } from './event-definition.js';
import type { RemovalReason } from './privacy.js';

export type Locale = 'nl' | 'en';
/** `waiting`: signed up for a place on the waiting list; holds no seats until promoted. */
export type RegistrationStatus = 'confirmed' | 'cancelled' | 'waiting';
export type WindowStatus = 'open' | 'not-yet-open' | 'closed';

/** Round id → workshop id: one workshop per round. */
export type Choices = Record<string, string>;

/** Round id → accepted workshop ids, in order of preference. */
export type WaitingFor = Record<string, string[]>;

/**
 * Round id → workshops of that round to take instead when the one chosen there is full, in order of preference
 * (issue 21: the person keeps their place in the rush instead of picking again after a refusal).
 */
export type Alternatives = Record<string, readonly string[]>;

export type Registration = {
  id: string;
  eventId: string;
  name: string;
  email: string;
  organisation: string;
  jobTitle?: string;
  choices: Choices;
  /**
   * The waiting lists this registration is on: round id → the workshops it would accept there, in order of
   * preference. A confirmed registration waits for one workshop per round (a preference); a `waiting` one
   * for a place at the event, with every round listed.
   */
  waitingFor?: WaitingFor;
  status: RegistrationStatus;
  locale: Locale;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string;
  cancelledBy?: CancelledBy;
  /** What was consented to and when: the version of the event's privacy statement at registration. */
  consent?: { givenAt: string; statementVersion: string };
  /** Set when name, email address, organisation and job title were removed; the rest stays for the counts. */
  personalDataRemoved?: { at: string; reason: RemovalReason };
};

export type CancelledBy = 'attendee' | 'organiser';

/** A registration as stored: what the store needs to guard it, beside what people see. */
export type StoredRegistration = Registration & {
  /** Optimistic-concurrency counter: every change and cancel is conditioned on the version it read. */
  version: number;
  emailHash: string;
  manageTokenHash: string;
  /** Delivery of the latest email this registration owes. */
  confirmation?: ConfirmationStatus;
  /** Set when an email to this registration bounced for good or was marked as spam (SES events). */
  emailState?: EmailState;
  /** The bounce or complaint that set `emailState`: which email, when, and SES's type. */
  emailFeedback?: Omit<EmailFeedback, 'registrationId' | 'state'>;
};

export type WorkshopSeats = { capacity: number; taken: number };

/** An event as stored: its definition plus the live seat counters of every workshop. */
export type EventWithSeats = {
  id: string;
  definition: EventDefinition;
  seats: Map<string, WorkshopSeats>;
};

/**
 * The value of an object keyed by ids (choices, waiting lists, places in line), as an own property only: an id
 * such as `constructor` must not read what every object inherits.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Emails are compared case-insensitively after trimming: the rule before sub-addresses were folded. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Gmail ignores dots in the local part, and googlemail.com is the same mailbox as gmail.com. */
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address delivers to, for the one-registration-per-address rule (the stored address stays as
 * typed): trimmed and lower case, a `+tag` sub-address removed (`anna+1@example.org` is anna@example.org's
 * mailbox at every provider that supports it), and for Gmail the dots in the local part removed and
 * googlemail.com read as gmail.com. An address without a `+tag` outside Gmail gives what `normaliseEmail` gives.
 */
export function mailboxOf(email: string): string {
  const address = normaliseEmail(email);
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  const domain = address.slice(at + 1);
  const plus = address.indexOf('+');
  let local = plus > 0 && plus < at ? address.slice(0, plus) : address.slice(0, at);
  if (!GMAIL_DOMAINS.has(domain)) return `${local}@${domain}`;
  local = local.replaceAll('.', '');
  return `${local || address.slice(0, at)}@gmail.com`;
}

/** Registration is open when now is within the window that is given; a past event date alone does not close it. */
export function registrationWindowStatus(definition: EventDefinition, now: Date): WindowStatus {
  const { opensAt, closesAt } = definition.registration;
  if (opensAt && now.getTime() < Date.parse(opensAt)) return 'not-yet-open';
  if (closesAt && now.getTime() >= Date.parse(closesAt)) return 'closed';
  return 'open';
}

export function seatsLeft(seats: WorkshopSeats | undefined): number {
  if (!seats) return 0;
  return Math.max(0, seats.capacity - seats.taken);
}

export function findWorkshop(
  definition: EventDefinition,
  workshopId: string,
): { roundId: string; workshop: WorkshopDefinition } | undefined {
  for (const round of definition.rounds) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return { roundId: round.id, workshop };
  }
  return undefined;
}
