import type { EventDefinition } from './event-definition.js';
import { wallClockParts } from './wall-clock.js';

/**
 * Reminders before the event (issue 16): on each of `reminders.daysBefore` days before the event date, from
 * 09:00 in the event's time zone, every confirmed registration is owed one reminder, exactly once.
 */

/** Without a setting: one reminder two days before. `[]` turns reminders off. */
export const DEFAULT_REMINDER_DAYS: readonly number[] = [2];
/** The local time of day from which a day's reminders go out. */
export const REMINDER_LOCAL_TIME = '09:00';

export function reminderDaysOf(definition: EventDefinition): readonly number[] {
  return definition.reminders?.daysBefore ?? DEFAULT_REMINDER_DAYS;
}

/** The calendar date and wall-clock time of an instant in a time zone (`YYYY-MM-DD`, `HH:MM`). */
export function wallClock(at: Date, timeZone: string): { date: string; time: string } {
  const parts = wallClockParts(at, timeZone);
  if (!parts) throw new RangeError('wallClock: not a date');
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** The calendar date `days` before `date` (`YYYY-MM-DD`): calendar arithmetic, no time zone involved. */
export function daysBefore(date: string, days: number): string {
  const noon = new Date(`${date}T12:00:00Z`);
  noon.setUTCDate(noon.getUTCDate() - days);
  return noon.toISOString().slice(0, 10);
}

/**
 * The reminders due at `now`: those whose day (the event date minus `daysBefore`, in the event's time zone)
 * is today there, from 09:00 local time on. Local dates and times, so a change to or from summer time in
 * between moves nothing.
 */
export function dueReminders(definition: EventDefinition, now: Date): number[] {
  const local = wallClock(now, definition.timezone);
  if (local.time < REMINDER_LOCAL_TIME) return [];
  return reminderDaysOf(definition).filter((days) => daysBefore(definition.date, days) === local.date);
}

/** The outbox entry id of a registration's reminder: one per registration and reminder day, ever. */
export function reminderEntryId(registrationId: string, days: number): string {
  return `${registrationId}.reminder.${days}`;
}
