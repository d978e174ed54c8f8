import { newOutboxEntry } from '../domain/email.js';
import { dueReminders } from '../domain/reminders.js';
import type { Clock, EmailOutbox, EventCatalog, EventRegistry, RegistrationIndex } from '../ports.js';

export type ReminderDeps = {
  registry: Pick<EventRegistry, 'eventIds'>;
  /** The definition alone: a reminder needs no seat counts. */
  events: Pick<EventCatalog, 'getDefinition'>;
  /** The registration index: ids and statuses are all it needs. */
  index: RegistrationIndex;
  outbox: Pick<EmailOutbox, 'addOnce'>;
  clock: Clock;
};

export type ReminderReport = { eventsDue: number; queued: number; alreadyQueued: number };

/**
 * The scheduled reminders: for every event whose reminder day it is (from 09:00 in its time zone), each
 * confirmed registration gets its reminder's outbox entry, `<registrationId>.reminder.<daysBefore>`, written
 * only if it does not exist. Two runs at once, a run repeated or retried, write each reminder once; the sender
 * sends it from the table's stream as every other email.
 */
export async function sendReminders(deps: ReminderDeps): Promise<ReminderReport> {
  const now = deps.clock.now();
  const report: ReminderReport = { eventsDue: 0, queued: 0, alreadyQueued: 0 };
  for (const eventId of await deps.registry.eventIds()) {
    // As stored now (the event's date, its reminder days), as every email reads it.
    const definition = await deps.events.getDefinition(eventId, { current: true });
    if (!definition) continue;
    const due = dueReminders(definition, now);
    if (due.length === 0) continue;
    report.eventsDue++;
    for await (const { registration } of deps.index.registrationsOf(eventId, { pageSizeHint: 500 })) {
      if (registration.status !== 'confirmed') continue;
      for (const days of due) {
        const queued = await deps.outbox.addOnce(
          newOutboxEntry(registration.id, eventId, 'reminder', days, now),
        );
        if (queued) report.queued++;
        else report.alreadyQueued++;
      }
    }
  }
  return report;
}
