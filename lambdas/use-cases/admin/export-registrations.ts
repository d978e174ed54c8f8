import type { AdminRegistration } from '../../domain/admin-registration.js';
import { checkedInAt } from '../../domain/check-in.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import type { CheckInStore, EventCatalog, RegistrationIndex } from '../../ports.js';
import { checkInsByRegistration } from './check-in.js';
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

const dutchNames = new Intl.Collator('nl', { sensitivity: 'base', numeric: true });

/**
 * The registrations for a spreadsheet: every registration of the event in (createdAt, id) order, or for one
 * workshop the confirmed attendees sorted by name (Dutch collation, so "de Vries" and "Çelik" sort as a
 * Dutch reader expects).
 */
export async function exportRegistrations(
  query: ExportQuery,
  deps: {
    events: EventCatalog;
    index: RegistrationIndex;
    /** With it, each attendee of a workshop's list carries `checkedInAt`: the check-in at that workshop. */
    checkIns?: Pick<CheckInStore, 'checkInsAt'>;
  },
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
  attendees.sort((a, b) => dutchNames.compare(a.name, b.name));
  const workshop = { kind: 'workshop', workshopId: query.workshopId } as const;
  const checkIns = deps.checkIns ? await checkInsByRegistration(query.eventId, deps.checkIns) : undefined;
  return {
    eventId: query.eventId,
    definition: event.definition,
    workshopId: query.workshopId,
    registrations: checkIns
      ? attendees.map((attendee) => {
          const at = checkedInAt(checkIns.get(attendee.id), workshop);
          return at ? { ...attendee, checkedInAt: at } : attendee;
        })
      : attendees,
  };
}
