import {
  type CheckInPlace,
  type CheckInRecord,
  checkedInAt,
  checkInCodeOf,
  normaliseCheckInCode,
} from '../../domain/check-in.js';
import {
  CheckInCodeUnknown,
  NotRegisteredForWorkshop,
  RegistrationCancelled,
  RegistrationNotFound,
  RegistrationWaiting,
} from '../../domain/errors.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import { findWorkshop, ownValue, type StoredRegistration } from '../../domain/registration.js';
import type {
  Actor,
  AuditLog,
  CheckInStore,
  Clock,
  EventCatalog,
  IdSource,
  RegistrationIndex,
  RegistrationStore,
} from '../../ports.js';
import { dutchNames, foldText } from './admin-registration.js';
import { allRegistrations, assertEventAndWorkshop } from './list-registrations.js';

/**
 * Checking people in at the event's entrance or in a workshop room, by the code from their email (scanned or
 * typed) or by registration id (found by name). Door staff use these too, so what comes back is name,
 * organisation and workshops: never an email address.
 */

export type CheckInDeps = {
  events: EventCatalog;
  registrations: Pick<RegistrationStore, 'getRegistration'>;
  index: RegistrationIndex;
  checkIns: CheckInStore;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
};

export type CheckInCommand = {
  eventId: string;
  /** As scanned or typed; read leniently (`normaliseCheckInCode`). */
  code?: string;
  registrationId?: string;
  /** A workshop room; without it, the event's entrance. */
  workshopId?: string;
};

export type CheckInView = {
  registrationId: string;
  name: string;
  organisation: string;
  choices: Record<string, string>;
  workshopId?: string;
  at: string;
  alreadyCheckedInAt?: string;
};

const placeOf = (workshopId: string | undefined): CheckInPlace =>
  workshopId ? { kind: 'workshop', workshopId } : { kind: 'entrance' };

/** The registration of this event the code (or id) stands for; CheckInCodeUnknown for anything else. */
async function registrationFor(
  command: CheckInCommand,
  deps: Pick<CheckInDeps, 'registrations' | 'checkIns'>,
): Promise<StoredRegistration> {
  let registrationId = command.registrationId;
  const code = command.code === undefined ? undefined : normaliseCheckInCode(command.code);
  if (command.code !== undefined) {
    registrationId = code ? await deps.checkIns.registrationIdForCode(command.eventId, code) : undefined;
  }
  const registration = registrationId ? await deps.registrations.getRegistration(registrationId) : undefined;
  if (
    !registration ||
    registration.eventId !== command.eventId ||
    registration.personalDataRemoved ||
    // A code replaced since (a newer email) no longer counts, whatever its lookup item still says.
    (code !== undefined && checkInCodeOf(registration.manageTokenHash) !== code)
  ) {
    throw new CheckInCodeUnknown();
  }
  return registration;
}

/** The round of the workshop, and the workshop the person holds there when it is another one. */
function assertHolds(
  definition: EventDefinition,
  registration: StoredRegistration,
  workshopId: string,
): void {
  const found = findWorkshop(definition, workshopId);
  if (!found) return;
  const held = ownValue(registration.choices, found.roundId);
  if (held === workshopId) return;
  const heldWorkshop = held ? findWorkshop(definition, held)?.workshop : undefined;
  throw new NotRegisteredForWorkshop({
    roundId: found.roundId,
    ...(held ? { workshopId: held } : {}),
    ...(heldWorkshop ? { title: heldWorkshop.title } : {}),
  });
}

/**
 * Checks a confirmed registration in once per place: a second scan (here or at another door at the same
 * moment) answers with the first check-in's time as `alreadyCheckedInAt` and counts nothing again.
 */
export async function checkIn(command: CheckInCommand, deps: CheckInDeps): Promise<CheckInView> {
  const event = await assertEventAndWorkshop(deps.events, command.eventId, command.workshopId);
  const registration = await registrationFor(command, deps);
  if (registration.status === 'cancelled') throw new RegistrationCancelled();
  if (registration.status === 'waiting') throw new RegistrationWaiting();
  if (command.workshopId) assertHolds(event.definition, registration, command.workshopId);
  const result = await deps.checkIns.checkIn(
    command.eventId,
    registration.id,
    placeOf(command.workshopId),
    deps.clock.now().toISOString(),
  );
  return {
    registrationId: registration.id,
    name: registration.name,
    organisation: registration.organisation,
    choices: registration.choices,
    ...(command.workshopId ? { workshopId: command.workshopId } : {}),
    at: result.at,
    ...(result.alreadyCheckedInAt ? { alreadyCheckedInAt: result.alreadyCheckedInAt } : {}),
  };
}

/** Undoes a mistaken check-in (audited when there was one to undo). */
export async function undoCheckIn(
  command: { eventId: string; registrationId: string; workshopId?: string; actor: Actor },
  deps: CheckInDeps,
): Promise<{ registrationId: string; workshopId?: string; undone: boolean }> {
  await assertEventAndWorkshop(deps.events, command.eventId, command.workshopId);
  const registration = await deps.registrations.getRegistration(command.registrationId);
  if (!registration || registration.eventId !== command.eventId) throw new RegistrationNotFound();
  const place = placeOf(command.workshopId);
  const undone = await deps.checkIns.undoCheckIn(command.eventId, registration.id, place);
  if (undone) {
    await deps.audit.append({
      id: deps.ids.newId(),
      at: deps.clock.now().toISOString(),
      actor: command.actor,
      action: 'check-in.undone',
      eventId: command.eventId,
      registrationId: registration.id,
      details: { place: command.workshopId ?? 'entrance' },
    });
  }
  return {
    registrationId: registration.id,
    ...(command.workshopId ? { workshopId: command.workshopId } : {}),
    undone,
  };
}

/** Most people a search answers with; a door volunteer narrows it down with more of the name. */
export const MAX_SEARCH_RESULTS = 100;

/**
 * Confirmed registrations of the event (holding `workshopId` when given) whose name or organisation contains
 * `q` (case and accents ignored; never the email address), sorted by name, each with the time of its check-in
 * at that place.
 */
export async function searchForCheckIn(
  query: { eventId: string; workshopId?: string; q?: string },
  deps: Pick<CheckInDeps, 'events' | 'index' | 'checkIns'>,
): Promise<{
  items: {
    registrationId: string;
    name: string;
    organisation: string;
    choices: Record<string, string>;
    checkedInAt?: string;
  }[];
}> {
  await assertEventAndWorkshop(deps.events, query.eventId, query.workshopId);
  const needle = query.q ? foldText(query.q) : undefined;
  const [registrations, byRegistration] = await Promise.all([
    allRegistrations(query.eventId, { status: 'confirmed', workshopId: query.workshopId }, deps.index),
    checkInsByRegistration(query.eventId, deps.checkIns),
  ]);
  const place = placeOf(query.workshopId);
  return {
    items: registrations
      .filter(
        (registration) =>
          !needle ||
          [registration.name, registration.organisation].some((text) =>
            foldText(String(text ?? '')).includes(needle),
          ),
      )
      .sort((a, b) => dutchNames().compare(a.name, b.name))
      .slice(0, MAX_SEARCH_RESULTS)
      .map((registration) => {
        const at = checkedInAt(byRegistration.get(registration.id), place);
        return {
          registrationId: registration.id,
          name: registration.name,
          organisation: registration.organisation,
          choices: registration.choices ?? {},
          ...(at ? { checkedInAt: at } : {}),
        };
      }),
  };
}

/** Check-ins by registration id, for the summary and the attendance list. */
export async function checkInsByRegistration(
  eventId: string,
  checkIns: Pick<CheckInStore, 'checkInsAt'>,
): Promise<Map<string, CheckInRecord>> {
  return new Map((await checkIns.checkInsAt(eventId)).map((record) => [record.registrationId, record]));
}
