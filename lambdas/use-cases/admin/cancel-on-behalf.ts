import { type AdminRegistration, toAdminRegistration } from '../../domain/admin-registration.js';
import type { OutboxEntry } from '../../domain/email.js';
import type { StoredRegistration } from '../../domain/registration.js';
import type { Actor, AuditLog, Clock, IdSource, RegistrationStore } from '../../ports.js';
import { cancelRegistration } from '../cancel-registration.js';

export type CancelOnBehalfCommand = {
  eventId: string;
  registrationId: string;
  actor: Actor;
  /** Set when the cancellation is one of a batch: every audit entry of the batch carries it. */
  batchId?: string;
};

export type CancelOnBehalfDeps = {
  registrations: RegistrationStore;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
};

export type CancelOnBehalfResult = {
  registration: AdminRegistration;
  cancelledNow: boolean;
  /** The cancellation email owed to the attendee, committed with the cancellation. */
  email?: { outbox: OutboxEntry; registration: StoredRegistration };
};

/**
 * An organiser cancels for an attendee: the same transaction as the attendee's own cancel (seats released
 * once, email guard removed), found by id within the event (another event's registration is not found).
 * Only an actual change is audited; cancelling again changes nothing and records nothing.
 */
export async function cancelOnBehalf(
  command: CancelOnBehalfCommand,
  deps: CancelOnBehalfDeps,
): Promise<CancelOnBehalfResult> {
  const { registration, cancelledNow, outbox } = await cancelRegistration(
    { registrationId: command.registrationId, eventId: command.eventId, by: 'organiser' },
    { registrations: deps.registrations, clock: deps.clock },
  );
  if (cancelledNow) {
    await deps.audit.append({
      id: deps.ids.newId(),
      at: deps.clock.now().toISOString(),
      actor: command.actor,
      action: 'registration.cancelled',
      eventId: command.eventId,
      registrationId: registration.id,
      details: {
        releasedWorkshopIds: Object.values(registration.choices),
        ...(command.batchId ? { batchId: command.batchId } : {}),
      },
    });
  }
  return {
    registration: toAdminRegistration(registration),
    cancelledNow,
    ...(outbox ? { email: { outbox, registration } } : {}),
  };
}
