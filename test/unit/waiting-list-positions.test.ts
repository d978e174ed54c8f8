import { describe, expect, it } from 'vitest';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { positionsOf, type WaitingEntry, withOwnEntries } from '../../lambdas/domain/waiting-list.js';

const entry = (
  id: string,
  registrationId: string,
  wants: Record<string, string[]>,
  joinedAt: string,
): WaitingEntry => ({
  id,
  eventId: 'dag',
  registrationId,
  kind: id.endsWith('.event') ? 'place' : 'preference',
  wants,
  joinedAt,
});

const registration = (overrides: Partial<StoredRegistration>): StoredRegistration => ({
  id: 'me',
  eventId: 'dag',
  name: 'Anna',
  email: 'anna@example.nl',
  organisation: 'Gemeente',
  choices: { '1': 'b' },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2030-01-01T10:00:00.000Z',
  updatedAt: '2030-01-01T10:05:00.000Z',
  version: 2,
  emailHash: 'h',
  manageTokenHash: 't',
  ...overrides,
});

describe('places in line while the queue index lags', () => {
  const queue = [
    entry('x.1', 'x', { '1': ['a'] }, '2030-01-01T10:01:00.000Z'),
    entry('y.event', 'y', { '1': ['a', 'c'], '2': ['d'] }, '2030-01-01T10:02:00.000Z'),
    entry('z.1', 'z', { '1': ['a'] }, '2030-01-01T10:09:00.000Z'),
  ];

  it('places a list joined a moment ago (not yet in the index) at the time of the latest change', () => {
    const me = registration({ waitingFor: { '1': ['a'] } });
    expect(positionsOf(queue, me.id)).toEqual({});
    expect(positionsOf(withOwnEntries(queue, me), me.id)).toEqual({ a: 3 });
  });

  it('keeps the indexed entry when it is there, and reconstructs a place at the event with every round', () => {
    const indexed = [entry('me.1', 'me', { '1': ['a'] }, '2030-01-01T10:00:30.000Z'), ...queue];
    const me = registration({ waitingFor: { '1': ['a'] } });
    expect(positionsOf(withOwnEntries(indexed, me), me.id)).toEqual({ a: 1 });

    const waiting = registration({
      status: 'waiting',
      choices: {},
      waitingFor: { '1': ['c', 'a'], '2': ['d'] },
    });
    expect(positionsOf(withOwnEntries(queue, waiting), waiting.id)).toEqual({ c: 2, a: 3, d: 2 });
  });
});
