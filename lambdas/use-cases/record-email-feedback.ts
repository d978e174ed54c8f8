import type { EmailFeedback, FeedbackNotice } from '../domain/email.js';
import type { EmailFeedbackStore } from '../ports.js';

export type FeedbackOutcome = {
  result: 'marked' | 'unchanged' | 'ignored';
  /** Why nothing was marked. */
  reason?: string;
  messageId: string;
  registrationId?: string;
  kind?: string;
  state?: EmailFeedback['state'];
  detail?: string;
};

/**
 * A bounce or complaint that came back for an email: a permanent bounce marks the registration `bounced`, a
 * complaint `complained` (organisers see it in the list and the summary). A transient or undetermined bounce
 * (mailbox full, a server that was down) says nothing lasting about the address, and a "not spam" report is no
 * complaint: neither marks anything. Neither does feedback about a message without our tags.
 */
export async function recordEmailFeedback(
  notice: FeedbackNotice,
  deps: { registrations: EmailFeedbackStore },
): Promise<FeedbackOutcome> {
  const base = {
    messageId: notice.messageId,
    ...(notice.reference ?? {}),
    ...(notice.detail ? { detail: notice.detail } : {}),
  };
  if (!notice.reference) return { ...base, result: 'ignored', reason: 'message without registration tags' };
  if (notice.type === 'bounce' && notice.bounceType !== 'Permanent') {
    return { ...base, result: 'ignored', reason: 'not a permanent bounce' };
  }
  if (notice.type === 'complaint' && notice.detail === 'not-spam') {
    return { ...base, result: 'ignored', reason: 'reported as not spam' };
  }
  const feedback: EmailFeedback = {
    ...notice.reference,
    state: notice.type === 'bounce' ? 'bounced' : 'complained',
    at: notice.at,
    ...(notice.detail ? { detail: notice.detail } : {}),
  };
  const marked = await deps.registrations.markEmailFeedback(feedback);
  return marked
    ? { ...base, result: 'marked', state: feedback.state }
    : {
        ...base,
        result: 'unchanged',
        state: feedback.state,
        reason: 'no such registration, its personal data is removed, or a complaint stands',
      };
}
