import { afterEach, describe, expect, it } from 'vitest';
import { buildCalendar } from '../../lambdas/email/calendar.js';
import { sampleDefinition, sampleRegistration } from '../support/fakes.js';
import { parseCalendar } from '../support/ics.js';

const registration = sampleRegistration();

const timed = sampleDefinition({ startTime: '09:30', endTime: '16:30', venue: 'Stadhuis' });
const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe('calendar files (RFC 5545)', () => {
  it('writes DTSTAMP in UTC with Z, whatever time zone the server runs in', () => {
    // A server far from both UTC and the event: a stamp written in local fields would show it.
    process.env.TZ = 'America/New_York';
    const stamp = new Date('2030-03-05T07:08:09.000Z');
    const parsed = parseCalendar(
      buildCalendar({ event: timed, registration, kind: 'confirmation', sequence: 3, stamp }),
    );
    expect(parsed.dtstampRaw).toBe('DTSTAMP:20300305T070809Z');
    expect(parsed.dtstamp.toISOString()).toBe(stamp.toISOString());
  });

  it('keeps the UID, carries the SEQUENCE and the event time zone with its VTIMEZONE', () => {
    const first = parseCalendar(
      buildCalendar({ event: timed, registration, kind: 'confirmation', sequence: 1 }),
    );
    const later = parseCalendar(
      buildCalendar({
        event: { ...timed, startTime: '10:00' },
        registration,
        kind: 'change',
        sequence: 2,
      }),
    );
    expect(first.uid).toBe('reg-1@vol-is-vol');
    expect(later.uid).toBe(first.uid);
    expect([first.sequence, later.sequence]).toEqual([1, 2]);
    expect(later.startTzid).toBe('Europe/Amsterdam');
    expect(later.vtimezoneTzid).toBe('Europe/Amsterdam');
    expect(later.start).toBe('2030-09-12T10:00:00');
    expect(later.dtstampRaw).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
  });

  it('writes a UTC DTSTAMP in an all-day entry and a cancellation too', () => {
    const parsed = parseCalendar(
      buildCalendar({ event: sampleDefinition(), registration, kind: 'cancellation', sequence: 4 }),
    );
    expect(parsed.method).toBe('CANCEL');
    expect(parsed.status).toBe('CANCELLED');
    expect(parsed.sequence).toBe(4);
    expect(parsed.dtstampRaw).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
  });
});
