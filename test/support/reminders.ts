import { daysBefore, wallClock } from '../../lambdas/domain/reminders.js';

/**
 * A time zone where it is now between 09:00 and 23:00, with its date: an event there whose reminder day is
 * today has its reminder due now, whatever the time of day the tests run (UTC+14, +1 and −11 cover the clock).
 */
export function zoneWhereRemindersAreDue(now = new Date()): { timezone: string; today: string } {
  for (const timezone of ['Pacific/Kiritimati', 'Europe/Amsterdam', 'Pacific/Pago_Pago']) {
    const local = wallClock(now, timezone);
    if (local.time >= '09:00' && local.time < '23:00') return { timezone, today: local.date };
  }
  throw new Error('no time zone at reminder time');
}

/** The event date `days` after `date`. */
export const daysAfter = (date: string, days: number) => daysBefore(date, -days);
