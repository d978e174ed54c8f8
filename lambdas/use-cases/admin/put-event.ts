import { WorkshopInUse } from '../../domain/errors.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import type { OwedNotices } from '../../domain/programme-notice.js';
import type { EventWithSeats } from '../../domain/registration.js';
import type { Actor, AuditLog, Clock, EventCatalog, EventRegistry, IdSource } from '../../ports.js';
import { getPublicEvent, type PublicEvent } from '../get-event.js';

export type PutEventCommand = {
  eventId: string;
  definition: EventDefinition;
  actor: Actor;
  /** The programme-change notices the update owes: committed with it (issue 16). */
  notices?: OwedNotices;
};

export type PutEventDeps = {
  events: EventCatalog;
  audit: AuditLog;
  registry: EventRegistry;
  clock: Clock;
  ids: IdSource;
};

export type PutEventResult = { created: boolean; event: PublicEvent };

function roundOfEachWorkshop(definition: EventDefinition): Map<string, string> {
  return new Map(
    definition.rounds.flatMap((round) => round.workshops.map((workshop) => [workshop.id, round.id] as const)),
  );
}

/**
 * Workshops that registrations hold (`taken > 0`) may not disappear from the definition, nor move to
 * another round: the registrations name them per round.
 */
export function workshopsStillInUse(existing: EventWithSeats, next: EventDefinition): string[] {
  const before = roundOfEachWorkshop(existing.definition);
  const after = roundOfEachWorkshop(next);
  const inUse: string[] = [];
  for (const [workshopId, roundId] of before) {
    if ((existing.seats.get(workshopId)?.taken ?? 0) === 0) continue;
    if (after.get(workshopId) !== roundId) inUse.push(workshopId);
  }
  return inUse;
}

/** Refuses (WorkshopInUse) an update that would remove or move a workshop registrations hold. */
export function refuseWorkshopsInUse(existing: EventWithSeats | undefined, next: EventDefinition): void {
  if (!existing) return;
  const inUse = workshopsStillInUse(existing, next);
  if (inUse.length > 0) throw new WorkshopInUse({ workshopIds: inUse });
}

/** What the audit log records of an update: capacities and the set of workshops, not the texts. */
export function describeChanges(existing: EventWithSeats | undefined, next: EventDefinition) {
  const nextWorkshops = next.rounds.flatMap((round) => round.workshops);
  if (!existing) {
    return {
      title: next.title,
      rounds: next.rounds.map((round) => round.id),
      workshops: nextWorkshops.map((workshop) => ({ workshopId: workshop.id, capacity: workshop.capacity })),
    };
  }
  const before = new Map(
    existing.definition.rounds.flatMap((round) => round.workshops).map((workshop) => [workshop.id, workshop]),
  );
  const after = new Set(nextWorkshops.map((workshop) => workshop.id));
  const capacityChanges = nextWorkshops.flatMap((workshop) => {
    const previous = before.get(workshop.id);
    const from = existing.seats.get(workshop.id)?.capacity ?? previous?.capacity;
    return previous && from !== workshop.capacity
      ? [{ workshopId: workshop.id, from, to: workshop.capacity }]
      : [];
  });
  return {
    title: next.title,
    capacityChanges,
    addedWorkshops: nextWorkshops.filter((workshop) => !before.has(workshop.id)).map((w) => w.id),
    removedWorkshops: [...before.keys()].filter((workshopId) => !after.has(workshopId)),
  };
}

/**
 * Creates or updates an event. Capacities change atomically in the store, never below what is taken
 * (CapacityBelowTaken); workshops that registrations hold cannot be removed (WorkshopInUse). The change is
 * written to the audit log after it committed.
 */
export async function putEvent(command: PutEventCommand, deps: PutEventDeps): Promise<PutEventResult> {
  const existing = await deps.events.getEvent(command.eventId);
  refuseWorkshopsInUse(existing, command.definition);
  return writeEvent(existing, command, deps);
}

/**
 * The write and audit of `putEvent`, for a caller that has read the event (`existing`) and refused workshops in
 * use itself, so the event is not read twice.
 */
export async function writeEvent(
  existing: EventWithSeats | undefined,
  command: PutEventCommand,
  deps: PutEventDeps,
): Promise<PutEventResult> {
  // Registered first: an event that exists is never missing from the registry (the check skips unknown ids).
  await deps.registry.add(command.eventId);
  await deps.events.putEventDefinition(command.eventId, command.definition, command.notices);

  const at = deps.clock.now().toISOString();
  await deps.audit.append({
    id: deps.ids.newId(),
    at,
    actor: command.actor,
    action: existing ? 'event.updated' : 'event.created',
    eventId: command.eventId,
    details: {
      ...describeChanges(existing, command.definition),
      // Who was emailed an updated programme: how many, never who (issue 16).
      ...(command.notices
        ? { notified: command.notices.affected.length, noticeId: command.notices.noticeId }
        : {}),
    },
  });
  const event = await getPublicEvent(command.eventId, { events: deps.events, clock: deps.clock });
  return { created: !existing, event };
}
