import { EventNotFound } from '../../domain/errors.js';
import type { EventDefinition } from '../../domain/event-definition.js';
import type { EventCatalog, EventRegistry } from '../../ports.js';

export type EventListItem = { id: string; title: string; date: string; timezone: string };

/** The events organisers can choose from (the registry of every event written), soonest date first. */
export async function listEvents(deps: {
  registry: Pick<EventRegistry, 'eventIds'>;
  events: Pick<EventCatalog, 'getEvent'>;
}): Promise<EventListItem[]> {
  const events = await Promise.all((await deps.registry.eventIds()).map((id) => deps.events.getEvent(id)));
  return events
    .flatMap((event) =>
      event
        ? [
            {
              id: event.id,
              title: event.definition.title,
              date: event.definition.date,
              timezone: event.definition.timezone,
            },
          ]
        : [],
    )
    .sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
}

/** An event's definition as stored, for the organisers' editor. */
export async function eventDefinition(
  eventId: string,
  deps: { events: Pick<EventCatalog, 'getEvent'> },
): Promise<EventDefinition> {
  const event = await deps.events.getEvent(eventId);
  if (!event) throw new EventNotFound();
  return event.definition;
}
