/**
 * The pure waiting-list rules (lambdas/domain/waiting-list.ts, docs/waiting-lists.md): who gets the free
 * seats, which seats they get, places in line, counts, and which entries no longer stand.
 */
import { describe, expect, it } from 'vitest';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import {
  byQueueOrder,
  entryIdsOf,
  entryStillWanted,
  type FreeSeats,
  firstPromotable,
  freeSeatsOf,
  placeEntryId,
  positionsOf,
  preferenceEntryId,
  seatsFor,
  type WaitingEntry,
  waitingCounts,
} from '../../lambdas/domain/waiting-list.js';

const free = (seats: Record<string, number>): FreeSeats => new Map(Object.entries(seats));

let joined = 0;
/** Entries join one second after another unless a time is given. */
function preference(registrationId: string, roundId: string, workshopId: string, joinedAt?: string) {
  joined += 1;
  return {
    id: preferenceEntryId(registrationId, roundId),
    eventId: 'dag',
    registrationId,
    kind: 'preference',
    wants: { [roundId]: [workshopId] },
    joinedAt: joinedAt ?? new Date(Date.UTC(2030, 0, 1, 9, 0, joined)).toISOString(),
  } satisfies WaitingEntry;
}

function place(registrationId: string, wants: Record<string, string[]>, joinedAt?: string): WaitingEntry {
  joined += 1;
  return {
    id: placeEntryId(registrationId),
    eventId: 'dag',
    registrationId,
    kind: 'place',
    wants,
    joinedAt: joinedAt ?? new Date(Date.UTC(2030, 0, 1, 9, 0, joined)).toISOString(),
  };
}

function registration(overrides: Partial<StoredRegistration> = {}): StoredRegistration {
  return {
    id: 'r1',
    eventId: 'dag',
    name: 'Anna',
    email: 'anna@example.nl',
    organisation: 'Gemeente',
    choices: { '1': 'b', '2': 'd' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2030-01-01T09:00:00.000Z',
    updatedAt: '2030-01-01T09:00:00.000Z',
    version: 1,
    emailHash: 'e',
    manageTokenHash: 't',
    ...overrides,
  };
}

describe('entry ids', () => {
  it('are deterministic: one preference per round, one place per registration', () => {
    expect(preferenceEntryId('r1', '2')).toBe('r1.2');
    expect(placeEntryId('r1')).toBe('r1.event');
  });

  it('entryIdsOf: a waiting registration has its place only, a confirmed one a preference per round', () => {
    expect(entryIdsOf({ id: 'r1', status: 'waiting', waitingFor: { '1': ['a', 'b'], '2': ['d'] } })).toEqual([
      'r1.event',
    ]);
    expect(entryIdsOf({ id: 'r1', status: 'confirmed', waitingFor: { '1': ['a'], '2': ['c'] } })).toEqual([
      'r1.1',
      'r1.2',
    ]);
    expect(entryIdsOf({ id: 'r1', status: 'confirmed' })).toEqual([]);
  });
});

describe('freeSeatsOf', () => {
  it('is capacity minus taken, never below zero (a lowered capacity)', () => {
    const seats = freeSeatsOf(
      new Map([
        ['a', { capacity: 3, taken: 1 }],
        ['b', { capacity: 1, taken: 1 }],
        ['c', { capacity: 1, taken: 4 }],
      ]),
    );
    expect(Object.fromEntries(seats)).toEqual({ a: 2, b: 0, c: 0 });
  });
});

describe('seatsFor', () => {
  it('a preference: its workshop when it has a free seat, otherwise nothing', () => {
    const entry = preference('r1', '1', 'a');
    expect(seatsFor(entry, free({ a: 1 }))).toEqual({ '1': 'a' });
    expect(seatsFor(entry, free({ a: 0, b: 5 }))).toBeUndefined();
    // A workshop that is not in the seat map (removed from the event) has no free seat.
    expect(seatsFor(entry, free({ b: 5 }))).toBeUndefined();
  });

  it('a place: per round the first accepted workshop in the person’s order that has a free seat', () => {
    const entry = place('r1', { '1': ['b', 'a', 'c'], '2': ['e', 'd'] });
    expect(seatsFor(entry, free({ a: 1, b: 1, c: 1, d: 1, e: 1 }))).toEqual({ '1': 'b', '2': 'e' });
    expect(seatsFor(entry, free({ a: 1, b: 0, c: 1, d: 1, e: 0 }))).toEqual({ '1': 'a', '2': 'd' });
    expect(seatsFor(entry, free({ a: 0, b: 0, c: 3, d: 2, e: 0 }))).toEqual({ '1': 'c', '2': 'd' });
  });

  it('a place needs every round: one round without a seat among what it accepts gives nothing', () => {
    const entry = place('r1', { '1': ['a', 'b'], '2': ['d'] });
    expect(seatsFor(entry, free({ a: 4, b: 4, d: 0, e: 9 }))).toBeUndefined();
    expect(seatsFor(entry, free({ a: 0, b: 0, d: 1 }))).toBeUndefined();
  });

  it('an entry that wants nothing takes nothing', () => {
    expect(seatsFor(place('r1', {}), free({ a: 1 }))).toBeUndefined();
  });
});

describe('firstPromotable', () => {
  it('promotes the head of the queue when the free seats satisfy it', () => {
    const queue = [preference('r1', '1', 'a'), preference('r2', '1', 'a')];
    expect(firstPromotable(queue, free({ a: 1 }))).toEqual({ entry: queue[0], takes: { '1': 'a' } });
  });

  it('skips heads the free seats cannot satisfy, who keep their place, and takes the first that can', () => {
    const queue = [
      preference('r1', '1', 'b'),
      place('r2', { '1': ['a'], '2': ['d'] }),
      preference('r3', '2', 'e'),
      preference('r4', '1', 'a'),
      preference('r5', '2', 'e'),
    ];
    // b is full (r1), d is full (r2 needs both rounds): r3 is the first that can use a free seat.
    const next = firstPromotable(queue, free({ a: 1, b: 0, d: 0, e: 1 }));
    expect(next).toEqual({ entry: queue[2], takes: { '2': 'e' } });
    // With d free as well, r2 comes first: a later entry never gets a seat an earlier one can use.
    expect(firstPromotable(queue, free({ a: 1, b: 0, d: 1, e: 1 }))?.entry).toBe(queue[1]);
  });

  it('finds nothing when no entry can be satisfied, or the queue is empty', () => {
    const queue = [preference('r1', '1', 'a'), place('r2', { '1': ['b'], '2': ['d'] })];
    expect(firstPromotable(queue, free({ a: 0, b: 1, d: 0 }))).toBeUndefined();
    expect(firstPromotable([], free({ a: 5 }))).toBeUndefined();
  });

  it('follows the order of the array it is given: sorting is the caller’s (byQueueOrder)', () => {
    const early = preference('r1', '1', 'a', '2030-01-01T09:00:00.000Z');
    const late = preference('r2', '1', 'a', '2030-01-01T10:00:00.000Z');
    const sorted = [late, early].sort(byQueueOrder);
    expect(firstPromotable(sorted, free({ a: 1 }))?.entry).toBe(early);
  });
});

describe('byQueueOrder', () => {
  it('orders by join time, and by entry id when two joined at the same moment', () => {
    const at = '2030-01-01T09:00:00.000Z';
    const entries = [
      preference('r9', '1', 'a', '2030-01-01T09:00:01.000Z'),
      preference('r2', '1', 'a', at),
      place('r1', { '1': ['a'] }, at),
      preference('r2', '2', 'c', at),
      preference('r0', '1', 'a', '2030-01-01T08:59:59.999Z'),
    ];
    expect([...entries].sort(byQueueOrder).map((entry) => entry.id)).toEqual([
      'r0.1',
      'r1.event',
      'r2.1',
      'r2.2',
      'r9.1',
    ]);
    expect(byQueueOrder(entries[1] as WaitingEntry, entries[1] as WaitingEntry)).toBe(0);
  });
});

describe('positionsOf', () => {
  it('counts the place in each workshop’s own line, 1-based', () => {
    const queue = [
      preference('r1', '1', 'a'),
      preference('r2', '1', 'b'),
      preference('r3', '1', 'a'),
      preference('r3', '2', 'd'),
    ];
    expect(positionsOf(queue, 'r3')).toEqual({ a: 2, d: 1 });
    expect(positionsOf(queue, 'r2')).toEqual({ b: 1 });
    expect(positionsOf(queue, 'nobody')).toEqual({});
  });

  it('counts a place entry in the line of every workshop it accepts, in every round', () => {
    const queue = [
      place('p1', { '1': ['a', 'b'], '2': ['d'] }),
      preference('r1', '1', 'b'),
      place('p2', { '1': ['b', 'c'], '2': ['d', 'e'] }),
      preference('r2', '2', 'e'),
    ];
    expect(positionsOf(queue, 'p1')).toEqual({ a: 1, b: 1, d: 1 });
    expect(positionsOf(queue, 'p2')).toEqual({ b: 3, c: 1, d: 2, e: 1 });
    expect(positionsOf(queue, 'r2')).toEqual({ e: 2 });
  });
});

describe('waitingCounts', () => {
  it('counts how many entries would accept each workshop, each entry once per workshop', () => {
    const queue = [
      place('p1', { '1': ['a', 'b'], '2': ['d'] }),
      preference('r1', '1', 'b'),
      place('p2', { '1': ['b', 'b'], '2': ['d', 'e'] }),
      preference('r2', '2', 'e'),
    ];
    expect(Object.fromEntries(waitingCounts(queue))).toEqual({ a: 1, b: 3, d: 2, e: 2 });
    expect(waitingCounts([]).size).toBe(0);
  });
});

describe('entryStillWanted', () => {
  const pref = preference('r1', '1', 'a');
  const waitingFor = { '1': ['a'] };

  it('a preference of a confirmed registration that lists it and holds another workshop in that round', () => {
    expect(entryStillWanted(pref, registration({ waitingFor }))).toBe(true);
  });

  it('not when the registration is missing, cancelled or anonymised', () => {
    expect(entryStillWanted(pref, undefined)).toBe(false);
    expect(entryStillWanted(pref, registration({ waitingFor, status: 'cancelled' }))).toBe(false);
    expect(
      entryStillWanted(
        pref,
        registration({ waitingFor, personalDataRemoved: { at: '2030-01-02T00:00:00Z', reason: 'request' } }),
      ),
    ).toBe(false);
  });

  it('not when the registration no longer lists the entry (it left that list)', () => {
    expect(entryStillWanted(pref, registration({ waitingFor: undefined }))).toBe(false);
    expect(entryStillWanted(pref, registration({ waitingFor: { '2': ['e'] } }))).toBe(false);
  });

  it('not when the preference already holds the workshop it waits for (changed to it meanwhile)', () => {
    expect(entryStillWanted(pref, registration({ waitingFor, choices: { '1': 'a', '2': 'd' } }))).toBe(false);
  });

  it('a place while its registration is waiting; not once it is confirmed', () => {
    const entry = place('r1', { '1': ['a', 'b'], '2': ['d'] });
    const waiting = registration({ status: 'waiting', choices: {}, waitingFor: entry.wants });
    expect(entryStillWanted(entry, waiting)).toBe(true);
    expect(
      entryStillWanted(entry, { ...waiting, status: 'confirmed', choices: { '1': 'a', '2': 'd' } }),
    ).toBe(false);
    // Even if a confirmed registration still showed a wait, a place entry is not one of its entries.
    expect(entryStillWanted(entry, { ...waiting, status: 'confirmed', waitingFor: { '1': ['a'] } })).toBe(
      false,
    );
  });

  it('not an index copy of an entry that was left and joined again for other workshops since', () => {
    expect(
      entryStillWanted(pref, registration({ waitingFor: { '1': ['b'] }, choices: { '1': 'c', '2': 'd' } })),
    ).toBe(false);
    const entry = place('r1', { '1': ['a', 'b'], '2': ['d'] });
    const rejoined = registration({ status: 'waiting', choices: {}, waitingFor: { '1': ['b'], '2': ['d'] } });
    expect(entryStillWanted(entry, rejoined)).toBe(false);
  });

  it('a preference of a registration that waits for a place is not one of its entries', () => {
    expect(entryStillWanted(pref, registration({ status: 'waiting', choices: {}, waitingFor }))).toBe(false);
  });
});
