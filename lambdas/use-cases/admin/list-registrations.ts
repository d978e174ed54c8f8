import type { AdminRegistration } from '../../domain/admin-registration.js';
import { EventNotFound, ValidationFailed } from '../../domain/errors.js';
import { findWorkshop } from '../../domain/registration.js';
import type { EventCatalog, RegistrationIndex } from '../../ports.js';
import { type RegistrationFilter, registrationMatcher } from './admin-registration.js';

export type ListRegistrationsQuery = {
  eventId: string;
  filter: RegistrationFilter;
  limit: number;
  /** Continue after this position (from the previous page's `nextPosition`). */
  after?: string;
};

export type ListRegistrationsDeps = { events: EventCatalog; index: RegistrationIndex };

export type RegistrationPage = { items: AdminRegistration[]; nextPosition?: string };

/** The event must exist, and a workshop filter must name one of its workshops. */
export async function assertEventAndWorkshop(
  events: EventCatalog,
  eventId: string,
  workshopId: string | undefined,
) {
  const event = await events.getEvent(eventId);
  if (!event) throw new EventNotFound();
  if (workshopId && !findWorkshop(event.definition, workshopId)) {
    throw new ValidationFailed([{ path: 'workshopId', message: 'unknown workshop for this event' }]);
  }
  return event;
}

/**
 * One page of an event's registrations in (createdAt, id) order, filtered. The position after the page is
 * that of the last item consumed, matched or not; it is only given when another matching item exists, so
 * the last page has no `nextPosition` and no page is ever empty unless the whole result is.
 */
export async function listRegistrations(
  query: ListRegistrationsQuery,
  deps: ListRegistrationsDeps,
): Promise<RegistrationPage> {
  await assertEventAndWorkshop(deps.events, query.eventId, query.filter.workshopId);
  const matches = registrationMatcher(query.filter);
  const items: AdminRegistration[] = [];
  let position = query.after;
  let more = false;
  for await (const entry of deps.index.registrationsOf(query.eventId, {
    after: query.after,
    pageSizeHint: query.limit + 1,
  })) {
    if (matches(entry.registration)) {
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push(entry.registration);
    }
    position = entry.position;
  }
  return more ? { items, nextPosition: position } : { items };
}

/** Every matching registration of an event, in listing order. */
export async function allRegistrations(
  eventId: string,
  filter: RegistrationFilter,
  index: RegistrationIndex,
): Promise<AdminRegistration[]> {
  const matches = registrationMatcher(filter);
  const items: AdminRegistration[] = [];
  for await (const entry of index.registrationsOf(eventId, { pageSizeHint: 1000 })) {
    if (matches(entry.registration)) items.push(entry.registration);
  }
  return items;
}
