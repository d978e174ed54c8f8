import type { AdminRegistration } from '../../domain/admin-registration.js';
import { type CheckInRecord, checkedInAt } from '../../domain/check-in.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import type { CheckInStore, EventCatalog, RegistrationIndex } from '../../ports.js';
import { dutchNames } from './admin-registration.js';
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

/**
 * The registrations for a spreadsheet: every registration of the event in (createdAt, id) order, or for one
 * workshop the confirmed attendees sorted by name (Dutch collation, so "de Vries" and "Çelik" sort as a
 * Dutch reader expects).
 */
export async function exportRegistrations(
  query: ExportQuery,
  deps: { events: EventCatalog; index: RegistrationIndex } & CheckInsDep,
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
  const checkIns = deps.checkIns ? await checkInsByRegistration(query.eventId, deps.checkIns) : undefined;
  return {
    eventId: query.eventId,
    definition: event.definition,
    workshopId: query.workshopId,
    registrations: withCheckInTimes(sortedByName(attendees), query.workshopId, checkIns),
  };
}

type CheckInsDep = {
  /** With it, each attendee of a workshop's list carries `checkedInAt`: the check-in at that workshop. */
  checkIns?: Pick<CheckInStore, 'checkInsAt'>;
};

/** Each attendee of a workshop's list with the time they were checked in at that workshop, if they were. */
function withCheckInTimes(
  attendees: AdminRegistration[],
  workshopId: string,
  checkIns: Map<string, CheckInRecord> | undefined,
): AdminRegistration[] {
  if (!checkIns) return attendees;
  const workshop = { kind: 'workshop', workshopId } as const;
  return attendees.map((attendee) => {
    const at = checkedInAt(checkIns.get(attendee.id), workshop);
    return at ? { ...attendee, checkedInAt: at } : attendee;
  });
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
  deps: { events: EventCatalog; index: RegistrationIndex } & CheckInsDep,
): Promise<WorkbookExport> {
  const event = await assertEventAndWorkshop(deps.events, query.eventId, query.workshopId);
  const registrations = await allRegistrations(query.eventId, {}, deps.index);
  const checkIns = deps.checkIns ? await checkInsByRegistration(query.eventId, deps.checkIns) : undefined;
  const attendance = event.definition.rounds.flatMap((round) =>
    round.workshops
      .filter((workshop) => !query.workshopId || workshop.id === query.workshopId)
      .map((workshop) => ({
        roundId: round.id,
        workshopId: workshop.id,
        workshopTitle: workshop.title,
        registrations: withCheckInTimes(
          sortedByName(
            registrations.filter(
              (registration) =>
                registration.status === 'confirmed' &&
                Object.values(registration.choices ?? {}).includes(workshop.id),
            ),
          ),
          workshop.id,
          checkIns,
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
