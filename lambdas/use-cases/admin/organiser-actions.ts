import { type AdminRegistration, toAdminRegistration } from '../../domain/admin-registration.js';
import { CapacityBelowTaken } from '../../domain/errors.js';
import type { Actor, AuditLog, Clock, IdSource, RegistrationIndex, RegistrationStore } from '../../ports.js';
import { type EraseDeps, erasePersonalData } from '../erase-personal-data.js';
import { type FollowUpDeps, logPromotions, promoteAndNotify } from '../follow-up.js';
import { type CancelBatchCommand, type CancelBatchResult, cancelBatch } from './cancel-batch.js';
import { type CancelOnBehalfCommand, cancelOnBehalf } from './cancel-on-behalf.js';
import { affectedRegistrations, type Update } from './programme-changes.js';
import {
  type PutEventCommand,
  type PutEventDeps,
  type PutEventResult,
  refuseWorkshopsInUse,
  writeEvent,
} from './put-event.js';
import { promoteByHand, removeFromWaitingList } from './waiting-lists.js';

/**
 * The organisers' changes with what follows each commit: the email the attendee is owed is committed with the
 * change (the sender sends it), and seats
 * that came free go to the people waiting. Every change is audited (in the use case that makes it).
 */

export type OrganiserDeps = FollowUpDeps &
  Omit<PutEventDeps, 'audit'> &
  Pick<EraseDeps, 'outbox'> & {
    registrations: RegistrationStore;
    audit: AuditLog;
    clock: Clock;
    ids: IdSource;
    /** The registration index, to find whom an update's programme changes concern (issue 16). */
    index: RegistrationIndex;
  };

/**
 * Creates or updates an event; a raised capacity frees seats for the people waiting. An update that changes what
 * confirmations showed tells the registrations concerned (unless `notify` is false); `notified` says how many.
 * Their notices are stored as lists in the update's own transaction, and the table's stream fans them out into
 * outbox entries after the answer: none is lost if the request dies, and thousands do not hold it up.
 */
export async function putEventAndPromote(
  command: PutEventCommand & { notify?: boolean },
  deps: OrganiserDeps,
): Promise<PutEventResult & { notified: number }> {
  const before = await deps.events.getEvent(command.eventId);
  // Refused before the registrations are walked for whom the update concerns.
  refuseWorkshopsInUse(before, command.definition);
  const affected =
    before && command.notify !== false
      ? await affectedRegistrations(updateOf(command, before.definition), deps.index)
      : [];
  const notices = affected.length > 0 ? { noticeId: deps.ids.newId(), affected } : undefined;
  const result = await writeEvent(before, { ...command, notices }, deps);
  if (result.created || !before) return { ...result, notified: 0 };
  await promoteAndNotify(command.eventId, deps);
  return { ...result, notified: affected.length };
}

const updateOf = (command: PutEventCommand, before: Update['before']): Update => ({
  eventId: command.eventId,
  before,
  after: command.definition,
});

/**
 * A dry run of an update: how many registrations it would email; nothing changes. Refused as the update would
 * be: a workshop in use removed, a capacity below the seats taken (as read now).
 */
export async function previewPutEvent(
  command: PutEventCommand & { notify?: boolean },
  deps: OrganiserDeps,
): Promise<{ dryRun: true; created: boolean; notified: number }> {
  const before = await deps.events.getEvent(command.eventId);
  if (!before) return { dryRun: true, created: true, notified: 0 };
  refuseWorkshopsInUse(before, command.definition);
  // As the update's transaction would refuse it (its conditions are not run here).
  const belowTaken = command.definition.rounds
    .flatMap((round) => round.workshops)
    .filter((workshop) => (before.seats.get(workshop.id)?.taken ?? 0) > workshop.capacity)
    .map((workshop) => workshop.id);
  if (belowTaken.length > 0) throw new CapacityBelowTaken({ workshopIds: belowTaken });
  if (command.notify === false) return { dryRun: true, created: false, notified: 0 };
  const affected = await affectedRegistrations(updateOf(command, before.definition), deps.index);
  return { dryRun: true, created: false, notified: affected.length };
}

/** Cancels for the attendee, who is told; the seats released go to the people waiting. */
export async function cancelAndPromote(
  command: CancelOnBehalfCommand,
  deps: OrganiserDeps,
): Promise<AdminRegistration> {
  const { registration, email } = await cancelOnBehalf(command, deps);
  if (email) await promoteAndNotify(command.eventId, deps);
  return registration;
}

/** Cancels a batch; each attendee is told, and the seats go to the people waiting in one walk for the batch. */
export async function cancelBatchAndPromote(
  command: CancelBatchCommand,
  deps: OrganiserDeps,
): Promise<Omit<CancelBatchResult, 'emails'>> {
  const { emails, ...result } = await cancelBatch(command, deps);
  if (emails.length > 0) await promoteAndNotify(command.eventId, deps);
  return result;
}

/** Erases a person's data on their request to the organisers: audited, and the seats freed are handed on. */
export async function eraseOnRequest(
  command: { eventId: string; registrationId: string; actor: Actor },
  deps: OrganiserDeps,
): Promise<AdminRegistration> {
  const { registration, erasedNow } = await erasePersonalData(
    { registrationId: command.registrationId, by: 'organiser', eventId: command.eventId },
    deps,
  );
  if (erasedNow) {
    await deps.audit.append({
      id: deps.ids.newId(),
      at: deps.clock.now().toISOString(),
      actor: command.actor,
      action: 'registration.erased',
      eventId: command.eventId,
      registrationId: registration.id,
      details: { reason: 'request' },
    });
    await promoteAndNotify(command.eventId, deps);
  }
  return toAdminRegistration(registration);
}

/** Takes someone off a list; they are told. */
export async function removeFromListAndTell(
  command: { eventId: string; entryId: string; actor: Actor },
  deps: OrganiserDeps,
): Promise<AdminRegistration> {
  const { registration } = await removeFromWaitingList(command, deps);
  return toAdminRegistration(registration);
}

/**
 * Promotes one entry out of turn and tells them; the seat a preference released may be what the next person
 * waits for, so the walk follows.
 */
export async function promoteByHandAndWalk(
  command: { eventId: string; entryId: string; actor: Actor },
  deps: OrganiserDeps,
): Promise<AdminRegistration> {
  const promotion = await promoteByHand(command, deps);
  logPromotions([promotion], deps);
  await promoteAndNotify(command.eventId, deps);
  return toAdminRegistration(promotion.registration);
}
