import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type { EventWithSeats } from '../../lambdas/domain/registration.js';
import type {
  Clock,
  EventCatalog,
  NewRegistration,
  RegistrationStore,
  SecretSource,
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

export const fixedClock = (iso = '2030-01-01T10:00:00.000Z'): Clock => ({ now: () => new Date(iso) });

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
    const full = Object.values(input.registration.choices).filter((id) => {
      const seats = event.seats.get(id);
      return !seats || seats.taken >= seats.capacity;
    });
    if (full.length > 0) throw new WorkshopFull({ workshopIds: full });
    const guard = `${input.registration.eventId}#${input.emailHash}`;
    if (this.emailGuards.has(guard)) throw new AlreadyRegistered();
    for (const id of Object.values(input.registration.choices)) {
      const seats = event.seats.get(id);
      if (seats) seats.taken += 1;
    }
    this.emailGuards.add(guard);
    this.registrations.push(input);
  }
}
