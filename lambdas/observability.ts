import { Logger } from '@aws-lambda-powertools/logger';
import { EmfBusinessMetrics } from './adapters/cloudwatch/business-metrics.js';
import { readServiceName, readStage } from './config.js';
import type { FollowUpLog } from './use-cases/follow-up.js';

/**
 * Structured JSON logs. Never log a name, email address, organisation, token or request body:
 * log ids, codes, counts and durations only.
 */
const serviceName = readServiceName();
export const logger = new Logger({ serviceName });

/**
 * The business metrics of this container, flushed at the end of every invocation by `withBusinessMetrics`
 * (`httpHandler` wraps every API function in it; a handler that records outside the API wraps itself).
 */
export const businessMetrics = new EmfBusinessMetrics({
  serviceName,
  stage: readStage(),
});

/** The handler, writing the business metrics it counted when it returns or throws. */
export function withBusinessMetrics<Args extends unknown[], Result>(
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      businessMetrics.flush();
    }
  };
}

/**
 * Log messages that mean "someone must look at this". The CDK stack turns each into a CloudWatch metric
 * (metric filter on the functions' log groups) with an alarm, so keep these strings stable.
 */
export const ALERT_LOG_MESSAGES = {
  /** A confirmation email exhausted its delivery attempts. */
  emailGaveUp: 'confirmation email gave up',
  /** SES refused to send because the account or identity is not ready (unverified, sandbox, paused, quota). */
  sesNotReady: 'email sender not ready',
  /** A workshop's seat counter differs from the number of confirmed registrations holding it. */
  seatCounterDrift: 'seat counter drift',
} as const;

/** One line per email attempt: ids, kind, attempts and outcome only, never an address or a token. */
export function logDelivery(outcome: {
  entryId: string;
  registrationId: string;
  kind: string;
  attempts: number;
  result: string;
  reason?: string;
  senderNotReady?: boolean;
}): void {
  if (outcome.senderNotReady) logger.error(ALERT_LOG_MESSAGES.sesNotReady, { ...outcome });
  else if (outcome.result === 'gave-up') logger.error(ALERT_LOG_MESSAGES.emailGaveUp, { ...outcome });
  else if (outcome.result === 'retry') logger.warn('email attempt failed', { ...outcome });
  else logger.info('email attempt', { ...outcome });
}

/** The work after a commit, in the log: promotions, and walks left to the sweep. */
export const followUpLog: FollowUpLog = {
  promotion: (promotion) =>
    logger.info('waiting list promotion', {
      eventId: promotion.registration.eventId,
      registrationId: promotion.registration.id,
      entryId: promotion.entry.id,
      kind: promotion.entry.kind,
      workshopIds: Object.values(promotion.registration.choices),
    }),
  promotionLeftToSweep: (eventId, error) =>
    logger.warn('promotion left to the sweep', {
      eventId,
      errorName: error instanceof Error ? error.name : typeof error,
    }),
};
