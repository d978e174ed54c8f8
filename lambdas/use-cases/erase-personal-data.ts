import { newOutboxEntry } from '../domain/email.js';
import { RegistrationNotFound } from '../domain/errors.js';
import type { StoredRegistration } from '../domain/registration.js';
import type { Clock, EmailOutbox, EventCatalog, RegistrationStore } from '../ports.js';
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
  /** Emails still owed to the person: after the erasure there is nobody to send them to. */
  outbox: Pick<EmailOutbox, 'owedTo' | 'discard'>;
  clock: Clock;
};

/**
 * Erasure on request: cancel if still active (seats released once, waiting lists left; the erasure email
 * tells of that, so no cancellation email is owed), then remove name, email address, organisation, job
 * title, the email guard and the manage token, and drop every email still owed to the address. The same
 * transaction that removes the data writes the erasure confirmation's outbox entry, which alone keeps the
 * address and name until the sender has handed the email to SES (or given up). Status, choices and
 * timestamps stay as an anonymous tombstone, so counters and summaries stay right.
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
    const now = deps.clock.now();
    const erasureEmail = newOutboxEntry(
      latest.id,
      latest.eventId,
      'erasure',
      latest.version + 1,
      now,
      undefined,
      {
        recipient: { name: latest.name, email: latest.email, locale: latest.locale },
      },
    );
    return deps.registrations.removePersonalData(latest, now.toISOString(), 'request', erasureEmail);
  });
  // Emails owed from before (a confirmation still being retried): nobody left to send them to.
  for (const entry of await deps.outbox.owedTo(registration.id)) {
    if (entry.kind !== 'erasure') await deps.outbox.discard(entry);
  }
  return { registration, erasedNow: true };
}
