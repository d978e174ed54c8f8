import type { EventDefinition, WorkshopDefinition } from './event-definition.js';
import { type Choices, ownValue } from './registration.js';

/**
 * What a registration's confirmation showed that an event update changed (issue 16): the event's title, date,
 * start and end time and venue, and of each chosen workshop its title, speakers and notice. Workshops have no
 * time of their own in the definition: their time is the event's, so a changed start or end time names it.
 */
export type ProgrammeChange =
  | {
      scope: 'event';
      field: 'title' | 'date' | 'startTime' | 'endTime' | 'venue';
      from?: string;
      to?: string;
    }
  | {
      scope: 'workshop';
      workshopId: string;
      field: 'title' | 'speakers' | 'notice';
      from?: string;
      to?: string;
    };

const EVENT_FIELDS = ['title', 'date', 'startTime', 'endTime', 'venue'] as const;
const WORKSHOP_FIELDS = ['title', 'speakers', 'notice'] as const;

function workshopsById(definition: EventDefinition): Map<string, WorkshopDefinition> {
  return new Map(
    definition.rounds.flatMap((round) => round.workshops.map((workshop) => [workshop.id, workshop] as const)),
  );
}

const shown = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value || undefined;

/** The changes of the event itself, which concern every confirmed registration. */
export function eventChanges(before: EventDefinition, after: EventDefinition): ProgrammeChange[] {
  return EVENT_FIELDS.flatMap((field) => {
    const from = shown(before[field]);
    const to = shown(after[field]);
    return from === to ? [] : [{ scope: 'event' as const, field, from, to }];
  });
}

/** The changes a registration holding `choices` is told of: the event's, and those of its own workshops. */
export function changesFor(
  choices: Choices,
  before: EventDefinition,
  after: EventDefinition,
): ProgrammeChange[] {
  const old = workshopsById(before);
  const now = workshopsById(after);
  const held = Object.keys(choices).map((roundId) => ownValue(choices, roundId) ?? '');
  const workshopChanges = held.flatMap((workshopId) => {
    const was = old.get(workshopId);
    const is = now.get(workshopId);
    if (!was || !is) return [];
    return WORKSHOP_FIELDS.flatMap((field) => {
      const from = shown(was[field]);
      const to = shown(is[field]);
      return from === to ? [] : [{ scope: 'workshop' as const, workshopId, field, from, to }];
    });
  });
  return [...eventChanges(before, after), ...workshopChanges];
}
