import { describe, expect, it } from 'vitest';
import { daysBefore, dueReminders, reminderDaysOf } from '../../lambdas/domain/reminders.js';
import { sampleDefinition } from '../support/fakes.js';

const at = (iso: string) => new Date(iso);

describe('reminder due dates', () => {
  it('defaults to one reminder two days before; [] means none', () => {
    expect(reminderDaysOf(sampleDefinition())).toEqual([2]);
    expect(reminderDaysOf(sampleDefinition({ reminders: { daysBefore: [] } }))).toEqual([]);
    expect(reminderDaysOf(sampleDefinition({ reminders: { daysBefore: [7, 1] } }))).toEqual([7, 1]);
  });

  it('is due from 09:00 event time on the day, not before and not on other days', () => {
    const event = sampleDefinition({ date: '2030-09-12', reminders: { daysBefore: [7, 1] } });
    // Amsterdam in September is UTC+2: 09:00 local is 07:00 UTC.
    expect(dueReminders(event, at('2030-09-11T06:59:00Z'))).toEqual([]);
    expect(dueReminders(event, at('2030-09-11T07:00:00Z'))).toEqual([1]);
    expect(dueReminders(event, at('2030-09-11T21:59:00Z'))).toEqual([1]);
    // 00:00 on the 12th in Amsterdam: the event day, no reminder any more.
    expect(dueReminders(event, at('2030-09-11T22:00:00Z'))).toEqual([]);
    expect(dueReminders(event, at('2030-09-05T07:00:00Z'))).toEqual([7]);
    expect(dueReminders(event, at('2030-09-10T12:00:00Z'))).toEqual([]);
  });

  it('stays at 09:00 local time when summer time starts or ends in between', () => {
    // Summer time starts on 31 March 2030 in Europe: the reminder day before it is in winter time (UTC+1).
    const spring = sampleDefinition({ date: '2030-04-01', reminders: { daysBefore: [2] } });
    expect(daysBefore('2030-04-01', 2)).toBe('2030-03-30');
    expect(dueReminders(spring, at('2030-03-30T07:59:00Z'))).toEqual([]);
    expect(dueReminders(spring, at('2030-03-30T08:00:00Z'))).toEqual([2]);
    // Summer time ends on 27 October 2030: the reminder day after it is in winter time again.
    const autumn = sampleDefinition({ date: '2030-10-29', reminders: { daysBefore: [1] } });
    expect(dueReminders(autumn, at('2030-10-28T07:59:00Z'))).toEqual([]);
    expect(dueReminders(autumn, at('2030-10-28T08:00:00Z'))).toEqual([1]);
    // The day of the change itself: 09:00 on 27 October is 08:00 UTC (already winter time).
    const onTheDay = sampleDefinition({ date: '2030-10-28', reminders: { daysBefore: [1] } });
    expect(dueReminders(onTheDay, at('2030-10-27T07:59:00Z'))).toEqual([]);
    expect(dueReminders(onTheDay, at('2030-10-27T08:00:00Z'))).toEqual([1]);
  });

  it('reads the day in the event time zone, not the server’s', () => {
    const tokyo = sampleDefinition({
      date: '2030-06-10',
      timezone: 'Asia/Tokyo',
      reminders: { daysBefore: [1] },
    });
    // 09:00 on 9 June in Tokyo is 00:00 UTC on the 9th; 23:00 UTC on the 8th is 08:00 there.
    expect(dueReminders(tokyo, at('2030-06-08T23:00:00Z'))).toEqual([]);
    expect(dueReminders(tokyo, at('2030-06-09T00:00:00Z'))).toEqual([1]);
  });
});
