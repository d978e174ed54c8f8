import { checkedInAt, isAfterEventDay, wasPresent } from '../../domain/check-in.js';
import { privacyStatementOf } from '../../domain/event-definition.js';
import { personalDataExpiry } from '../../domain/privacy.js';
import { seatsLeft } from '../../domain/registration.js';
import { waitingCounts } from '../../domain/waiting-list.js';
import type { CheckInStore, Clock, EventCatalog, RegistrationIndex, WaitingListStore } from '../../ports.js';
import { loadEvent } from '../registration-steps.js';
import { checkInsByRegistration } from './check-in.js';

export type WorkshopSummary = {
  /** The workshop id, also as `workshopId`. */
  id: string;
  workshopId: string;
  roundId: string;
  title: string;
  capacity: number;
  /** The seat counter. */
  taken: number;
  seatsLeft: number;
  /** Confirmed registrations holding this workshop, counted from the event's index. */
  holders: number;
  /** The same count as `holders`, under the contract's words: confirmed registrations holding it. */
  confirmed: number;
  /** `taken === holders`. */
  consistent: boolean;
  /** Waiting-list entries that would accept this workshop. */
  waiting: number;
  /** Holders checked in at this workshop (when check-ins are read). */
  present?: number;
  /** After the event day: holders not checked in at this workshop. */
  noShows?: number;
};

export type EventSummary = {
  eventId: string;
  title: string;
  /** Every workshop consistent. */
  consistent: boolean;
  totals: {
    registrations: number;
    confirmed: number;
    cancelled: number;
    /** Registrations whose latest email is still on its way, or gave up (see each registration's `confirmation`). */
    emailsPending: number;
    emailsFailed: number;
    /** Registrations whose address bounced for good, or who marked an email as spam (`emailState`). */
    emailsBounced: number;
    emailsComplained: number;
    /** Confirmed registrations checked in anywhere (when check-ins are read). */
    present?: number;
    /** After the event day: confirmed registrations checked in nowhere. */
    noShows?: number;
  };
  /** When personal data goes: `retentionDays` after the event (or after a later registration). */
  retention: { retentionDays: number; personalDataRemovedFrom: string };
  rounds: { id: string; title: string; workshops: WorkshopSummary[] }[];
  /** The same workshops as in `rounds`, as one list. */
  workshops: WorkshopSummary[];
};

/**
 * Seat counters next to the registrations that hold them. The counters are read strongly consistent; the
 * registrations come from the event index, which trails writes by a moment, so a workshop can look
 * inconsistent for the second a registration is in flight (the scheduled check looks twice before alerting).
 */
export async function eventSummary(
  eventId: string,
  deps: {
    events: EventCatalog;
    index: RegistrationIndex;
    waiting?: Pick<WaitingListStore, 'queue'>;
    /** With these, attendance: who is present, and after the event day who did not come. */
    attendance?: { checkIns: Pick<CheckInStore, 'checkInsAt'>; clock: Clock };
  },
): Promise<EventSummary> {
  const event = await loadEvent(deps.events, eventId);
  const checkIns = deps.attendance
    ? await checkInsByRegistration(eventId, deps.attendance.checkIns)
    : undefined;
  const present = new Map<string, number>();
  let presentTotal = 0;
  // The scheduled seat check needs no waiting counts and has no access to the queues.
  const waiting = waitingCounts(deps.waiting ? await deps.waiting.queue(eventId) : []);

  const holders = new Map<string, number>();
  const totals = {
    registrations: 0,
    confirmed: 0,
    cancelled: 0,
    /** Signed up for a place on the waiting list, without seats yet. */
    waiting: 0,
    emailsPending: 0,
    emailsFailed: 0,
    emailsBounced: 0,
    emailsComplained: 0,
  };
  for await (const { registration } of deps.index.registrationsOf(eventId, { pageSizeHint: 1000 })) {
    totals.registrations++;
    const delivery = (registration as { confirmation?: { state?: string } }).confirmation?.state;
    if (delivery === 'pending') totals.emailsPending++;
    if (delivery === 'failed') totals.emailsFailed++;
    if (registration.emailState === 'bounced') totals.emailsBounced++;
    if (registration.emailState === 'complained') totals.emailsComplained++;
    if (registration.status === 'cancelled') {
      totals.cancelled++;
      continue;
    }
    if (registration.status === 'waiting') totals.waiting++;
    if (registration.status !== 'confirmed') continue;
    totals.confirmed++;
    const record = checkIns?.get(registration.id);
    if (wasPresent(record)) presentTotal++;
    for (const workshopId of new Set(Object.values(registration.choices ?? {}))) {
      holders.set(workshopId, (holders.get(workshopId) ?? 0) + 1);
      if (checkedInAt(record, { kind: 'workshop', workshopId }))
        present.set(workshopId, (present.get(workshopId) ?? 0) + 1);
    }
  }

  const afterTheDay = deps.attendance
    ? isAfterEventDay(event.definition, deps.attendance.clock.now())
    : false;
  const rounds = event.definition.rounds.map((round) => ({
    id: round.id,
    title: round.title,
    workshops: round.workshops.map((workshop): WorkshopSummary => {
      const seats = event.seats.get(workshop.id);
      const taken = seats?.taken ?? 0;
      const held = holders.get(workshop.id) ?? 0;
      return {
        id: workshop.id,
        workshopId: workshop.id,
        roundId: round.id,
        title: workshop.title,
        capacity: seats?.capacity ?? workshop.capacity,
        taken,
        seatsLeft: seatsLeft(seats),
        holders: held,
        confirmed: held,
        consistent: taken === held,
        waiting: waiting.get(workshop.id) ?? 0,
        ...(checkIns ? attendanceOf(held, present.get(workshop.id) ?? 0, afterTheDay) : {}),
      };
    }),
  }));
  const workshops = rounds.flatMap((round) => round.workshops);
  return {
    eventId,
    title: event.definition.title,
    consistent: workshops.every((workshop) => workshop.consistent),
    totals: { ...totals, ...(checkIns ? attendanceOf(totals.confirmed, presentTotal, afterTheDay) : {}) },
    retention: {
      retentionDays: privacyStatementOf(event.definition).retentionDays,
      // Registrations made after the event day keep their data the full period from their own date.
      personalDataRemovedFrom: personalDataExpiry(event.definition, '1970-01-01T00:00:00Z').toISOString(),
    },
    rounds,
    workshops,
  };
}

/** Who came of those expected; who did not only once the day is over (until then they may still come). */
function attendanceOf(expected: number, present: number, afterTheDay: boolean) {
  return { present, ...(afterTheDay ? { noShows: Math.max(0, expected - present) } : {}) };
}
