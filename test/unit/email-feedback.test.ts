/**
 * Bounces and complaints from SES event publishing (the documented record shapes, test/support/ses-events.ts):
 * how a record is read, and which ones mark a registration.
 */
import { describe, expect, it } from 'vitest';
import { parseFeedbackEvent } from '../../lambdas/adapters/ses/feedback-events.js';
import { messageTags } from '../../lambdas/adapters/ses/mailer.js';
import type { EmailFeedback, FeedbackNotice } from '../../lambdas/domain/email.js';
import type { EmailFeedbackStore } from '../../lambdas/ports.js';
import { recordEmailFeedback } from '../../lambdas/use-cases/record-email-feedback.js';
import { bounceRecord, complaintRecord, deliveryRecord } from '../support/ses-events.js';

/** The tags the mailer puts on a message, as SES publishes them (each value in a list). */
const tagsOf = (registrationId: string, kind: 'confirmation' | 'change') =>
  Object.fromEntries(messageTags({ registrationId, kind }).map((tag) => [tag.Name, [tag.Value]]));

class RecordingStore implements EmailFeedbackStore {
  marked: EmailFeedback[] = [];
  constructor(private readonly answer = true) {}
  async markEmailFeedback(feedback: EmailFeedback): Promise<boolean> {
    this.marked.push(feedback);
    return this.answer;
  }
}

function noticeOf(record: unknown): FeedbackNotice {
  const parsed = parseFeedbackEvent(JSON.stringify(record));
  if (!('notice' in parsed)) throw new Error(`ignored: ${parsed.ignored}`);
  return parsed.notice;
}

describe('reading SES event records', () => {
  it('reads a permanent bounce with the registration and email kind from the message tags', () => {
    expect(noticeOf(bounceRecord(tagsOf('reg-1', 'confirmation')))).toEqual({
      type: 'bounce',
      messageId: '0102018c-example-message-id-000000',
      at: '2030-01-01T10:01:02.669Z',
      bounceType: 'Permanent',
      detail: 'Permanent/General',
      reference: { registrationId: 'reg-1', kind: 'confirmation' },
    });
  });

  it('reads a complaint with its feedback type', () => {
    expect(noticeOf(complaintRecord(tagsOf('reg-2', 'change')))).toMatchObject({
      type: 'complaint',
      at: '2030-01-01T12:00:00.000Z',
      detail: 'abuse',
      reference: { registrationId: 'reg-2', kind: 'change' },
    });
  });

  it('keeps no address, whatever the record holds', () => {
    const notice = noticeOf(bounceRecord(tagsOf('reg-1', 'confirmation'), { recipient: 'zoe@example.nl' }));
    expect(JSON.stringify(notice)).not.toContain('@');
  });

  it('has no reference for a message without our tags, or with tag values that are no id or kind', () => {
    expect(noticeOf(bounceRecord({})).reference).toBeUndefined();
    expect(
      noticeOf(bounceRecord({ registration: ['reg 1'], kind: ['confirmation'] })).reference,
    ).toBeUndefined();
    expect(
      noticeOf(bounceRecord({ registration: ['reg-1'], kind: ['newsletter'] })).reference,
    ).toBeUndefined();
  });

  it.each([
    ['a delivery', JSON.stringify(deliveryRecord({})), 'event type Delivery'],
    ['an SNS subscription confirmation text', 'You have chosen to subscribe to the topic', 'not JSON'],
    [
      'a bounce without its bounce object',
      JSON.stringify({ eventType: 'Bounce', mail: {} }),
      'malformed Bounce event',
    ],
  ])('ignores %s', (_label, body, reason) => {
    expect(parseFeedbackEvent(body)).toEqual({ ignored: reason });
  });
});

describe('marking the registration', () => {
  it('marks a permanent bounce as bounced, with the email it was and when', async () => {
    const store = new RecordingStore();
    const outcome = await recordEmailFeedback(noticeOf(bounceRecord(tagsOf('reg-1', 'confirmation'))), {
      registrations: store,
    });
    expect(outcome).toMatchObject({ result: 'marked', registrationId: 'reg-1', state: 'bounced' });
    expect(store.marked).toEqual([
      {
        registrationId: 'reg-1',
        kind: 'confirmation',
        state: 'bounced',
        at: '2030-01-01T10:01:02.669Z',
        detail: 'Permanent/General',
      },
    ]);
  });

  it('marks a complaint as complained', async () => {
    const store = new RecordingStore();
    await recordEmailFeedback(noticeOf(complaintRecord(tagsOf('reg-2', 'change'))), { registrations: store });
    expect(store.marked).toMatchObject([{ registrationId: 'reg-2', kind: 'change', state: 'complained' }]);
  });

  it.each([
    [
      'a transient bounce (mailbox full)',
      bounceRecord(tagsOf('reg-1', 'confirmation'), {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
      }),
    ],
    [
      'an undetermined bounce',
      bounceRecord(tagsOf('reg-1', 'confirmation'), {
        bounceType: 'Undetermined',
        bounceSubType: 'Undetermined',
      }),
    ],
    [
      'a "not spam" report',
      complaintRecord(tagsOf('reg-1', 'confirmation'), { complaintFeedbackType: 'not-spam' }),
    ],
    ['feedback on a message without our tags', bounceRecord({})],
  ])('marks nothing for %s', async (_label, record) => {
    const store = new RecordingStore();
    const outcome = await recordEmailFeedback(noticeOf(record), { registrations: store });
    expect(outcome.result).toBe('ignored');
    expect(store.marked).toEqual([]);
  });

  it('says so when the store changed nothing', async () => {
    const outcome = await recordEmailFeedback(noticeOf(bounceRecord(tagsOf('gone', 'confirmation'))), {
      registrations: new RecordingStore(false),
    });
    expect(outcome.result).toBe('unchanged');
  });
});
