import type { Context, SNSEvent } from 'aws-lambda';
import { parseFeedbackEvent } from '../adapters/ses/feedback-events.js';
import { dependencies } from '../composition.js';
import { logger } from '../observability.js';
import { type FeedbackOutcome, recordEmailFeedback } from '../use-cases/record-email-feedback.js';

const deps = dependencies();

/**
 * SNS subscription to the SES configuration set's bounce and complaint events: each event marks the
 * registration the email was for. Logs ids, kinds and SES's types only, never an address. A store failure
 * throws, so Lambda retries the event and then hands it to the failure queue.
 */
export async function handler(event: SNSEvent, context?: Context): Promise<FeedbackOutcome[]> {
  if (context) logger.addContext(context);
  const outcomes: FeedbackOutcome[] = [];
  for (const record of event.Records) {
    const parsed = parseFeedbackEvent(record.Sns.Message);
    if ('ignored' in parsed) {
      logger.warn('email feedback ignored', { reason: parsed.ignored, snsMessageId: record.Sns.MessageId });
      continue;
    }
    const outcome = await recordEmailFeedback(parsed.notice, { registrations: deps.emailFeedback });
    logger.info('email feedback', { ...outcome });
    outcomes.push(outcome);
  }
  return outcomes;
}
