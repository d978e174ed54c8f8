import ICAL from 'ical.js';
import type { StoredEmail } from './mail.js';

/** What the tests check of a calendar file, read back by a maintained parser (ical.js). */
export type ParsedCalendar = {
  method: string | undefined;
  uid: string;
  sequence: number;
  /** DTSTAMP as written (to check its form) and as an instant. */
  dtstampRaw: string;
  dtstamp: Date;
  startTzid: string | undefined;
  start: string;
  vtimezoneTzid: string | undefined;
  status: string | undefined;
  description: string;
};

export function parseCalendar(ics: string): ParsedCalendar {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT');
  const event = new ICAL.Event(vevent);
  const stampLine = ics.split(/\r?\n/).find((line) => line.startsWith('DTSTAMP'));
  const stamp = vevent.getFirstPropertyValue('dtstamp') as ICAL.Time;
  return {
    method: (calendar.getFirstPropertyValue('method') as string | null) ?? undefined,
    uid: event.uid,
    sequence: event.sequence,
    dtstampRaw: stampLine ?? '',
    dtstamp: stamp.toJSDate(),
    startTzid: (vevent.getFirstProperty('dtstart')?.getParameter('tzid') as string | undefined) ?? undefined,
    start: event.startDate.toString(),
    vtimezoneTzid:
      (calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid') as string | undefined) ??
      undefined,
    status: (vevent.getFirstPropertyValue('status') as string | null) ?? undefined,
    description: event.description,
  };
}

/** The calendar file attached to an email the local SES stored (an empty text when there is none). */
export function calendarOf(email: StoredEmail | undefined): ParsedCalendar {
  const attachment = email?.attachments.find((file) => file.filename?.endsWith('.ics'));
  return parseCalendar(Buffer.from(attachment?.content ?? '', 'base64').toString('utf8'));
}
