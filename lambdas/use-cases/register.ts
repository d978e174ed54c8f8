import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import {
  type ChoiceIssue,
  EventNotFound,
  InvalidChoice,
  RegistrationClosed,
  WorkshopFull,
} from '../domain/errors.js';
import { type EventDefinition, privacyStatementOf } from '../domain/event-definition.js';
import { sha256Hex } from '../domain/hashing.js';
import { personalDataExpiry } from '../domain/privacy.js';
import {
  type Choices,
  type EventWithSeats,
  type Locale,
  normaliseEmail,
  type Registration,
  registrationWindowStatus,
  type StoredRegistration,
  seatsLeft,
} from '../domain/registration.js';
import type { Clock, EventCatalog, RegistrationStore, SecretSource } from '../ports.js';

export type RegisterCommand = {
  eventId: string;
  name: string;
  email: string;
  organisation: string;
  jobTitle?: string;
  choices: Choices;
  locale: Locale;
};

export type RegisterDeps = {
  events: EventCatalog;
  registrations: Pick<RegistrationStore, 'createRegistration'>;
  clock: Clock;
  secrets: SecretSource;
};

export type RegisterResult = {
  registration: StoredRegistration;
  /** Goes only into the confirmation email; stored only as a hash. */
  manageToken: string;
  /** The confirmation email, committed with the registration; to be sent now. */
  outbox: OutboxEntry;
  event: EventDefinition;
};

/**
 * The email guard's hash, salted with the event: the same address gives unrelated hashes in different events,
 * so guards cannot be linked across events.
 */
export function emailGuardHash(eventId: string, email: string): string {
  return sha256Hex(`${eventId}\n${normaliseEmail(email)}`);
}

/** Every round needs exactly one choice, and each chosen workshop must belong to the round it is chosen for. */
export function checkChoices(definition: EventDefinition, choices: Choices): ChoiceIssue[] {
  const issues: ChoiceIssue[] = [];
  const roundIds = new Set(definition.rounds.map((round) => round.id));
  for (const roundId of Object.keys(choices)) {
    if (!roundIds.has(roundId))
      issues.push({ roundId, workshopId: choices[roundId], reason: 'unknown-round' });
  }
  for (const round of definition.rounds) {
    const workshopId = choices[round.id];
    if (workshopId === undefined) {
      issues.push({ roundId: round.id, reason: 'missing' });
      continue;
    }
    if (round.workshops.some((workshop) => workshop.id === workshopId)) continue;
    const inOtherRound = definition.rounds.some((other) => other.workshops.some((w) => w.id === workshopId));
    issues.push({ roundId: round.id, workshopId, reason: inOtherRound ? 'wrong-round' : 'unknown-workshop' });
  }
  return issues;
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

/** Workshops that were already full when the event was read: refused without spending a transaction. */
function workshopsFullNow(event: EventWithSeats, workshopIds: string[]): string[] {
  return workshopIds.filter((id) => seatsLeft(event.seats.get(id)) === 0);
}

export async function register(command: RegisterCommand, deps: RegisterDeps): Promise<RegisterResult> {
  const event = await deps.events.getEvent(command.eventId);
  if (!event) throw new EventNotFound();

  const now = deps.clock.now();
  assertOpen(event.definition, now);

  const choiceIssues = checkChoices(event.definition, command.choices);
  if (choiceIssues.length > 0) throw new InvalidChoice(choiceIssues);

  const workshopIds = Object.values(command.choices);
  const alreadyFull = workshopsFullNow(event, workshopIds);
  if (alreadyFull.length > 0) throw new WorkshopFull({ workshopIds: alreadyFull });

  const createdAt = now.toISOString();
  const registration: Registration = {
    id: deps.secrets.newRegistrationId(),
    eventId: command.eventId,
    name: command.name,
    email: command.email,
    organisation: command.organisation,
    ...(command.jobTitle ? { jobTitle: command.jobTitle } : {}),
    choices: command.choices,
    status: 'confirmed',
    locale: command.locale,
    createdAt,
    updatedAt: createdAt,
    consent: { givenAt: createdAt, statementVersion: privacyStatementOf(event.definition).version },
  };
  const manageToken = deps.secrets.newManageToken();
  const stored: StoredRegistration = {
    ...registration,
    version: 1,
    emailHash: emailGuardHash(command.eventId, command.email),
    manageTokenHash: sha256Hex(manageToken),
  };
  const outbox = newOutboxEntry(registration.id, registration.eventId, 'confirmation', 1, now);

  await deps.registrations.createRegistration({
    registration,
    emailHash: stored.emailHash,
    manageTokenHash: stored.manageTokenHash,
    outbox,
    personalDataExpiresAt: personalDataExpiry(event.definition, createdAt),
  });
  return { registration: stored, manageToken, outbox, event: event.definition };
}
