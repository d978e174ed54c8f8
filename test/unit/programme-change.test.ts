import { describe, expect, it } from 'vitest';
import { changesFor, eventChanges } from '../../lambdas/domain/programme-change.js';
import { sampleDefinition } from '../support/fakes.js';

const before = sampleDefinition({ startTime: '09:30', venue: 'Stadhuis' });
const withWorkshop = (id: string, change: Record<string, unknown>) => ({
  ...before,
  rounds: before.rounds.map((round) => ({
    ...round,
    workshops: round.workshops.map((w) => (w.id === id ? { ...w, ...change } : w)),
  })),
});

describe('programme changes per registration', () => {
  it('names only the workshops the registration holds', () => {
    const after = withWorkshop('a', { title: 'A nieuw', notice: 'Andere zaal' });
    expect(changesFor({ '1': 'a', '2': 'c' }, before, after)).toEqual([
      { scope: 'workshop', workshopId: 'a', field: 'title', from: 'A', to: 'A nieuw' },
      { scope: 'workshop', workshopId: 'a', field: 'notice', from: undefined, to: 'Andere zaal' },
    ]);
    expect(changesFor({ '1': 'b', '2': 'c' }, before, after)).toEqual([]);
  });

  it('tells everyone of the event’s own changes, and nobody of what a confirmation does not show', () => {
    const after = { ...before, startTime: '10:00', venue: 'Raadhuis', description: 'Nieuwe omschrijving' };
    expect(eventChanges(before, after).map((change) => change.field)).toEqual(['startTime', 'venue']);
    expect(changesFor({ '1': 'b' }, before, after)).toHaveLength(2);
    // Capacity and description are not on the confirmation.
    expect(changesFor({ '1': 'a' }, before, withWorkshop('a', { capacity: 99, description: 'x' }))).toEqual(
      [],
    );
  });

  it('compares speakers as the list the confirmation showed', () => {
    const after = withWorkshop('c', { speakers: ['Spreker C', 'Spreker D'] });
    expect(changesFor({ '2': 'c' }, before, after)).toEqual([
      {
        scope: 'workshop',
        workshopId: 'c',
        field: 'speakers',
        from: 'Spreker C',
        to: 'Spreker C, Spreker D',
      },
    ]);
  });
});
