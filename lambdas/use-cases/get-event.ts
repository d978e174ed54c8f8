import { EventNotFound } from '../domain/errors.js';
import { privacyStatementOf } from '../domain/event-definition.js';
import { registrationWindowStatus, seatsLeft, type WindowStatus } from '../domain/registration.js';
import type { Clock, EventCatalog } from '../ports.js';

export type PublicWorkshop = {
  id: string;
  title: string;
  description: string;
  speakers: string[];
  notice?: string;
  capacity: number;
  seatsLeft: number;
  full: boolean;
};

export type PublicEvent = {
  id: string;
  title: string;
  date: string;
  timezone: string;
  venue?: string;
  description?: string;
  notice?: string;
  registration: { status: WindowStatus; opensAt?: string; closesAt?: string };
  privacy: { statementUrl: string; version: string; controller?: string };
  rounds: { id: string; title: string; workshops: PublicWorkshop[] }[];
};

export async function getPublicEvent(
  eventId: string,
  deps: { events: EventCatalog; clock: Clock },
): Promise<PublicEvent> {
  const event = await deps.events.getEvent(eventId);
  if (!event) throw new EventNotFound();
  const { definition } = event;
  return {
    id: event.id,
    title: definition.title,
    date: definition.date,
    timezone: definition.timezone,
    venue: definition.venue,
    description: definition.description,
    notice: definition.notice,
    registration: {
      status: registrationWindowStatus(definition, deps.clock.now()),
      opensAt: definition.registration.opensAt,
      closesAt: definition.registration.closesAt,
    },
    privacy: privacyStatementOf(definition),
    rounds: definition.rounds.map((round) => ({
      id: round.id,
      title: round.title,
      workshops: round.workshops.map((workshop) => {
        const seats = event.seats.get(workshop.id);
        const left = seatsLeft(seats);
        return {
          id: workshop.id,
          title: workshop.title,
          description: workshop.description,
          speakers: workshop.speakers,
          notice: workshop.notice,
          capacity: seats?.capacity ?? workshop.capacity,
          seatsLeft: left,
          full: left === 0,
        };
      }),
    })),
  };
}
