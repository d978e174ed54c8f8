import type { Context, ScheduledEvent } from 'aws-lambda';
import { dependencies } from '../composition.js';
import { logger, withBusinessMetrics } from '../observability.js';
import { logPromotions } from '../use-cases/follow-up.js';
import { promoteWithLease } from '../use-cases/promote-waiting.js';

const deps = dependencies();
const { followUp } = deps;

/**
 * Scheduled (EventBridge, every minute; an interval locally): the sweep behind the promotion that follows
 * every change. Whatever that first walk missed (a crash after the commit, throttling, a lagging index) is
 * promoted here, for every event in the registry. When a walker holds an event's lease, the sweep's request
 * makes it walk once more instead.
 */
export const handler = withBusinessMetrics(async (_event?: ScheduledEvent, context?: Context) => {
  if (context) logger.addContext(context);
  const failedEventIds: string[] = [];
  let promoted = 0;
  for (const eventId of await deps.adminQueries.eventIds()) {
    try {
      const promotions = await promoteWithLease(eventId, followUp);
      logPromotions(promotions, followUp);
      promoted += promotions.length;
    } catch (error) {
      failedEventIds.push(eventId);
      logger.warn('promotion sweep failed for an event', {
        eventId,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
  }
  if (promoted > 0 || failedEventIds.length > 0) logger.info('promotion sweep', { promoted, failedEventIds });
  // A failed event shows in the function's error metric; the others were swept.
  if (failedEventIds.length > 0)
    throw new Error(`promotion sweep failed for ${failedEventIds.length} event(s)`);
  return { promoted, failedEventIds };
});
