import { PermanentDeliveryFailure } from '../domain/email.js';
import { RegistrationNotFound, TryAgain } from '../domain/errors.js';
import type { StoredRegistration } from '../domain/registration.js';
import { composeEmail } from '../email/compose.js';
import type { Clock, EmailOutbox, EventCatalog, Mailer, RegistrationStore } from '../ports.js';
import { cancelRegistration } from './cancel-registration.js';
import { findOwnRegistration, withRetryOnChange } from './registration-access.js';

export type EraseCommand = {
  registrationId: string;
  /** The attendee's own request carries the manage token; organisers act without it. */
  manageToken?: string;
  by: 'attendee' | 'organiser';
  /** Organisers act per event: a registration of another event is not found. */
  eventId?: string;
};

export type EraseDeps = {
  registrations: RegistrationStore;
  events: Pick<EventCatalog, 'getEvent'>;
  mailer: Mailer;
  /** Emails still owed to the person: after the erasure there is nobody to send them to. */
  outbox: Pick<EmailOutbox, 'owedTo' | 'discard'>;
  clock: Clock;
};

/**
 * Erasure on request: confirm by email while the address is still known, cancel if still active (seats
 * released once, waiting lists left; the erasure email tells of that, so no cancellation email is owed), then
 * remove name, email address, organisation, job title, the email guard and the manage token, and drop every
 * email still owed to the address. Status, choices and timestamps stay as an anonymous tombstone, so counters
 * and summaries stay right. When the confirmation cannot be sent, nothing is changed yet and the caller is
 * asked to try again.
 */
export async function erasePersonalData(
  command: EraseCommand,
  deps: EraseDeps,
): Promise<{ registration: StoredRegistration; erasedNow: boolean }> {
  const current =
    command.by === 'attendee'
      ? await findOwnRegistration(command.registrationId, command.manageToken ?? '', deps)
      : await deps.registrations.getRegistration(command.registrationId);
  if (!current || (command.eventId !== undefined && current.eventId !== command.eventId)) {
    throw new RegistrationNotFound();
  }
  if (current.personalDataRemoved) return { registration: current, erasedNow: false };

  const event = await deps.events.getEvent(current.eventId);
  if (event) {
    try {
      await deps.mailer.send(
        composeEmail({
          kind: 'erasure',
          eventId: current.eventId,
          event: event.definition,
          registration: current,
        }),
      );
    } catch (error) {
      // An address that never accepts mail cannot be told; anything else is worth another try first.
      if (!(error instanceof PermanentDeliveryFailure)) throw new TryAgain(30);
    }
  }

  // Seats are released and waiting lists left first, by the same transaction as a cancel.
  if (current.status !== 'cancelled') {
    await cancelRegistration(
      {
        registrationId: current.id,
        manageToken: command.manageToken,
        by: command.by,
        eventId: command.eventId,
        owesEmail: false,
      },
      deps,
    );
  }

  const registration = await withRetryOnChange(async () => {
    const latest = await deps.registrations.getRegistration(current.id);
    if (!latest) throw new RegistrationNotFound();
    if (latest.personalDataRemoved) return latest;
    return deps.registrations.removePersonalData(latest, deps.clock.now().toISOString(), 'request');
  });
  // Emails owed from before (a confirmation still being retried): nobody left to send them to.
  for (const entry of await deps.outbox.owedTo(registration.id)) await deps.outbox.discard(entry);
  return { registration, erasedNow: true };
}
