import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import { RegistrationChanged, WaitingEntryNotFound, WorkshopFull } from '../domain/errors.js';
import type { EventDefinition } from '../domain/event-definition.js';
import { sha256Hex } from '../domain/hashing.js';
import type { Choices, StoredRegistration } from '../domain/registration.js';
import { ownValue } from '../domain/registration.js';
import {
  entryStillWanted,
  type FreeSeats,
  firstPromotable,
  freeSeatsOf,
  seatsFor,
  type WaitingEntry,
} from '../domain/waiting-list.js';
import type {
  BusinessMetrics,
  Clock,
  EventCatalog,
  PromotionLease,
  RegistrationStore,
  SecretSource,
  WaitingListStore,
} from '../ports.js';
import { withRetryOnChange } from './registration-access.js';

export type PromotionDeps = {
  events: Pick<EventCatalog, 'getEvent'>;
  registrations: Pick<RegistrationStore, 'getRegistration'>;
  waiting: WaitingListStore;
  clock: Clock;
  secrets: Pick<SecretSource, 'newManageToken'>;
  /** Counts each promotion (absent where a test does not count). */
  metrics?: BusinessMetrics;
};

/** A person who got a seat: the promotion email is committed with it and goes out with a fresh manage link. */
export type Promotion = {
  entry: WaitingEntry;
  registration: StoredRegistration;
  outbox: OutboxEntry;
  manageToken: string;
  event: EventDefinition;
};

export type PromotionLimits = {
  /** Promotions in one walk; whatever is left is the next walk's (the sweep runs every minute). */
  maxPromotions: number;
  /** Fresh reads after someone else moved first, before leaving the rest to the next walk. */
  maxRereads: number;
};

const DEFAULT_LIMITS: PromotionLimits = { maxPromotions: 200, maxRereads: 10 };

/**
 * Hands the free seats of an event to the people waiting, first come first served. The queue is walked from
 * the head; the first entry the free seats can satisfy is promoted in one transaction, and the walk starts
 * again from the head, because a seat released by a promotion may be what an earlier entry waits for. When a
 * transaction is refused (another walk, a cancel or a registration moved first), seats and queue are read
 * again. A later entry therefore only gets a seat that no earlier entry could use at that moment.
 */
export async function promoteWaiting(
  eventId: string,
  deps: PromotionDeps,
  limits: PromotionLimits = DEFAULT_LIMITS,
): Promise<Promotion[]> {
  const promotions: Promotion[] = [];
  for (let reads = 0; reads <= limits.maxRereads; reads++) {
    const queue = await deps.waiting.queue(eventId);
    if (queue.length === 0) return promotions;
    const event = await deps.events.getEvent(eventId);
    if (!event) return promotions;
    const free = freeSeatsOf(event.seats);
    let pending = queue;
    let refused = false;
    while (promotions.length < limits.maxPromotions) {
      const next = firstPromotable(pending, free);
      if (!next) return promotions;
      pending = pending.filter((entry) => entry.id !== next.entry.id);
      const registration = await deps.registrations.getRegistration(next.entry.registrationId);
      if (!entryStillWanted(next.entry, registration) || !registration) {
        await deps.waiting.dropEntry(next.entry);
        continue;
      }
      try {
        const promotion = await promoteOne(next.entry, registration, next.takes, event.definition, deps);
        promotions.push(promotion);
        moveSeats(free, next.takes, next.entry.kind === 'preference' ? registration.choices : {});
      } catch (error) {
        if (!(error instanceof WorkshopFull || error instanceof RegistrationChanged)) {
          // The promotions made are committed and owe their emails: hand them back, leave the rest to the sweep.
          if (promotions.length > 0) return promotions;
          throw error;
        }
        refused = true;
        break;
      }
    }
    if (!refused) return promotions;
  }
  return promotions;
}

/** How long one walker may hold an event's lease before another may take over (a crashed walker). */
const LEASE_MS = 30_000;
/** Walks one walker makes for requests that came in while it walked; the sweep takes over after that. */
const MAX_WALKS = 5;

/**
 * Promotion after a change, with one walker per event: asks for a walk, and walks only when it gets the
 * lease, again and again while others asked for walks meanwhile. A request that does not get the lease
 * returns at once: the walker holding it sees the request before it gives the lease back. Returns the
 * promotions this caller made.
 */
export async function promoteWithLease(
  eventId: string,
  deps: PromotionDeps & { lease: PromotionLease; newOwnerId: () => string },
  limits: PromotionLimits = DEFAULT_LIMITS,
): Promise<Promotion[]> {
  await deps.lease.requestWalk(eventId);
  const owner = deps.newOwnerId();
  const now = deps.clock.now();
  let requestsSeen = await deps.lease.tryAcquire(eventId, owner, now, new Date(now.getTime() + LEASE_MS));
  if (requestsSeen === undefined) return [];
  const promotions: Promotion[] = [];
  try {
    for (let walk = 0; walk < MAX_WALKS && requestsSeen !== undefined; walk++) {
      promotions.push(...(await promoteWaiting(eventId, deps, limits)));
      requestsSeen = await deps.lease.release(eventId, owner, requestsSeen);
    }
  } finally {
    if (requestsSeen !== undefined) await deps.lease.abandon(eventId, owner);
  }
  return promotions;
}

/** The seats a promotion took are gone; the seats a preference held are free for the next in line. */
function moveSeats(free: FreeSeats, takes: Choices, held: Choices): void {
  for (const [roundId, workshopId] of Object.entries(takes)) {
    free.set(workshopId, (free.get(workshopId) ?? 0) - 1);
    const released = ownValue(held, roundId);
    if (released) free.set(released, (free.get(released) ?? 0) + 1);
  }
}

async function promoteOne(
  entry: WaitingEntry,
  current: StoredRegistration,
  takes: Choices,
  event: EventDefinition,
  deps: PromotionDeps,
): Promise<Promotion> {
  const now = deps.clock.now();
  const manageToken = deps.secrets.newManageToken();
  const outbox = newOutboxEntry(
    current.id,
    current.eventId,
    'promotion',
    current.version + 1,
    now,
    undefined,
    {
      manageToken,
    },
  );
  const registration = await deps.waiting.promote({
    entry,
    current,
    takes,
    at: now.toISOString(),
    manageTokenHash: sha256Hex(manageToken),
    outbox,
  });
  deps.metrics?.record('Promotions');
  return { entry, registration, outbox, manageToken, event };
}

/**
 * An organiser promotes one entry out of turn. It still never goes beyond capacity: without a free seat
 * among what the entry accepts (in every round it waits in), the answer is WorkshopFull.
 */
export async function promoteEntryNow(
  command: { eventId: string; entryId: string },
  deps: PromotionDeps,
): Promise<Promotion> {
  // Promoted (or changed) by someone else between the read and the write: read again; a promoted entry is gone.
  return withRetryOnChange(async () => {
    const entry = await deps.waiting.getEntry(command.eventId, command.entryId);
    if (!entry) throw new WaitingEntryNotFound();
    const [registration, event] = await Promise.all([
      deps.registrations.getRegistration(entry.registrationId),
      deps.events.getEvent(command.eventId),
    ]);
    if (!event || !registration || !entryStillWanted(entry, registration)) throw new WaitingEntryNotFound();
    const takes = seatsFor(entry, freeSeatsOf(event.seats));
    if (!takes) throw new WorkshopFull({ workshopIds: [...new Set(Object.values(entry.wants).flat())] });
    return promoteOne(entry, registration, takes, event.definition, deps);
  });
}
