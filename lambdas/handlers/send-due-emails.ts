import type { Context, ScheduledEvent } from 'aws-lambda';
import { emailDependencies } from '../email-composition.js';
import { logDelivery, logger, withBusinessMetrics } from '../observability.js';
import { deliverDueEmails } from '../use-cases/deliver-email.js';

const email = emailDependencies();

/** EventBridge schedule (and an interval in the local stack): sends every email whose time has come. */
export const handler = withBusinessMetrics(async (_event?: ScheduledEvent, context?: Context) => {
  if (context) logger.addContext(context);
  const outcomes = await deliverDueEmails(email);
  for (const outcome of outcomes) logDelivery(outcome);
  const count = (result: string) => outcomes.filter((outcome) => outcome.result === result).length;
  const summary = {
    due: outcomes.length,
    sent: count('sent'),
    retry: count('retry'),
    gaveUp: count('gave-up'),
  };
  if (outcomes.length > 0) logger.info('due emails', summary);
  return summary;
});
