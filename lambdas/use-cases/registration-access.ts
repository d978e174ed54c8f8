import { RegistrationChanged, RegistrationNotFound, TryAgain } from '../domain/errors.js';
import { matchesHash } from '../domain/hashing.js';
import type { StoredRegistration } from '../domain/registration.js';
import type { RegistrationStore } from '../ports.js';

/** Attempts when someone else changes the same registration between our read and our write. */
const MAX_ATTEMPTS = 3;

type ReadDeps = { registrations: Pick<RegistrationStore, 'getRegistration'> };

/**
 * The registration, if the manage token is its own. An unknown id and a wrong token give the same
 * RegistrationNotFound, so a response never tells whether an id exists.
 */
export async function findOwnRegistration(
  registrationId: string,
  manageToken: string,
  deps: ReadDeps,
): Promise<StoredRegistration> {
  const registration = await deps.registrations.getRegistration(registrationId);
  if (!registration || !matchesHash(manageToken, registration.manageTokenHash))
    throw new RegistrationNotFound();
  return registration;
}

/** Re-runs read-decide-write when the registration changed in between, a few times, then asks to retry. */
export async function withRetryOnChange<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof RegistrationChanged)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new TryAgain(1);
    }
  }
}
