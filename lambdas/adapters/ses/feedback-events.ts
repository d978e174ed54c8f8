import * as z from 'zod/mini';
import { type EmailReference, type FeedbackNotice, type MailKind, mailKinds } from '../../domain/email.js';
import { MESSAGE_TAG } from './mailer.js';

/**
 * SES event publishing (configuration set → SNS) in the shape SES documents for `Bounce` and `Complaint`
 * records: only the fields used here are read, the rest (addresses included) is never looked at.
 */
const tags = z.optional(z.record(z.string(), z.array(z.string())));
const mail = z.object({ messageId: z.string(), tags });
const bounceEvent = z.object({
  eventType: z.literal('Bounce'),
  bounce: z.object({
    bounceType: z.string(),
    bounceSubType: z.optional(z.string()),
    timestamp: z.string(),
  }),
  mail,
});
const complaintEvent = z.object({
  eventType: z.literal('Complaint'),
  complaint: z.object({
    timestamp: z.string(),
    complaintFeedbackType: z.optional(z.string()),
    complaintSubType: z.optional(z.nullable(z.string())),
  }),
  mail,
});
const feedbackEvent = z.discriminatedUnion('eventType', [bounceEvent, complaintEvent]);

export type ParsedFeedback = { notice: FeedbackNotice } | { ignored: string; messageId?: string };

const TAG_VALUE = /^[A-Za-z0-9_-]{1,128}$/;

function referenceOf(mailTags: Record<string, string[]> | undefined): EmailReference | undefined {
  const registrationId = mailTags?.[MESSAGE_TAG.registrationId]?.[0];
  const kind = mailTags?.[MESSAGE_TAG.kind]?.[0];
  if (registrationId === undefined || !TAG_VALUE.test(registrationId)) return undefined;
  if (kind === undefined || !(mailKinds as readonly string[]).includes(kind)) return undefined;
  return { registrationId, kind: kind as MailKind };
}

/** The SNS message body of an SES event; other event types and malformed bodies are ignored with a reason. */
export function parseFeedbackEvent(body: string): ParsedFeedback {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ignored: 'not JSON' };
  }
  const type = (json as { eventType?: unknown } | null)?.eventType;
  if (type !== 'Bounce' && type !== 'Complaint') {
    return { ignored: `event type ${typeof type === 'string' ? type : 'missing'}` };
  }
  const parsed = feedbackEvent.safeParse(json);
  if (!parsed.success) return { ignored: `malformed ${type} event` };
  const event = parsed.data;
  const reference = referenceOf(event.mail.tags);
  const base = { messageId: event.mail.messageId, ...(reference ? { reference } : {}) };
  if (event.eventType === 'Bounce') {
    const { bounceType, bounceSubType, timestamp } = event.bounce;
    return {
      notice: {
        ...base,
        type: 'bounce',
        at: timestamp,
        bounceType,
        detail: bounceSubType ? `${bounceType}/${bounceSubType}` : bounceType,
      },
    };
  }
  const { timestamp, complaintFeedbackType, complaintSubType } = event.complaint;
  const detail = complaintFeedbackType ?? complaintSubType ?? undefined;
  return { notice: { ...base, type: 'complaint', at: timestamp, ...(detail ? { detail } : {}) } };
}
