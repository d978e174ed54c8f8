import type { Context, ScheduledEvent } from 'aws-lambda';
import { dependencies } from '../composition.js';
import { logger, withBusinessMetrics } from '../observability.js';
import { type ReminderReport, sendReminders } from '../use-cases/send-reminders.js';

/**
 * Scheduled (EventBridge, every 15 minutes; an interval in the local stack): the reminders whose day has come
 * (`reminders.daysBefore` of each event, from 09:00 event time), one outbox entry per confirmed registration
 * and reminder. The email sender sends them.
 */

const deps = dependencies();

export const handler = withBusinessMetrics(
  async (_event?: ScheduledEvent, context?: Context): Promise<ReminderReport> => {
    if (context) logger.addContext(context);
    const report = await sendReminders({
      registry: deps.adminQueries,
      events: deps.store,
      index: deps.seatHolderIndex,
      outbox: deps.outbox,
      clock: deps.clock,
    });
    if (report.eventsDue > 0) logger.info('reminders', { ...report });
    return report;
  },
);
