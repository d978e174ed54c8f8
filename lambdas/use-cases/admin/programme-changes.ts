import { newOutboxEntry } from '../../domain/email.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import { changesFor } from '../../domain/programme-change.js';
import type { Clock, ProgrammeNotices, RegistrationIndex, RegistrationStore } from '../../ports.js';

export type ProgrammeChangeDeps = {
  index: RegistrationIndex;
  registrations: Pick<RegistrationStore, 'getRegistration'>;
  notices: ProgrammeNotices;
  clock: Clock;
};

type Update = { eventId: string; before: EventDefinition; after: EventDefinition };

/**
 * The confirmed registrations an event update concerns, each with the changes its confirmation showed
 * (the event's, and its own workshops'). Only they are told: a change to workshop A tells nobody in B.
 */
async function* affected(update: Update, index: RegistrationIndex) {
  for await (const { registration } of index.registrationsOf(update.eventId, { pageSizeHint: 500 })) {
    if (registration.status !== 'confirmed' || registration.personalDataRemoved) continue;
    const changes = changesFor(registration.choices, update.before, update.after);
    if (changes.length > 0) yield { id: registration.id, changes };
  }
}

/** How many confirmed registrations the update would email (a dry run). */
export async function countProgrammeNotices(update: Update, deps: Pick<ProgrammeChangeDeps, 'index'>) {
  let count = 0;
  for await (const _ of affected(update, deps.index)) count++;
  return count;
}

/**
 * After an update committed: each affected confirmed registration gets an "updated programme" email naming its
 * changes, with an updated `.ics` (its version, the calendar SEQUENCE, is raised in the same transaction as the
 * email's outbox entry). A registration that changed meanwhile is read again once. Returns how many were told.
 */
export async function sendProgrammeNotices(update: Update, deps: ProgrammeChangeDeps): Promise<number> {
  let notified = 0;
  for await (const { id, changes } of affected(update, deps.index)) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await deps.registrations.getRegistration(id);
      if (current?.status !== 'confirmed') break;
      const entry = {
        ...newOutboxEntry(id, update.eventId, 'programme-change', current.version + 1, deps.clock.now()),
        changes,
      };
      if (await deps.notices.notify(current, entry)) {
        notified++;
        break;
      }
    }
  }
  return notified;
}
