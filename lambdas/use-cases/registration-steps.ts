import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import { type ChoiceIssue, EventNotFound, RegistrationClosed } from '../domain/errors.js';
import { type EventDefinition, privacyStatementOf } from '../domain/event-definition.js';
import { sha256Hex } from '../domain/hashing.js';
import { personalDataExpiry } from '../domain/privacy.js';
import {
  type Alternatives,
  type Choices,
  type EventWithSeats,
  findWorkshop,
  type Locale,
  mailboxOf,
  normaliseEmail,
  ownValue,
  type Registration,
  registrationWindowStatus,
  type StoredRegistration,
  type WaitingFor,
} from '../domain/registration.js';
import { entriesOf } from '../domain/waiting-list.js';
import type { Clock, EventCatalog, NewRegistration, RegistrationStore, SecretSource } from '../ports.js';

/**
 * The steps that registering, signing up for a place on a waiting list and changing choices share: read the
 * event, check the window and the choices, and write a new registration with the first email it owes.
 */

/** Who a registration or a waiting-list signup is for, as the form sends it. */
export type PersonDetails = {
  eventId: string;
  name: string;
  email: string;
  organisation: string;
  jobTitle?: string;
  locale: Locale;
};

export type CreateRegistrationDeps = {
  registrations: Pick<RegistrationStore, 'createRegistration'>;
  clock: Clock;
  secrets: SecretSource;
};

export type CreatedRegistration = {
  registration: StoredRegistration;
  /** Goes only into the confirmation email; stored only as a hash. */
  manageToken: string;
  /** The confirmation email, committed with the registration; to be sent now. */
  outbox: OutboxEntry;
  event: EventDefinition;
};

/**
 * The email guard's hash, salted with the event: the same address gives unrelated hashes in different events,
 * so guards cannot be linked across events. Of the mailbox, so `anna+1@…` and `a.nna@gmail.com` variants are one.
 */
export function emailGuardHash(eventId: string, email: string): string {
  return sha256Hex(`${eventId}\n${mailboxOf(email)}`);
}

/**
 * The hash guards had before sub-addresses and Gmail dots were folded (trimmed, lower case). Where it differs,
 * a registration checks it too, so an address registered before still matches when typed the same way.
 */
export function earlierEmailGuardHash(eventId: string, email: string): string | undefined {
  return mailboxOf(email) === normaliseEmail(email)
    ? undefined
    : sha256Hex(`${eventId}\n${normaliseEmail(email)}`);
}

/** Every round needs exactly one choice, and each chosen workshop must belong to the round it is chosen for. */
export function checkChoices(definition: EventDefinition, choices: Choices): ChoiceIssue[] {
  const issues: ChoiceIssue[] = [];
  const roundIds = new Set(definition.rounds.map((round) => round.id));
  for (const roundId of Object.keys(choices)) {
    if (!roundIds.has(roundId))
      issues.push({ roundId, workshopId: ownValue(choices, roundId), reason: 'unknown-round' });
  }
  for (const round of definition.rounds) {
    const workshopId = ownValue(choices, round.id);
    if (workshopId === undefined) {
      issues.push({ roundId: round.id, reason: 'missing' });
      continue;
    }
    if (round.workshops.some((workshop) => workshop.id === workshopId)) continue;
    issues.push(notInRound(definition, round.id, workshopId));
  }
  return issues;
}

/** A workshop named for a round it is not in: one of another round (`wrong-round`), or of none. */
export function notInRound(definition: EventDefinition, roundId: string, workshopId: string): ChoiceIssue {
  const elsewhere = findWorkshop(definition, workshopId) !== undefined;
  return { roundId, workshopId, reason: elsewhere ? 'wrong-round' : 'unknown-workshop' };
}

/** The event with its seats; EventNotFound when there is none. */
export async function loadEvent(
  events: Pick<EventCatalog, 'getEvent'>,
  eventId: string,
): Promise<EventWithSeats> {
  const event = await events.getEvent(eventId);
  if (!event) throw new EventNotFound();
  return event;
}

/** The event's definition for a registration (possibly a second old: seats are the transaction's); EventNotFound when none. */
export async function loadDefinition(
  events: Pick<EventCatalog, 'getDefinition'>,
  eventId: string,
): Promise<EventDefinition> {
  const definition = await events.getDefinition(eventId);
  if (!definition) throw new EventNotFound();
  return definition;
}

export function assertOpen(definition: EventDefinition, now: Date): void {
  const status = registrationWindowStatus(definition, now);
  if (status !== 'open') {
    throw new RegistrationClosed({
      status,
      opensAt: definition.registration.opensAt,
      closesAt: definition.registration.closesAt,
    });
  }
}

/**
 * Writes a new registration with its manage token and the first email it owes, in one transaction: a
 * confirmed registration, or (`status: 'waiting'`) a signup for a place on the waiting list.
 */
export async function createNewRegistration(
  person: PersonDetails,
  seats: {
    status: 'confirmed' | 'waiting';
    choices: Choices;
    /** Per round, the workshops to take instead when the one chosen is full (in order of preference). */
    alternatives?: Alternatives;
    waitingFor?: WaitingFor;
  },
  definition: EventDefinition,
  deps: CreateRegistrationDeps,
): Promise<CreatedRegistration> {
  const now = deps.clock.now();
  const createdAt = now.toISOString();
  const registration: Registration = {
    id: deps.secrets.newRegistrationId(),
    eventId: person.eventId,
    name: person.name,
    email: person.email,
    organisation: person.organisation,
    ...(person.jobTitle ? { jobTitle: person.jobTitle } : {}),
    choices: seats.choices,
    ...(seats.waitingFor && Object.keys(seats.waitingFor).length > 0 ? { waitingFor: seats.waitingFor } : {}),
    status: seats.status,
    locale: person.locale,
    createdAt,
    updatedAt: createdAt,
    consent: { givenAt: createdAt, statementVersion: privacyStatementOf(definition).version },
  };
  const manageToken = deps.secrets.newManageToken();
  const stored: StoredRegistration = {
    ...registration,
    version: 1,
    emailHash: emailGuardHash(person.eventId, person.email),
    manageTokenHash: sha256Hex(manageToken),
  };
  const kind = seats.status === 'waiting' ? 'waiting-list' : 'confirmation';
  const outbox = newOutboxEntry(registration.id, registration.eventId, kind, 1, now, undefined, {
    manageToken,
  });
  const newRegistration: NewRegistration = {
    registration,
    emailHash: stored.emailHash,
    earlierEmailHash: earlierEmailGuardHash(person.eventId, person.email),
    manageTokenHash: stored.manageTokenHash,
    outbox,
    personalDataExpiresAt: personalDataExpiry(definition, createdAt),
    // Lists joined with the registration (a preference per round, or the place of a waiting one).
    waitingEntries: entriesOf(registration, createdAt),
  };
  // The seats taken: in a round whose choice was full, an alternative.
  const choices = await deps.registrations.createRegistration({
    ...newRegistration,
    ...(seats.alternatives ? { alternatives: seats.alternatives } : {}),
  });
  return { registration: { ...stored, choices }, manageToken, outbox, event: definition };
}
