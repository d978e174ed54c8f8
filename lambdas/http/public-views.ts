import type { CheckInRecord } from '../domain/check-in.js';
import type { Registration, StoredRegistration } from '../domain/registration.js';
import type { RegistrationView } from './response-schemas.js';

/**
 * What an attendee may see of a registration: never the hashes or internal keys. `waitingPositions` (workshop
 * id → place in line) accompanies `waitingFor` while the registration is on a waiting list.
 */
export function registrationView(
  registration: Registration,
  waitingPositions?: Record<string, number>,
): RegistrationView {
  return {
    id: registration.id,
    eventId: registration.eventId,
    name: registration.name,
    email: registration.email,
    organisation: registration.organisation,
    ...(registration.jobTitle ? { jobTitle: registration.jobTitle } : {}),
    choices: registration.choices,
    ...(registration.waitingFor
      ? { waitingFor: registration.waitingFor, waitingPositions: waitingPositions ?? {} }
      : {}),
    status: registration.status,
    locale: registration.locale,
    createdAt: registration.createdAt,
    updatedAt: registration.updatedAt,
    ...(registration.cancelledAt ? { cancelledAt: registration.cancelledAt } : {}),
    ...(registration.consent ? { consent: registration.consent } : {}),
    ...(registration.personalDataRemoved ? { personalDataRemoved: registration.personalDataRemoved } : {}),
  };
}

/**
 * Everything stored about a person's registration, for their right of access: the registration as stored,
 * minus only the internal keys. The hashes are listed and explained rather than hidden.
 */
export function personalDataExport(
  registration: StoredRegistration,
  exportedAt: string,
  checkIns?: CheckInRecord,
) {
  const { emailHash, manageTokenHash, version, ...stored } = registration;
  return {
    exportedAt,
    registration: stored,
    // When you were checked in at the entrance and in the workshop rooms.
    ...(checkIns ? { checkIns: { entranceAt: checkIns.entranceAt, workshops: checkIns.workshops } } : {}),
    derived: {
      emailHash: {
        value: emailHash,
        explanation:
          'sha256 of your trimmed, lower-case email address: it lets you register only once per event',
      },
      manageTokenHash: {
        value: manageTokenHash,
        explanation: 'sha256 of the secret in your personal link; the secret itself is not stored',
      },
      version: { value: version, explanation: 'counts the changes to your registration' },
    },
  };
}
