import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { MailKind } from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { Registration } from '../domain/registration.js';
import { ownValue } from '../domain/registration.js';

export type CalendarInput = {
  event: EventDefinition;
  registration: Registration;
  kind: MailKind;
  /** Grows with every change, so calendar clients replace the entry instead of adding one. */
  sequence: number;
  /** When the entry was written (DTSTAMP); now unless given. */
  stamp?: Date;
};

/** RFC 5545 3.8.7.2: DTSTAMP is a UTC date-time, `YYYYMMDDTHHMMSSZ`. */
export function utcStamp(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/**
 * An iCalendar (RFC 5545) entry for the conference day, with the chosen workshops in the description.
 * Times are the event's local wall-clock times with its TZID and a VTIMEZONE, so the entry is right in every
 * calendar whatever time zone the server runs in. Without a start time it is an all-day entry.
 */
export function buildCalendar({
  event,
  registration,
  kind,
  sequence,
  stamp = new Date(),
}: CalendarInput): string {
  const cancelled = kind === 'cancellation';
  const calendar = ical({
    prodId: { company: 'vol-is-vol', product: 'registration', language: registration.locale.toUpperCase() },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
    name: event.title,
  });
  const workshops = event.rounds.flatMap((round) => {
    const workshop = round.workshops.find(
      (candidate) => candidate.id === ownValue(registration.choices, round.id),
    );
    return workshop ? [`${round.title}: ${workshop.title}`] : [];
  });
  const common = {
    id: `${registration.id}@vol-is-vol`,
    sequence,
    summary: event.title,
    description: workshops.join('\n'),
    location: event.venue,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  };
  if (event.startTime) {
    calendar.timezone({ name: event.timezone, generator: getVtimezoneComponent });
    calendar.createEvent({
      ...common,
      timezone: event.timezone,
      start: `${event.date}T${event.startTime}:00`,
      end: `${event.date}T${event.endTime ?? '23:59'}:00`,
    });
  } else {
    calendar.createEvent({ ...common, allDay: true, start: event.date });
  }
  // ical-generator writes DTSTAMP in the calendar's time zone without `Z` (and with the server's clock fields),
  // which RFC 5545 does not allow: the stamp is always UTC.
  return calendar.toString().replace(/^DTSTAMP:[^\r\n]*/m, `DTSTAMP:${utcStamp(stamp)}`);
}
