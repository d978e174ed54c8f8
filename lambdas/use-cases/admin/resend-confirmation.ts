import { type AdminRegistration, toAdminRegistration } from '../../domain/admin-registration.js';
import { newOutboxEntry } from '../../domain/email.js';
import { RegistrationCancelled, RegistrationErased, RegistrationNotFound } from '../../domain/errors.js';
import { sha256Hex } from '../../domain/hashing.js';
import type { Actor, AuditLog, Clock, IdSource, RegistrationStore, SecretSource } from '../../ports.js';
import { withRetryOnChange } from '../registration-access.js';

export type ResendConfirmationCommand = { eventId: string; registrationId: string; actor: Actor };

export type ResendConfirmationDeps = {
  registrations: Pick<RegistrationStore, 'getRegistration' | 'resendConfirmation'>;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  secrets: Pick<SecretSource, 'newManageToken'>;
};

/**
 * An organiser sends someone their confirmation again (lost in a spam folder, a colleague forwarded the wrong
 * one): through the outbox like every email, with a fresh manage link, as a promotion does; only the new token's
 * hash is stored, so the links of earlier emails stop working. Someone waiting for a place gets their
 * waiting-list email again, which is their confirmation. Always audited: each resend is an email sent.
 */
export async function resendConfirmation(
  command: ResendConfirmationCommand,
  deps: ResendConfirmationDeps,
): Promise<AdminRegistration> {
  const { registration, kind } = await withRetryOnChange(async () => {
    const current = await deps.registrations.getRegistration(command.registrationId);
    if (!current || current.eventId !== command.eventId) throw new RegistrationNotFound();
    if (current.personalDataRemoved) throw new RegistrationErased();
    if (current.status === 'cancelled') throw new RegistrationCancelled();
    const now = deps.clock.now();
    const manageToken = deps.secrets.newManageToken();
    const kind = current.status === 'waiting' ? 'waiting-list' : 'confirmation';
    const outbox = newOutboxEntry(current.id, current.eventId, kind, current.version + 1, now, undefined, {
      manageToken,
    });
    return {
      registration: await deps.registrations.resendConfirmation(current, sha256Hex(manageToken), outbox),
      kind,
    };
  });
  await deps.audit.append({
    id: deps.ids.newId(),
    at: deps.clock.now().toISOString(),
    actor: command.actor,
    action: 'registration.confirmation-resent',
    eventId: command.eventId,
    registrationId: registration.id,
    details: { kind },
  });
  return toAdminRegistration(registration);
}
