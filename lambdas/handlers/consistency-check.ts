import type { Context, ScheduledEvent } from 'aws-lambda';
import { dependencies } from '../composition.js';
import { readConsistencyRecheckDelayMs } from '../config.js';
import { ALERT_LOG_MESSAGES, logger } from '../observability.js';
import { checkSeatCounters, type SeatCounterReport } from '../use-cases/admin/check-seat-counters.js';

/**
 * Scheduled (EventBridge, every 15 minutes): for every event in the registry (`EVENTS`/`META`, kept by
 * `PUT /admin/events/{eventId}`), compares each workshop's seat counter with the confirmed registrations
 * holding it. Each drift is one `seat counter drift` error line (ids and counts only, no personal data),
 * which the stack turns into a metric and an alarm.
 */

const deps = dependencies();

/** Read once at cold start: how long to wait before looking again at what seems to drift. */
const recheckDelayMs = readConsistencyRecheckDelayMs();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function handler(_event?: ScheduledEvent, context?: Context): Promise<SeatCounterReport> {
  if (context) logger.addContext(context);
  const report = await checkSeatCounters({
    registry: deps.adminQueries,
    events: deps.store,
    index: deps.seatHolderIndex,
    recheckDelayMs,
    sleep,
  });
  for (const drift of report.drifts) {
    logger.error(ALERT_LOG_MESSAGES.seatCounterDrift, { ...drift });
  }
  logger.info('seat counter check', {
    eventsChecked: report.eventsChecked,
    drifts: report.drifts.length,
    failedEventIds: report.failedEventIds,
  });
  if (report.failedEventIds.length > 0) {
    // A failed run shows in the function's error metric; the events that could be read were checked.
    throw new Error(`seat counter check could not read ${report.failedEventIds.length} event(s)`);
  }
  return report;
}
