import { newOutboxEntry, type OutboxEntry } from './email.js';
import type { Choices, StoredRegistration, WaitingFor, WorkshopSeats } from './registration.js';
import { ownValue } from './registration.js';

/**
 * Waiting lists (docs/waiting-lists.md). One queue per event, first come first served, holding two kinds of
 * entries: a *preference* (a registered person would rather have a full workshop than the one they hold in
 * that round) and a *place* (someone without a seat, registered as soon as every round has a seat among the
 * workshops they accept). The rules here are pure: which entry gets the free seats, and positions in line.
 */

export type WaitingKind = 'preference' | 'place';

export type WaitingEntry = {
  /** `<registrationId>.<roundId>` for a preference, `<registrationId>.event` for a place: one of each at most. */
  id: string;
  eventId: string;
  registrationId: string;
  kind: WaitingKind;
  /** Round id → accepted workshop ids, in the person's order; a preference names one round and one workshop. */
  wants: WaitingFor;
  joinedAt: string;
};

const PLACE_SUFFIX = 'event';

export function preferenceEntryId(registrationId: string, roundId: string): string {
  return `${registrationId}.${roundId}`;
}

export function placeEntryId(registrationId: string): string {
  return `${registrationId}.${PLACE_SUFFIX}`;
}

/** The entries a registration is on, derived from its `waitingFor` mirror. */
export function entryIdsOf(registration: Pick<StoredRegistration, 'id' | 'status' | 'waitingFor'>): string[] {
  if (registration.status === 'waiting') return [placeEntryId(registration.id)];
  return Object.keys(registration.waitingFor ?? {}).map((roundId) =>
    preferenceEntryId(registration.id, roundId),
  );
}

/** Free seats per workshop id. */
export type FreeSeats = Map<string, number>;

export function freeSeatsOf(seats: Map<string, WorkshopSeats>): FreeSeats {
  const free: FreeSeats = new Map();
  for (const [workshopId, { capacity, taken }] of seats) free.set(workshopId, Math.max(0, capacity - taken));
  return free;
}

/** The seats an entry would take now (per round, the first accepted workshop with a free seat), or undefined. */
export function seatsFor(entry: Pick<WaitingEntry, 'wants'>, free: FreeSeats): Choices | undefined {
  const takes: Choices = {};
  for (const [roundId, accepted] of Object.entries(entry.wants)) {
    const workshopId = accepted.find((candidate) => (free.get(candidate) ?? 0) > 0);
    if (workshopId === undefined) return undefined;
    takes[roundId] = workshopId;
  }
  return Object.keys(takes).length > 0 ? takes : undefined;
}

/**
 * The first entry in line that the free seats can satisfy. Earlier entries that cannot be satisfied keep
 * their place; a later one is only chosen when no earlier one could use these seats.
 */
export function firstPromotable(
  queue: readonly WaitingEntry[],
  free: FreeSeats,
): { entry: WaitingEntry; takes: Choices } | undefined {
  for (const entry of queue) {
    const takes = seatsFor(entry, free);
    if (takes) return { entry, takes };
  }
  return undefined;
}

/** Queue order: who joined first; the entry id breaks a tie of equal timestamps. */
export function byQueueOrder(a: WaitingEntry, b: WaitingEntry): number {
  if (a.joinedAt !== b.joinedAt) return a.joinedAt < b.joinedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Workshop id → 1-based place in that workshop's line, for the entries of one registration. */
export function positionsOf(queue: readonly WaitingEntry[], registrationId: string): Record<string, number> {
  const ahead = new Map<string, number>();
  const positions: Record<string, number> = {};
  for (const entry of queue) {
    for (const workshopId of Object.values(entry.wants).flat()) {
      const count = (ahead.get(workshopId) ?? 0) + 1;
      ahead.set(workshopId, count);
      if (entry.registrationId === registrationId) positions[workshopId] = count;
    }
  }
  return positions;
}

/** Workshop id → how many entries would accept it. */
export function waitingCounts(queue: readonly WaitingEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of queue) {
    for (const workshopId of new Set(Object.values(entry.wants).flat())) {
      counts.set(workshopId, (counts.get(workshopId) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Whether an entry still stands for its registration: the registration exists with its personal data, is
 * not cancelled, still lists the entry, and (a preference) does not hold the workshop already.
 */
export function entryStillWanted(entry: WaitingEntry, registration: StoredRegistration | undefined): boolean {
  if (!registration || registration.personalDataRemoved || registration.status === 'cancelled') return false;
  if (!entryIdsOf(registration).includes(entry.id)) return false;
  // An index copy of an entry left and joined again (for other workshops) since: not what the person wants now.
  const sameWants = Object.entries(entry.wants).every(
    ([roundId, accepted]) =>
      JSON.stringify(ownValue(registration.waitingFor, roundId)) === JSON.stringify(accepted),
  );
  if (!sameWants) return false;
  if (entry.kind === 'place') return registration.status === 'waiting';
  return Object.entries(entry.wants).every(
    ([roundId, accepted]) => !accepted.includes(ownValue(registration.choices, roundId) ?? ''),
  );
}

/** The entries a registration's `waitingFor` stands for, as they are written when it joins at `joinedAt`. */
export function entriesOf(
  registration: Pick<StoredRegistration, 'id' | 'eventId' | 'status' | 'waitingFor'>,
  joinedAt: string,
): WaitingEntry[] {
  const base = { eventId: registration.eventId, registrationId: registration.id, joinedAt };
  const waitingFor = registration.waitingFor ?? {};
  if (registration.status === 'waiting') {
    return [{ ...base, id: placeEntryId(registration.id), kind: 'place', wants: { ...waitingFor } }];
  }
  return Object.entries(waitingFor).map(([roundId, accepted]) => ({
    ...base,
    id: preferenceEntryId(registration.id, roundId),
    kind: 'preference',
    wants: { [roundId]: accepted },
  }));
}

/**
 * The queue with the registration's own entries added where the index does not show them yet (it is
 * eventually consistent; a list joined a moment ago may be missing). A missing entry was written by the
 * registration's latest change, so it joined at `updatedAt`.
 */
export function withOwnEntries(
  queue: readonly WaitingEntry[],
  registration: StoredRegistration,
): WaitingEntry[] {
  const present = new Set(queue.map((entry) => entry.id));
  const missing = entriesOf(registration, registration.updatedAt).filter((entry) => !present.has(entry.id));
  return missing.length === 0 ? [...queue] : [...queue, ...missing].sort(byQueueOrder);
}

/**
 * The "left the list" email a registration owes when it leaves the lists of these rounds (all of them when
 * not given), committed with the change; it names the workshops, which the registration no longer will.
 */
export function leftListEmail(
  current: Pick<StoredRegistration, 'id' | 'eventId' | 'version' | 'waitingFor'>,
  now: Date,
  roundIds: readonly string[] = Object.keys(current.waitingFor ?? {}),
): OutboxEntry {
  const workshopIds = [
    ...new Set(roundIds.flatMap((roundId) => ownValue(current.waitingFor, roundId) ?? [])),
  ];
  return newOutboxEntry(
    current.id,
    current.eventId,
    'waiting-list-left',
    current.version + 1,
    now,
    workshopIds,
  );
}
