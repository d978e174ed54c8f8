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
  return {
    eventId: query.eventId,
    definition: event.definition,
    workshopId: query.workshopId,
    registrations: sortedByName(attendees),
  };
}

/** Array.prototype.sort is stable: equal names keep their (createdAt, id) order. */
function sortedByName(registrations: AdminRegistration[]): AdminRegistration[] {
  const collator = dutchNames();
  return registrations.sort((a, b) => collator.compare(a.name, b.name));
}

/** One workshop's attendance list: the confirmed registrations holding it (in any round), sorted by name. */
export type AttendanceList = {
  roundId: string;
  workshopId: string;
  workshopTitle: string;
  registrations: AdminRegistration[];
};

export type WorkbookExport = {
  eventId: string;
  definition: EventDefinition;
  /** Every registration in (createdAt, id) order; absent when one workshop's attendance list was asked for. */
  registrations?: AdminRegistration[];
  /** Per workshop of the event, in the definition's order (or the one workshop asked for). */
  attendance: AttendanceList[];
};

/**
 * The registrations for a workbook: every registration and an attendance list per workshop, from one read of
 * the event index; with a workshop, only that workshop's attendance list.
 */
export async function exportWorkbook(
  query: ExportQuery,
  deps: { events: EventCatalog; index: RegistrationIndex },
): Promise<WorkbookExport> {
  const event = await assertEventAndWorkshop(deps.events, query.eventId, query.workshopId);
  const registrations = await allRegistrations(query.eventId, {}, deps.index);
  const attendance = event.definition.rounds.flatMap((round) =>
    round.workshops
      .filter((workshop) => !query.workshopId || workshop.id === query.workshopId)
      .map((workshop) => ({
        roundId: round.id,
        workshopId: workshop.id,
        workshopTitle: workshop.title,
        registrations: sortedByName(
          registrations.filter(
            (registration) =>
              registration.status === 'confirmed' &&
              Object.values(registration.choices ?? {}).includes(workshop.id),
          ),
        ),
      })),
  );
  return {
    eventId: query.eventId,
    definition: event.definition,
    ...(query.workshopId ? {} : { registrations }),
    attendance,
  };
}
