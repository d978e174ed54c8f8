import type { AdminRegistration } from '../../domain/admin-registration.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import type { EventCatalog, RegistrationIndex } from '../../ports.js';
import { allRegistrations, assertEventAndWorkshop } from './list-registrations.js';

export type ExportQuery = {
  eventId: string;
  /** An attendance list for this workshop: confirmed registrations only, sorted by name. */
  workshopId?: string;
};

export type RegistrationExport = {
  eventId: string;
  definition: EventDefinition;
  workshopId?: string;
  registrations: AdminRegistration[];
};

let dutchCollator: Intl.Collator | undefined;

/** Made on the first sorted export, not at cold start: loading the locale's collation data takes milliseconds. */
function dutchNames(): Intl.Collator {
  dutchCollator ??= new Intl.Collator('nl', { sensitivity: 'base', numeric: true });
  return dutchCollator;
}

/**
 * The registrations for a spreadsheet: every registration of the event in (createdAt, id) order, or for one
 * workshop the confirmed attendees sorted by name (Dutch collation, so "de Vries" and "Çelik" sort as a
 * Dutch reader expects).
 */
export async function exportRegistrations(
  query: ExportQuery,
  deps: { events: EventCatalog; index: RegistrationIndex },
): Promise<RegistrationExport> {
  const event = await assertEventAndWorkshop(deps.events, query.eventId, query.workshopId);
  if (!query.workshopId) {
    const registrations = await allRegistrations(query.eventId, {}, deps.index);
    return { eventId: query.eventId, definition: event.definition, registrations };
  }
  const attendees = await allRegistrations(
    query.eventId,
    { workshopId: query.workshopId, status: 'confirmed' },
    deps.index,
  );
  // Array.prototype.sort is stable: equal names keep their (createdAt, id) order.
  const collator = dutchNames();
  attendees.sort((a, b) => collator.compare(a.name, b.name));
  return {
    eventId: query.eventId,
    definition: event.definition,
    workshopId: query.workshopId,
    registrations: attendees,
  };
}
