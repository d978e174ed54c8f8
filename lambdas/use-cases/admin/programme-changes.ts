import { newOutboxEntry } from '../../domain/email.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import { countInFlight } from '../../domain/in-flight.js';
import { changesFor } from '../../domain/programme-change.js';
import type { AffectedRegistration } from '../../domain/programme-notice.js';
import type { Clock, ProgrammeNotices, RegistrationIndex, RegistrationStore } from '../../ports.js';

export type ProgrammeChangeDeps = {
  registrations: Pick<RegistrationStore, 'getRegistration'>;
  notices: ProgrammeNotices;
  clock: Clock;
};

export type Update = { eventId: string; before: EventDefinition; after: EventDefinition };

/** Registrations told at once while a notice list is fanned out. */
const NOTICES_IN_FLIGHT = 16;

/**
 * The confirmed registrations an event update concerns, each with the changes its confirmation showed
 * (the event's, and its own workshops'). Only they are told: a change to workshop A tells nobody in B.
 */
export async function affectedRegistrations(
  update: Update,
  index: RegistrationIndex,
): Promise<AffectedRegistration[]> {
  const affected: AffectedRegistration[] = [];
  for await (const { registration } of index.registrationsOf(update.eventId, { pageSizeHint: 500 })) {
    if (registration.status !== 'confirmed' || registration.personalDataRemoved) continue;
    const changes = changesFor(registration.choices, update.before, update.after);
    if (changes.length > 0) affected.push({ id: registration.id, changes });
  }
  return affected;
}

/** One registration: its email and raised version in one transaction; re-read once if it changed meanwhile. */
async function notifyOne(
  eventId: string,
  noticeId: string,
  { id, changes }: AffectedRegistration,
  deps: ProgrammeChangeDeps,
): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const current = await deps.registrations.getRegistration(id);
    if (current?.status !== 'confirmed') return false;
    const entry = {
      ...newOutboxEntry(id, eventId, 'programme-change', current.version + 1, deps.clock.now()),
      // Named by the update, not the version: a retried list finds the entry it wrote before.
      id: `${id}.programme-change.${noticeId}`,
      changes,
    };
    const outcome = await deps.notices.notify(current, entry);
    if (outcome !== 'changed') return outcome === 'written';
  }
  return false;
}

/**
 * One notice list of an event update (a new list item on the table's stream, written with the update): each
 * registration still confirmed gets an "updated programme" email naming its changes, with an updated `.ics`
 * (its version, the calendar SEQUENCE, is raised in the same transaction as the email's outbox entry). A retried
 * list writes no email twice. Returns how many emails were new.
 */
export async function fanOutProgrammeNotices(
  list: { eventId: string; noticeId: string; notices: readonly AffectedRegistration[] },
  deps: ProgrammeChangeDeps,
): Promise<number> {
  return countInFlight(list.notices, NOTICES_IN_FLIGHT, (notice) =>
    notifyOne(list.eventId, list.noticeId, notice, deps),
  );
}
