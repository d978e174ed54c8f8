import type { SNSEvent } from 'aws-lambda';

/**
 * SES event publishing records in the shape of AWS's documented examples ("Examples of event data that Amazon
 * SES publishes to Amazon SNS"), with the message tags of the configuration set and of the send call.
 */
export type MessageTags = Record<string, string[]>;

function mail(tags: MessageTags, recipient: string) {
  return {
    timestamp: '2030-01-01T10:00:00.012Z',
    source: 'Testdag <aanmelden@example.nl>',
    sourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.nl',
    sendingAccountId: '123456789012',
    messageId: '0102018c-example-message-id-000000',
    destination: [recipient],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Testdag <aanmelden@example.nl>' },
      { name: 'To', value: recipient },
      { name: 'Subject', value: 'Bevestiging van je aanmelding' },
      { name: 'MIME-Version', value: '1.0' },
    ],
    commonHeaders: {
      from: ['Testdag <aanmelden@example.nl>'],
      to: [recipient],
      messageId: '0102018c-example-message-id-000000',
      subject: 'Bevestiging van je aanmelding',
    },
    tags: {
      'ses:operation': ['SendEmail'],
      'ses:configuration-set': ['vol-is-vol-test'],
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': ['example.nl'],
      'ses:caller-identity': ['vol-is-vol-register'],
      ...tags,
    },
  };
}

export function bounceRecord(
  tags: MessageTags,
  options: { bounceType?: string; bounceSubType?: string; recipient?: string } = {},
) {
  const recipient = options.recipient ?? 'anna@example.nl';
  return {
    eventType: 'Bounce',
    bounce: {
      bounceType: options.bounceType ?? 'Permanent',
      bounceSubType: options.bounceSubType ?? 'General',
      bouncedRecipients: [
        {
          emailAddress: recipient,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: '2030-01-01T10:01:02.669Z',
      feedbackId: '0102018c-example-feedback-id-000000',
      reportingMTA: 'dsn; mta.example.nl',
    },
    mail: mail(tags, recipient),
  };
}

export function complaintRecord(
  tags: MessageTags,
  options: { complaintFeedbackType?: string; recipient?: string } = {},
) {
  const recipient = options.recipient ?? 'anna@example.nl';
  return {
    eventType: 'Complaint',
    complaint: {
      complainedRecipients: [{ emailAddress: recipient }],
      timestamp: '2030-01-01T12:00:00.000Z',
      feedbackId: '0102018c-example-complaint-id-000000',
      userAgent: 'ExampleCorp Feedback Loop (V0.01)',
      complaintFeedbackType: options.complaintFeedbackType ?? 'abuse',
      arrivalDate: '2030-01-01T11:59:59.000Z',
    },
    mail: mail(tags, recipient),
  };
}

export function deliveryRecord(tags: MessageTags) {
  return {
    eventType: 'Delivery',
    delivery: {
      timestamp: '2030-01-01T10:00:01.000Z',
      processingTimeMillis: 546,
      recipients: ['anna@example.nl'],
      smtpResponse: '250 ok',
      reportingMTA: 'a8-70.smtp-out.amazonses.com',
    },
    mail: mail(tags, 'anna@example.nl'),
  };
}

/** SNS's envelope around SES records, as Lambda receives it from a topic subscription. */
export function snsEvent(...records: unknown[]): SNSEvent {
  return {
    Records: records.map((record, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:feedback:1b2c3d4e',
      Sns: {
        Type: 'Notification',
        MessageId: `sns-message-${i}`,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:feedback',
        Subject: null as unknown as string,
        Message: typeof record === 'string' ? record : JSON.stringify(record),
        Timestamp: '2030-01-01T10:01:03.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    })),
  };
}
