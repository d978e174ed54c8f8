import { describe, expect, it } from 'vitest';
import { type AdminRegistration, toAdminRegistration } from '../../lambdas/domain/admin-registration.js';
import { EventNotFound, ValidationFailed, WorkshopInUse } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import type { EventWithSeats } from '../../lambdas/domain/registration.js';
import type {
  AuditEntry,
  AuditLog,
  EventCatalog,
  IndexedRegistration,
  RegistrationIndex,
} from '../../lambdas/ports.js';
import { foldText } from '../../lambdas/use-cases/admin/admin-registration.js';
import { checkSeatCounters } from '../../lambdas/use-cases/admin/check-seat-counters.js';
import { eventSummary } from '../../lambdas/use-cases/admin/event-summary.js';
import { exportRegistrations } from '../../lambdas/use-cases/admin/export-registrations.js';
import { listRegistrations } from '../../lambdas/use-cases/admin/list-registrations.js';
import { describeChanges, putEvent, workshopsStillInUse } from '../../lambdas/use-cases/admin/put-event.js';
import { fixedClock, sampleDefinition } from '../support/fakes.js';

class FakeCatalog implements EventCatalog {
  readonly events = new Map<string, EventWithSeats>();

  async getEvent(eventId: string) {
    return this.events.get(eventId);
  }

  async getDefinition(eventId: string) {
    return this.events.get(eventId)?.definition;
  }

  async putEventDefinition(eventId: string, definition: EventDefinition) {
    const seats = new Map(this.events.get(eventId)?.seats ?? []);
    for (const workshop of definition.rounds.flatMap((round) => round.workshops)) {
      seats.set(workshop.id, { capacity: workshop.capacity, taken: seats.get(workshop.id)?.taken ?? 0 });
    }
    this.events.set(eventId, { id: eventId, definition, seats });
  }

  setTaken(eventId: string, workshopId: string, taken: number) {
    const seats = this.events.get(eventId)?.seats.get(workshopId);
    if (seats) seats.taken = taken;
  }
}

class FakeIndex implements RegistrationIndex {
  registrations: AdminRegistration[] = [];
  reads = 0;

  async *registrationsOf(
    _eventId: string,
    options: { after?: string } = {},
  ): AsyncGenerator<IndexedRegistration> {
    const sorted = this.registrations
      .map((registration) => ({ position: `${registration.createdAt}#${registration.id}`, registration }))
      .sort((a, b) => (a.position < b.position ? -1 : 1))
      .filter((entry) => options.after === undefined || entry.position > options.after);
    for (const entry of sorted) {
      this.reads++;
      yield entry;
    }
  }
}

class FakeAudit implements AuditLog {
  readonly entries_: AuditEntry[] = [];
  async append(entry: AuditEntry) {
    this.entries_.push(entry);
  }
  async entries() {
    return { items: [...this.entries_].reverse() };
  }
}

function registration(n: number, overrides: Partial<AdminRegistration> = {}): AdminRegistration {
  return {
    id: `r${String(n).padStart(3, '0')}`,
    eventId: 'testdag',
    name: `Persoon ${n}`,
    email: `persoon${n}@example.nl`,
    organisation: n % 2 ? 'Gemeente Oss' : 'Provincie Gelderland',
    choices: { '1': n % 3 === 0 ? 'b' : 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    // Ten registrations per millisecond: the id breaks ties.
    createdAt: new Date(Date.UTC(2030, 0, 1, 9, 0, 0, Math.floor(n / 10))).toISOString(),
    updatedAt: '2030-01-01T09:00:00.000Z',
    ...overrides,
  };
}

const actor = { sub: 'sub-1', username: 'anna' };

async function setup(count = 0) {
  const events = new FakeCatalog();
  await events.putEventDefinition('testdag', sampleDefinition());
  const index = new FakeIndex();
  index.registrations = Array.from({ length: count }, (_, n) => registration(n));
  return { events, index };
}

describe('admin: listing', () => {
  it('pages in (createdAt, id) order: every item once, last page without a next position', async () => {
    const { events, index } = await setup(95);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listRegistrations(
        { eventId: 'testdag', filter: {}, limit: 7, after },
        { events, index },
      );
      seen.push(...page.items.map((item) => item.id));
      after = page.nextPosition;
      pages++;
    } while (after);
    expect(pages).toBe(Math.ceil(95 / 7));
    expect(seen).toEqual(index.registrations.map((r) => r.id).sort());
  });

  it('never ends on an empty page when the last items do not match', async () => {
    const { events, index } = await setup(30);
    index.registrations[3] = { ...index.registrations[3], status: 'cancelled' } as AdminRegistration;
    index.registrations[5] = { ...index.registrations[5], status: 'cancelled' } as AdminRegistration;
    const first = await listRegistrations(
      { eventId: 'testdag', filter: { status: 'cancelled' }, limit: 1 },
      { events, index },
    );
    expect(first.items.map((item) => item.id)).toEqual(['r003']);
    const second = await listRegistrations(
      { eventId: 'testdag', filter: { status: 'cancelled' }, limit: 1, after: first.nextPosition },
      { events, index },
    );
    expect(second.items.map((item) => item.id)).toEqual(['r005']);
    expect(second.nextPosition).toBeUndefined();
  });

  it('filters by workshop in any round, status and folded text', async () => {
    const { events, index } = await setup(12);
    index.registrations.push(registration(99, { name: 'Zoë Çelik' }));
    const list = (filter: object) =>
      listRegistrations({ eventId: 'testdag', filter, limit: 500 }, { events, index }).then((page) =>
        page.items.map((item) => item.id),
      );
    expect(await list({ workshopId: 'b' })).toEqual(['r000', 'r003', 'r006', 'r009', 'r099']);
    expect(await list({ workshopId: 'c' })).toHaveLength(13);
    expect(await list({ q: 'ZOE celik' })).toEqual(['r099']);
    expect(await list({ q: 'provincie' })).toHaveLength(6);
    expect(await list({ q: 'PERSOON1@' })).toEqual(['r001']);
    expect(foldText('Ĳsselmonde Çelik')).toBe('ĳsselmonde celik');
  });

  it('refuses an unknown event and an unknown workshop', async () => {
    const { events, index } = await setup();
    await expect(
      listRegistrations({ eventId: 'nope', filter: {}, limit: 5 }, { events, index }),
    ).rejects.toBeInstanceOf(EventNotFound);
    await expect(
      listRegistrations({ eventId: 'testdag', filter: { workshopId: 'zz' }, limit: 5 }, { events, index }),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('shows every stored field except keys, hashes and counters', () => {
    const view = toAdminRegistration({
      pk: 'REG#1',
      sk: 'META',
      gsi1pk: 'x',
      gsi1sk: 'y',
      type: 'registration',
      version: 3,
      emailHash: 'h',
      manageTokenHash: 'h',
      id: '1',
      name: 'Anna',
      confirmation: { state: 'sent', attempts: 1 },
    });
    expect(view).toEqual({ id: '1', name: 'Anna', confirmation: { state: 'sent', attempts: 1 } });
  });

  it('exports an attendance list: confirmed holders only, sorted the Dutch way', async () => {
    const { events, index } = await setup();
    index.registrations = [
      registration(1, { name: 'Zoë Çelik' }),
      registration(2, { name: 'anna de Vries' }),
      registration(4, { name: 'Älva Bos' }),
      registration(5, { name: 'Bert', status: 'cancelled' }),
      registration(3, { name: 'Carla' }),
    ];
    const result = await exportRegistrations({ eventId: 'testdag', workshopId: 'a' }, { events, index });
    expect(result.registrations.map((r) => r.name)).toEqual(['Älva Bos', 'anna de Vries', 'Zoë Çelik']);
    const all = await exportRegistrations({ eventId: 'testdag' }, { events, index });
    expect(all.registrations.map((r) => r.id)).toEqual(['r001', 'r002', 'r003', 'r004', 'r005']);
  });
});

describe('admin: summary and the seat counter check', () => {
  it('counts confirmed holders per workshop next to the counters', async () => {
    const { events, index } = await setup(6);
    index.registrations.push(registration(50, { status: 'cancelled' }));
    Object.assign(index.registrations[0] ?? {}, {
      confirmation: { kind: 'confirmation', state: 'failed', attempts: 10 },
    });
    Object.assign(index.registrations[1] ?? {}, {
      confirmation: { kind: 'confirmation', state: 'pending', attempts: 1 },
    });
    Object.assign(index.registrations[2] ?? {}, { emailState: 'bounced' });
    Object.assign(index.registrations[3] ?? {}, { emailState: 'complained' });
    events.setTaken('testdag', 'a', 4);
    events.setTaken('testdag', 'b', 2);
    events.setTaken('testdag', 'c', 5);
    const summary = await eventSummary('testdag', { events, index });
    expect(summary.totals).toEqual({
      registrations: 7,
      waiting: 0,
      confirmed: 6,
      cancelled: 1,
      emailsPending: 1,
      emailsFailed: 1,
      emailsBounced: 1,
      emailsComplained: 1,
    });
    expect(summary.workshops.map((w) => [w.workshopId, w.taken, w.holders, w.consistent])).toEqual([
      ['a', 4, 4, true],
      ['b', 2, 2, true],
      ['c', 5, 6, false],
    ]);
    expect(summary.consistent).toBe(false);
    expect(summary.rounds.map((round) => round.workshops.length)).toEqual([2, 1]);
  });

  it('reports a drift only when it is still there after the pause', async () => {
    const { events, index } = await setup(3);
    events.setTaken('testdag', 'a', 2);
    events.setTaken('testdag', 'b', 1);
    events.setTaken('testdag', 'c', 3);
    const registry = { add: async () => undefined, eventIds: async () => ['testdag', 'vanished'] };

    // An in-flight registration: the counter is ahead of the index for a moment.
    events.setTaken('testdag', 'c', 4);
    const transient = await checkSeatCounters({
      registry,
      events,
      index,
      recheckDelayMs: 5,
      sleep: async () => {
        index.registrations.push(registration(7, { choices: { '1': 'a', '2': 'c' } }));
        events.setTaken('testdag', 'a', 3);
      },
    });
    expect(transient).toEqual({ eventsChecked: 1, drifts: [], failedEventIds: [] });

    events.setTaken('testdag', 'b', 9);
    const lasting = await checkSeatCounters({
      registry,
      events,
      index,
      recheckDelayMs: 5,
      sleep: async () => undefined,
    });
    expect(lasting.drifts).toEqual([{ eventId: 'testdag', workshopId: 'b', taken: 9, holders: 1 }]);
  });
});

describe('admin: putting an event', () => {
  it('creates, then updates, and audits capacity changes without texts or people', async () => {
    const events = new FakeCatalog();
    const audit = new FakeAudit();
    const registry = new Set<string>();
    let id = 0;
    const deps = {
      events,
      audit,
      registry: {
        add: async (eventId: string) => void registry.add(eventId),
        eventIds: async () => [...registry],
      },
      clock: fixedClock(),
      ids: { newId: () => `audit-${++id}` },
    };
    const created = await putEvent({ eventId: 'testdag', definition: sampleDefinition(), actor }, deps);
    expect(created.created).toBe(true);
    expect(created.event.rounds[0]?.workshops[0]).toMatchObject({ id: 'a', capacity: 2, seatsLeft: 2 });
    expect(registry).toEqual(new Set(['testdag']));

    const bigger = sampleDefinition();
    bigger.rounds[0]?.workshops.splice(1, 1, {
      id: 'd',
      title: 'D',
      description: '',
      speakers: [],
      capacity: 4,
    });
    const firstWorkshop = bigger.rounds[0]?.workshops[0];
    if (firstWorkshop) firstWorkshop.capacity = 6;
    const updated = await putEvent({ eventId: 'testdag', definition: bigger, actor }, deps);
    expect(updated.created).toBe(false);
    expect(audit.entries_.map((entry) => entry.action)).toEqual(['event.created', 'event.updated']);
    expect(audit.entries_[1]).toMatchObject({
      id: 'audit-2',
      at: '2030-01-01T10:00:00.000Z',
      actor,
      eventId: 'testdag',
      details: {
        capacityChanges: [{ workshopId: 'a', from: 2, to: 6 }],
        addedWorkshops: ['d'],
        removedWorkshops: ['b'],
      },
    });
  });

  it('refuses to remove or move a workshop that registrations hold', async () => {
    const events = new FakeCatalog();
    await events.putEventDefinition('testdag', sampleDefinition());
    const existing = await events.getEvent('testdag');
    if (!existing) throw new Error('no event');
    existing.seats.set('b', { capacity: 1, taken: 1 });

    const withoutB = sampleDefinition();
    withoutB.rounds[0]?.workshops.pop();
    expect(workshopsStillInUse(existing, withoutB)).toEqual(['b']);

    const moved = sampleDefinition();
    const b = moved.rounds[0]?.workshops.pop();
    if (b) moved.rounds[1]?.workshops.push(b);
    expect(workshopsStillInUse(existing, moved)).toEqual(['b']);

    // Workshop a has no registrations: removing it is fine.
    const withoutA = sampleDefinition();
    withoutA.rounds[0]?.workshops.shift();
    expect(workshopsStillInUse(existing, withoutA)).toEqual([]);

    const deps = {
      events,
      audit: new FakeAudit(),
      registry: { add: async () => undefined, eventIds: async () => [] },
      clock: fixedClock(),
      ids: { newId: () => 'x' },
    };
    const error = await putEvent({ eventId: 'testdag', definition: withoutB, actor }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(WorkshopInUse);
    expect(error.details).toEqual({ workshopIds: ['b'] });
    expect(deps.audit.entries_).toEqual([]);
    expect(describeChanges(undefined, sampleDefinition())).toMatchObject({ rounds: ['1', '2'] });
  });
});
