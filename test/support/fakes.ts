import type { OutboxEntry } from '../../lambdas/domain/email.js';
import { AlreadyWaiting, RegistrationChanged, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type {
  Choices,
  EventWithSeats,
  Registration,
  StoredRegistration,
  WaitingFor,
  WorkshopSeats,
} from '../../lambdas/domain/registration.js';
import { ownValue } from '../../lambdas/domain/registration.js';
import {
  byQueueOrder,
  entryIdsOf,
  placeEntryId,
  preferenceEntryId,
  type WaitingEntry,
} from '../../lambdas/domain/waiting-list.js';
import type {
  Clock,
  EventCatalog,
  NewRegistration,
  PromotionInput,
  PromotionLease,
  RegistrationStore,
  SecretSource,
  WaitingListStore,
} from '../../lambdas/ports.js';

/** A two-round event in the shape of the seed event, small enough to reason about in tests. */
export function sampleDefinition(overrides: Partial<EventDefinition> = {}): EventDefinition {
  return {
    title: 'Testdag',
    date: '2030-09-12',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      {
        id: '1',
        title: 'Ronde 1',
        workshops: [
          { id: 'a', title: 'A', description: '', speakers: ['Spreker A'], capacity: 2 },
          { id: 'b', title: 'B', description: '', speakers: ['Spreker B'], capacity: 1 },
        ],
      },
      {
        id: '2',
        title: 'Ronde 2',
        workshops: [{ id: 'c', title: 'C', description: '', speakers: ['Spreker C'], capacity: 5 }],
      },
    ],
    ...overrides,
  };
}

/** A confirmed Dutch registration of the sample event, holding A and C. */
export function sampleRegistration(overrides: Partial<Registration> = {}): Registration {
  return {
    id: 'reg-1',
    eventId: 'testdag',
    name: 'Anna',
    email: 'anna@example.nl',
    organisation: 'Gemeente Oss',
    choices: { '1': 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2030-01-01T10:00:00.000Z',
    updatedAt: '2030-01-01T10:00:00.000Z',
    ...overrides,
  };
}

/** Two rounds of two workshops (`a`, `b` and `c`, `d`, titled `Workshop <id>`) with the capacities given (default 0). */
export function twoRoundsOfTwo(
  title: string,
  capacities: Record<string, number>,
  date = '2030-05-01',
): EventDefinition {
  const round = (id: string, workshopIds: string[]) => ({
    id,
    title: `Ronde ${id}`,
    workshops: workshopIds.map((workshopId) => ({
      id: workshopId,
      title: `Workshop ${workshopId}`,
      description: '',
      speakers: [],
      capacity: capacities[workshopId] ?? 0,
    })),
  });
  return {
    title,
    date,
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [round('1', ['a', 'b']), round('2', ['c', 'd'])],
  };
}

export const fixedClock = (iso = '2030-01-01T10:00:00.000Z'): Clock => ({ now: () => new Date(iso) });

/** The promotion lease of one walker that nobody asks for another walk: it walks once and lets go. */
export function loneWalkerLease(): PromotionLease {
  return {
    requestWalk: async () => {},
    tryAcquire: async () => 0,
    release: async () => undefined,
    abandon: async () => {},
  };
}

export function sequentialSecrets(): SecretSource {
  let next = 0;
  return {
    newRegistrationId: () => `reg-${++next}`,
    newManageToken: () => `token-${next}-abcdefghijklmnopqrstuvwxyz`,
  };
}

/** An in-memory store with the same all-or-nothing rules as the DynamoDB one, for use-case tests. */
export class InMemoryStore implements EventCatalog, Pick<RegistrationStore, 'createRegistration'> {
  readonly events = new Map<string, EventWithSeats>();
  readonly registrations: NewRegistration[] = [];
  readonly emailGuards = new Set<string>();

  async getEvent(eventId: string) {
    const event = this.events.get(eventId);
    return event
      ? { ...event, seats: new Map([...event.seats].map(([id, s]) => [id, { ...s }])) }
      : undefined;
  }

  async getDefinition(eventId: string) {
    return this.events.get(eventId)?.definition;
  }

  async putEventDefinition(eventId: string, definition: EventDefinition) {
    const seats = this.events.get(eventId)?.seats ?? new Map();
    for (const workshop of definition.rounds.flatMap((round) => round.workshops)) {
      seats.set(workshop.id, { capacity: workshop.capacity, taken: seats.get(workshop.id)?.taken ?? 0 });
    }
    this.events.set(eventId, { id: eventId, definition, seats });
  }

  async createRegistration(input: NewRegistration) {
    const event = this.events.get(input.registration.eventId);
    if (!event) throw new Error('no event');
    const { WorkshopFull, AlreadyRegistered } = await import('../../lambdas/domain/errors.js');
    const hasRoom = (id: string) => {
      const seats = event.seats.get(id);
      return seats !== undefined && seats.taken < seats.capacity;
    };
    // Per round the first of the choice and its alternatives with a free seat, as the DynamoDB store takes them.
    const full: string[] = [];
    const choices = Object.fromEntries(
      Object.entries(input.registration.choices).map(([roundId, chosen]) => {
        const options = [chosen, ...(ownValue(input.alternatives, roundId) ?? [])];
        const seat = options.find(hasRoom);
        if (seat === undefined) full.push(...options);
        return [roundId, seat ?? chosen];
      }),
    );
    if (full.length > 0) throw new WorkshopFull({ workshopIds: full });
    const guard = `${input.registration.eventId}#${input.emailHash}`;
    if (this.emailGuards.has(guard)) throw new AlreadyRegistered();
    for (const id of Object.values(choices)) {
      const seats = event.seats.get(id);
      if (seats) seats.taken += 1;
    }
    this.emailGuards.add(guard);
    this.registrations.push({ ...input, registration: { ...input.registration, choices } });
    return choices;
  }
}

/**
 * The waiting lists of one event in memory, with its seats and registrations: a WaitingListStore that keeps
 * the same rules as the DynamoDB one (lambdas/adapters/dynamodb/waiting-list-store.ts). A promotion is all or
 * nothing and refused like the transaction refuses it: WorkshopFull when a seat it takes is gone, otherwise
 * RegistrationChanged when the registration moved on (status or version) or the entry is gone.
 * `beforePromote` runs just before a promotion is checked, where a competing walk, a cancel or a direct
 * registration can move first.
 */
export class InMemoryWaitingList
  implements WaitingListStore, Pick<EventCatalog, 'getEvent'>, Pick<RegistrationStore, 'getRegistration'>
{
  readonly seats = new Map<string, WorkshopSeats>();
  readonly registrations = new Map<string, StoredRegistration>();
  readonly entries = new Map<string, WaitingEntry>();
  /** Outbox entries committed with promotions and joins, in commit order. */
  readonly outbox: OutboxEntry[] = [];
  /** Entry ids, in the order their promotions committed. */
  readonly promoted: string[] = [];
  /** Entry ids removed by `dropEntry`. */
  readonly dropped: string[] = [];
  readonly calls = { queue: 0, getEvent: 0, promote: 0, refused: 0 };
  beforePromote?: (input: PromotionInput) => void | Promise<void>;
  private clock = Date.UTC(2030, 0, 1, 9, 0, 0);

  constructor(
    readonly eventId: string,
    readonly definition: EventDefinition,
  ) {
    for (const workshop of definition.rounds.flatMap((round) => round.workshops)) {
      this.seats.set(workshop.id, { capacity: workshop.capacity, taken: 0 });
    }
  }

  /** A moment one second after the previous one: joins get distinct, increasing times. */
  tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private seat(workshopId: string): WorkshopSeats {
    const seats = this.seats.get(workshopId);
    if (!seats) throw new Error(`no workshop ${workshopId}`);
    return seats;
  }

  /** A confirmed registration holding these seats (refused beyond capacity, like registering). */
  register(id: string, choices: Choices): StoredRegistration {
    for (const workshopId of Object.values(choices)) {
      const seats = this.seat(workshopId);
      if (seats.taken >= seats.capacity) throw new Error(`${workshopId} is full`);
      seats.taken += 1;
    }
    const at = this.tick();
    const registration: StoredRegistration = {
      id,
      eventId: this.eventId,
      name: `Persoon ${id}`,
      email: `${id}@example.nl`,
      organisation: 'Gemeente',
      choices,
      status: 'confirmed',
      locale: 'nl',
      createdAt: at,
      updatedAt: at,
      version: 1,
      emailHash: `email-${id}`,
      manageTokenHash: `token-hash-${id}`,
    };
    this.registrations.set(id, registration);
    return registration;
  }

  /** A registration joins the list of `workshopId` in `roundId`, keeping the seat it holds there. */
  waitFor(registrationId: string, roundId: string, workshopId: string): WaitingEntry {
    const current = this.registrations.get(registrationId);
    if (!current) throw new Error(`no registration ${registrationId}`);
    const entry: WaitingEntry = {
      id: preferenceEntryId(registrationId, roundId),
      eventId: this.eventId,
      registrationId,
      kind: 'preference',
      wants: { [roundId]: [workshopId] },
      joinedAt: this.tick(),
    };
    this.entries.set(entry.id, entry);
    this.registrations.set(registrationId, {
      ...current,
      waitingFor: { ...current.waitingFor, [roundId]: [workshopId] },
      version: current.version + 1,
      updatedAt: entry.joinedAt,
    });
    return entry;
  }

  /** Someone without a seat signs up for a place, accepting these workshops per round. */
  waitForPlace(id: string, accepts: WaitingFor): WaitingEntry {
    const at = this.tick();
    this.registrations.set(id, {
      id,
      eventId: this.eventId,
      name: `Persoon ${id}`,
      email: `${id}@example.nl`,
      organisation: 'Gemeente',
      choices: {},
      waitingFor: accepts,
      status: 'waiting',
      locale: 'nl',
      createdAt: at,
      updatedAt: at,
      version: 1,
      emailHash: `email-${id}`,
      manageTokenHash: `token-hash-${id}`,
    });
    const entry: WaitingEntry = {
      id: placeEntryId(id),
      eventId: this.eventId,
      registrationId: id,
      kind: 'place',
      wants: accepts,
      joinedAt: at,
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  /** Cancels like the store: seats released, off every list, status and version. */
  cancel(registrationId: string): void {
    const current = this.registrations.get(registrationId);
    if (!current || current.status === 'cancelled') return;
    for (const workshopId of Object.values(current.choices)) this.seat(workshopId).taken -= 1;
    for (const entryId of entryIdsOf(current)) this.entries.delete(entryId);
    const { waitingFor: _waitingFor, ...rest } = current;
    this.registrations.set(registrationId, {
      ...rest,
      status: 'cancelled',
      version: current.version + 1,
      updatedAt: this.tick(),
    });
  }

  /** Someone registers directly into a free seat (outside any list). */
  takeSeat(workshopId: string): void {
    const seats = this.seat(workshopId);
    if (seats.taken >= seats.capacity) throw new Error(`${workshopId} is full`);
    seats.taken += 1;
  }

  /** Seats taken per workshop, for assertions. */
  taken(): Record<string, number> {
    return Object.fromEntries([...this.seats].map(([id, seats]) => [id, seats.taken]));
  }

  /** What must hold whatever happened: within capacity, taken = holders, entries ⟷ `waitingFor`. */
  violations(): string[] {
    const problems: string[] = [];
    const registrations = [...this.registrations.values()];
    for (const [workshopId, { capacity, taken }] of this.seats) {
      const holders = registrations.filter(
        (r) => r.status === 'confirmed' && Object.values(r.choices).includes(workshopId),
      ).length;
      if (taken > capacity) problems.push(`${workshopId}: ${taken} taken of ${capacity}`);
      if (taken !== holders) problems.push(`${workshopId}: ${taken} taken, ${holders} holders`);
    }
    const expected = new Set(registrations.filter((r) => r.status !== 'cancelled').flatMap(entryIdsOf));
    for (const id of this.entries.keys()) if (!expected.has(id)) problems.push(`entry ${id} without a wait`);
    for (const id of expected) if (!this.entries.has(id)) problems.push(`wait ${id} without an entry`);
    return problems;
  }

  async getEvent(eventId: string): Promise<EventWithSeats | undefined> {
    this.calls.getEvent += 1;
    await Promise.resolve();
    if (eventId !== this.eventId) return undefined;
    return {
      id: eventId,
      definition: this.definition,
      seats: new Map([...this.seats].map(([id, seats]) => [id, { ...seats }])),
    };
  }

  async getRegistration(registrationId: string): Promise<StoredRegistration | undefined> {
    await Promise.resolve();
    const registration = this.registrations.get(registrationId);
    return registration ? structuredClone(registration) : undefined;
  }

  async queue(eventId: string): Promise<WaitingEntry[]> {
    this.calls.queue += 1;
    await Promise.resolve();
    return [...this.entries.values()]
      .filter((entry) => entry.eventId === eventId)
      .map((entry) => structuredClone(entry))
      .sort(byQueueOrder);
  }

  async getEntry(eventId: string, entryId: string): Promise<WaitingEntry | undefined> {
    await Promise.resolve();
    const entry = this.entries.get(entryId);
    return entry && entry.eventId === eventId ? structuredClone(entry) : undefined;
  }

  async joinPreference(
    current: StoredRegistration,
    entry: WaitingEntry,
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration> {
    await Promise.resolve();
    this.checkUnchanged(current);
    if (this.entries.has(entry.id)) throw new AlreadyWaiting();
    const next: StoredRegistration = {
      ...current,
      waitingFor: { ...current.waitingFor, ...entry.wants },
      updatedAt: at,
      version: current.version + 1,
      confirmation: { kind: outbox.kind, state: outbox.state, attempts: outbox.attempts },
    };
    this.entries.set(entry.id, entry);
    this.registrations.set(current.id, next);
    this.outbox.push(outbox);
    return structuredClone(next);
  }

  async leavePreferences(
    current: StoredRegistration,
    roundIds: readonly string[],
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration> {
    await Promise.resolve();
    this.checkUnchanged(current);
    const remaining = Object.fromEntries(
      Object.entries(current.waitingFor ?? {}).filter(([roundId]) => !roundIds.includes(roundId)),
    );
    const { waitingFor: _waitingFor, ...rest } = current;
    const next: StoredRegistration = {
      ...rest,
      ...(Object.keys(remaining).length > 0 ? { waitingFor: remaining } : {}),
      updatedAt: at,
      version: current.version + 1,
      confirmation: { kind: outbox.kind, state: outbox.state, attempts: outbox.attempts },
    };
    for (const roundId of roundIds) this.entries.delete(preferenceEntryId(current.id, roundId));
    this.registrations.set(current.id, next);
    this.outbox.push(outbox);
    return structuredClone(next);
  }

  async promote(input: PromotionInput): Promise<StoredRegistration> {
    this.calls.promote += 1;
    await this.beforePromote?.(input);
    await Promise.resolve();
    const { entry, current, takes, at, manageTokenHash, outbox } = input;
    // Every condition is checked against the state before the transaction; a take that fails names it.
    const full = Object.values(takes).filter((workshopId) => {
      const seats = this.seats.get(workshopId);
      return !seats || seats.taken >= seats.capacity;
    });
    if (full.length > 0) {
      this.calls.refused += 1;
      throw new WorkshopFull({ workshopIds: full });
    }
    try {
      this.checkUnchanged(current);
      if (!this.entries.has(entry.id)) throw new RegistrationChanged();
    } catch (error) {
      this.calls.refused += 1;
      throw error;
    }
    for (const [roundId, workshopId] of Object.entries(takes)) {
      this.seat(workshopId).taken += 1;
      const held = entry.kind === 'preference' ? current.choices[roundId] : undefined;
      if (held) this.seat(held).taken -= 1;
    }
    const remaining = Object.fromEntries(
      Object.entries(current.waitingFor ?? {}).filter(([roundId]) => !(roundId in takes)),
    );
    const { waitingFor: _waitingFor, ...rest } = current;
    const next: StoredRegistration = {
      ...rest,
      ...(entry.kind === 'preference' && Object.keys(remaining).length > 0 ? { waitingFor: remaining } : {}),
      status: 'confirmed',
      choices: { ...current.choices, ...takes },
      manageTokenHash,
      updatedAt: at,
      version: current.version + 1,
      confirmation: { kind: outbox.kind, state: outbox.state, attempts: outbox.attempts },
    };
    this.registrations.set(current.id, next);
    this.entries.delete(entry.id);
    this.outbox.push(outbox);
    this.promoted.push(entry.id);
    return structuredClone(next);
  }

  async dropEntry(entry: WaitingEntry): Promise<void> {
    await Promise.resolve();
    this.entries.delete(entry.id);
    this.dropped.push(entry.id);
  }

  private checkUnchanged(current: StoredRegistration): void {
    const stored = this.registrations.get(current.id);
    if (!stored || stored.status !== current.status || stored.version !== current.version) {
      throw new RegistrationChanged();
    }
  }
}
