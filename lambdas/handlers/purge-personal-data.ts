import type { Context, ScheduledEvent } from 'aws-lambda';
import { dependencies } from '../composition.js';
import { logger } from '../observability.js';
import { purgeExpiredPersonalData } from '../use-cases/purge-personal-data.js';

const deps = dependencies();

/** The registration index without personal data: the purge reads each registration itself. */
async function* registrationIdsOf(eventId: string): AsyncIterable<string> {
  for await (const { registration } of deps.seatHolderIndex.registrationsOf(eventId, { pageSizeHint: 500 })) {
    yield String(registration.id);
  }
}

/** EventBridge schedule (and an interval in the local stack): enforces every event's retention period. */
export async function handler(_event?: ScheduledEvent, context?: Context) {
  if (context) logger.addContext(context);
  const result = await purgeExpiredPersonalData({
    eventIds: () => deps.adminQueries.eventIds(),
    registrationIdsOf,
    events: deps.store,
    registrations: deps.store,
    clock: deps.clock,
  });
  logger.info('personal data purge', result);
  return result;
}
