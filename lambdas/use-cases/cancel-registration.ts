import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import { RegistrationNotFound } from '../domain/errors.js';
import type { CancelledBy, StoredRegistration } from '../domain/registration.js';
import { leftListEmail } from '../domain/waiting-list.js';
import type { Clock, RegistrationStore } from '../ports.js';
import { findOwnRegistration, withRetryOnChange } from './registration-access.js';

export type CancelCommand = {
  registrationId: string;
  /** Required when the attendee cancels; organisers cancel on the attendee's behalf without it. */
  manageToken?: string;
  by: CancelledBy;
  /** When given (organisers act per event), a registration of another event is not found. */
  eventId?: string;
  /** False when another email tells of the cancellation (the erasure confirmation): no cancellation email owed. */
  owesEmail?: boolean;
};

/**
 * Cancels a registration: every seat released exactly once and the email guard removed, in one
 * transaction. Cancelling again changes nothing and returns the cancelled registration.
 */
export async function cancelRegistration(
  command: CancelCommand,
  deps: { registrations: RegistrationStore; clock: Clock },
): Promise<{ registration: StoredRegistration; cancelledNow: boolean; outbox?: OutboxEntry }> {
  return withRetryOnChange(async () => {
    const current =
      command.by === 'attendee'
        ? await findOwnRegistration(command.registrationId, command.manageToken ?? '', deps)
        : await deps.registrations.getRegistration(command.registrationId);
    if (!current || (command.eventId !== undefined && current.eventId !== command.eventId)) {
      throw new RegistrationNotFound();
    }
    if (current.status === 'cancelled') return { registration: current, cancelledNow: false };
    const now = deps.clock.now();
    // The cancellation email, committed with the cancellation. Someone who was only waiting for a place held
    // no seats: they are told they left the waiting list.
    const outbox =
      command.owesEmail === false
        ? undefined
        : current.status === 'waiting'
          ? leftListEmail(current, now)
          : newOutboxEntry(current.id, current.eventId, 'cancellation', current.version + 1, now);
    const registration = await deps.registrations.cancelRegistration(
      current,
      now.toISOString(),
      command.by,
      outbox,
    );
    return { registration, cancelledNow: true, outbox };
  });
}
