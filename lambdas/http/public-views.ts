import type { Registration } from '../domain/registration.js';

/** What an attendee may see of a registration: never the hashes or internal keys. */
export function registrationView(registration: Registration) {
  return {
    id: registration.id,
    eventId: registration.eventId,
    name: registration.name,
    email: registration.email,
    organisation: registration.organisation,
    ...(registration.jobTitle ? { jobTitle: registration.jobTitle } : {}),
    choices: registration.choices,
    status: registration.status,
    locale: registration.locale,
    createdAt: registration.createdAt,
    updatedAt: registration.updatedAt,
    ...(registration.cancelledAt ? { cancelledAt: registration.cancelledAt } : {}),
  };
}
