import type { EventDefinition } from '../../lambdas/domain/event-definition.js';

/** A two-round event; capacities by workshop id (round 1: a, b; round 2: c, d). */
export function faultEvent(capacities: { a: number; b: number; c: number; d: number }): EventDefinition {
  const workshop = (id: keyof typeof capacities) => ({
    id,
    title: `Workshop ${id.toUpperCase()}`,
    description: '',
    speakers: [],
    capacity: capacities[id],
  });
  return {
    title: 'Storingsdag',
    date: '2030-06-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      { id: '1', title: 'Ronde 1', workshops: [workshop('a'), workshop('b')] },
      { id: '2', title: 'Ronde 2', workshops: [workshop('c'), workshop('d')] },
    ],
  };
}

export const registrationBody = (n: number, choices: Record<string, string> = { '1': 'a', '2': 'c' }) => ({
  name: `Deelnemer ${n}`,
  email: `deelnemer${n}@example.nl`,
  organisation: 'Gemeente Storing',
  choices,
  consent: true,
});

let counter = 0;
/** A fresh event id per scenario, so that every scenario is checked on its own. */
export const freshEventId = (prefix: string) =>
  `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
