import { EventNotFound } from '../domain/errors.js';
import { privacyStatementOf } from '../domain/event-definition.js';
import { registrationWindowStatus, seatsLeft, type WindowStatus } from '../domain/registration.js';
import { waitingCounts } from '../domain/waiting-list.js';
import type { Clock, EventCatalog, WaitingListStore } from '../ports.js';

export type PublicWorkshop = {
  id: string;
  title: string;
  description: string;
  speakers: string[];
  notice?: string;
  capacity: number;
  seatsLeft: number;
  full: boolean;
  /** How many waiting-list entries would accept this workshop. */
  waiting: number;
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
  deps: { events: EventCatalog; clock: Clock; waiting?: Pick<WaitingListStore, 'queue'> },
): Promise<PublicEvent> {
  const [event, queue] = await Promise.all([
    deps.events.getEvent(eventId),
    deps.waiting ? deps.waiting.queue(eventId) : Promise.resolve([]),
  ]);
  if (!event) throw new EventNotFound();
  const waiting = waitingCounts(queue);
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
          waiting: waiting.get(workshop.id) ?? 0,
        };
      }),
    })),
  };
}
