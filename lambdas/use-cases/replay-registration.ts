import { RegistrationCancelled, RegistrationErased } from '../domain/errors.js';
import type { StoredRegistration } from '../domain/registration.js';
import type { RegistrationStore } from '../ports.js';

/**
 * What an idempotency record remembers of a registration request: the id of the registration it made, and
 * nothing about the person. A replay reads the registration as it is now, so erasure and the retention
 * purge need not find the record, and a cancelled registration is never replayed as confirmed.
 */
export type RememberedRegistration = { registrationId: string };

/**
 * The registration a repeated request made, as it is now. Books nothing. A registration whose personal data
 * was removed (erasure, retention) is RegistrationErased; a cancelled one is RegistrationCancelled.
 */
export async function replayRegistration(
  remembered: unknown,
  deps: { registrations: Pick<RegistrationStore, 'getRegistration'> },
): Promise<StoredRegistration> {
  const registrationId = rememberedRegistrationId(remembered);
  const registration = registrationId ? await deps.registrations.getRegistration(registrationId) : undefined;
  if (!registration || registration.personalDataRemoved) throw new RegistrationErased();
  if (registration.status === 'cancelled') throw new RegistrationCancelled();
  return registration;
}

/**
 * The id from a record: `{ registrationId }`, or (records written before, which held the whole first answer
 * and expire within a day of the upgrade) the registration in that answer's body, which is then not used.
 */
function rememberedRegistrationId(remembered: unknown): string | undefined {
  if (typeof remembered !== 'object' || remembered === null) return undefined;
  const { registrationId, body } = remembered as { registrationId?: unknown; body?: unknown };
  if (typeof registrationId === 'string') return registrationId;
  if (typeof body !== 'string') return undefined;
  try {
    const id = (JSON.parse(body) as { registration?: { id?: unknown } }).registration?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
