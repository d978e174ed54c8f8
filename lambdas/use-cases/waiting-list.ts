import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import {
  AlreadyWaiting,
  type ChoiceIssue,
  InvalidChoice,
  NotFull,
  RegistrationCancelled,
  RegistrationNotFound,
  WaitingEntryNotFound,
} from '../domain/errors.js';
import type { EventDefinition } from '../domain/event-definition.js';
import {
  type CancelledBy,
  findWorkshop,
  ownValue,
  type StoredRegistration,
  seatsLeft,
  type WaitingFor,
} from '../domain/registration.js';
import {
  freeSeatsOf,
  leftListEmail,
  placeEntryId,
  preferenceEntryId,
  seatsFor,
  type WaitingEntry,
} from '../domain/waiting-list.js';
import type { Clock, EventCatalog, RegistrationStore, SecretSource, WaitingListStore } from '../ports.js';
import { findOwnRegistration, withRetryOnChange } from './registration-access.js';
import {
  assertOpen,
  type CreatedRegistration,
  createNewRegistration,
  loadEvent,
  notInRound,
  type PersonDetails,
} from './registration-steps.js';

export type WaitingListDeps = {
  events: EventCatalog;
  registrations: RegistrationStore;
  waiting: WaitingListStore;
  clock: Clock;
};

/**
 * Every round needs at least one accepted workshop, each of that round and named once; other rounds are
 * unknown. The order given is the person's order of preference.
 */
function checkAccepts(definition: EventDefinition, accepts: WaitingFor): ChoiceIssue[] {
  const issues: ChoiceIssue[] = [];
  for (const roundId of Object.keys(accepts)) {
    if (!definition.rounds.some((round) => round.id === roundId))
      issues.push({ roundId, reason: 'unknown-round' });
  }
  for (const round of definition.rounds) {
    const accepted = ownValue(accepts, round.id) ?? [];
    if (accepted.length === 0) issues.push({ roundId: round.id, reason: 'missing' });
    for (const workshopId of new Set(accepted)) {
      if (round.workshops.some((workshop) => workshop.id === workshopId)) continue;
      issues.push(notInRound(definition, round.id, workshopId));
    }
  }
  return issues;
}

/**
 * Signs someone up for a place at the event when some round has no free seat among what they accept. It is a
 * registration with `status: 'waiting'` (its own manage link, the email guard, consent) and one queue entry;
 * promotion turns it into a confirmed registration as soon as every round has a seat for it.
 */
export async function signUpForPlace(
  command: PersonDetails & { accepts: WaitingFor },
  deps: Omit<WaitingListDeps, 'waiting'> & { secrets: SecretSource },
): Promise<CreatedRegistration> {
  const event = await loadEvent(deps.events, command.eventId);
  assertOpen(event.definition, deps.clock.now());
  const issues = checkAccepts(event.definition, command.accepts);
  if (issues.length > 0) throw new InvalidChoice(issues);
  const accepts = Object.fromEntries(
    event.definition.rounds.map((round) => [round.id, [...new Set(ownValue(command.accepts, round.id))]]),
  );

  const seatsNow = seatsFor({ wants: accepts }, freeSeatsOf(event.seats));
  if (seatsNow) throw new NotFull({ workshopIds: Object.values(seatsNow) });

  return createNewRegistration(
    command,
    { status: 'waiting', choices: {}, waitingFor: accepts },
    event.definition,
    deps,
  );
}

/**
 * A registered person joins the list of a full workshop in a round where they hold another seat; they keep
 * that seat until promoted. A free seat is refused (change to it instead), as is a second wait in one round.
 */
export async function joinWaitingList(
  command: { registrationId: string; manageToken: string; workshopId: string },
  deps: WaitingListDeps,
): Promise<{ registration: StoredRegistration; outbox: OutboxEntry; event: EventDefinition }> {
  return withRetryOnChange(async () => {
    const current = await findOwnRegistration(command.registrationId, command.manageToken, deps);
    if (current.status === 'cancelled') throw new RegistrationCancelled();
    if (current.status === 'waiting') throw new AlreadyWaiting();
    const event = await loadEvent(deps.events, current.eventId);
    const now = deps.clock.now();
    assertOpen(event.definition, now);

    const found = findWorkshop(event.definition, command.workshopId);
    if (!found) {
      throw new InvalidChoice([{ roundId: '', workshopId: command.workshopId, reason: 'unknown-workshop' }]);
    }
    const { roundId } = found;
    if (ownValue(current.choices, roundId) === command.workshopId) {
      throw new InvalidChoice([{ roundId, workshopId: command.workshopId, reason: 'already-held' }]);
    }
    if (ownValue(current.waitingFor, roundId)) throw new AlreadyWaiting();
    if (seatsLeft(event.seats.get(command.workshopId)) > 0) {
      throw new NotFull({ workshopIds: [command.workshopId] });
    }

    const at = now.toISOString();
    const entry: WaitingEntry = {
      id: preferenceEntryId(current.id, roundId),
      eventId: current.eventId,
      registrationId: current.id,
      kind: 'preference',
      wants: { [roundId]: [command.workshopId] },
      joinedAt: at,
    };
    const outbox = newOutboxEntry(
      current.id,
      current.eventId,
      'waiting-list-joined',
      current.version + 1,
      now,
    );
    const registration = await deps.waiting.joinPreference(current, entry, at, outbox);
    return { registration, outbox, event: event.definition };
  });
}

export type LeaveResult = {
  registration: StoredRegistration;
  /** The "left the list" email, when something was left. */
  outbox?: OutboxEntry;
  /** The entries that were left, for the audit log. */
  leftEntryIds: string[];
};

/**
 * Leaves one round's list (a preference; the seat held stays) or, for a registration waiting for a place,
 * the waiting list altogether (it is cancelled: it held no seats). Not waiting there changes nothing.
 */
async function leave(
  current: StoredRegistration,
  roundId: string | undefined,
  by: CancelledBy,
  deps: Pick<WaitingListDeps, 'registrations' | 'waiting' | 'clock'>,
): Promise<LeaveResult> {
  const now = deps.clock.now();
  const at = now.toISOString();
  if (current.status === 'waiting') {
    const outbox = leftListEmail(current, now);
    const registration = await deps.registrations.cancelRegistration(current, at, by, outbox);
    return { registration, outbox, leftEntryIds: [placeEntryId(current.id)] };
  }
  const roundIds = Object.keys(current.waitingFor ?? {}).filter(
    (id) => roundId === undefined || id === roundId,
  );
  if (current.status !== 'confirmed' || roundIds.length === 0)
    return { registration: current, leftEntryIds: [] };
  const outbox = leftListEmail(current, now, roundIds);
  const registration = await deps.waiting.leavePreferences(current, roundIds, at, outbox);
  return { registration, outbox, leftEntryIds: roundIds.map((id) => preferenceEntryId(current.id, id)) };
}

/** The attendee leaves a round's list with their manage link (or, waiting for a place, the list altogether). */
export async function leaveWaitingList(
  command: { registrationId: string; manageToken: string; roundId: string },
  deps: Pick<WaitingListDeps, 'registrations' | 'waiting' | 'clock'>,
): Promise<LeaveResult> {
  return withRetryOnChange(async () => {
    const current = await findOwnRegistration(command.registrationId, command.manageToken, deps);
    return leave(current, command.roundId, 'attendee', deps);
  });
}

/** An organiser removes one entry from an event's queue; the person is told. */
export async function removeWaitingEntry(
  command: { eventId: string; entryId: string },
  deps: Pick<WaitingListDeps, 'registrations' | 'waiting' | 'clock'>,
): Promise<LeaveResult> {
  return withRetryOnChange(async () => {
    const entry = await deps.waiting.getEntry(command.eventId, command.entryId);
    if (!entry) throw new WaitingEntryNotFound();
    const current = await deps.registrations.getRegistration(entry.registrationId);
    if (!current || current.eventId !== command.eventId) {
      await deps.waiting.dropEntry(entry);
      throw new RegistrationNotFound();
    }
    const roundId = entry.kind === 'preference' ? Object.keys(entry.wants)[0] : undefined;
    const result = await leave(current, roundId, 'organiser', deps);
    if (result.leftEntryIds.length > 0) return result;
    // An entry its registration no longer lists (left over from a failure): it simply goes.
    await deps.waiting.dropEntry(entry);
    return { ...result, leftEntryIds: [entry.id] };
  });
}
