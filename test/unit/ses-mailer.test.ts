/**
 * What the mailer asks of SES (API v2 `SendEmail`, Simple content) and how it reads SES's refusals (aws-sdk-client-mock at the SDK boundary, the SDK's own error classes with
 * the messages SES sends): only a refusal of this message or recipient is permanent; an account or identity
 * that is not ready yet is `SenderNotReady` (retried, alarmed); the rest is transient.
 */
import {
  AccountSuspendedException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lazySesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import {
  PermanentDeliveryFailure,
  SenderNotReady,
  TransientDeliveryFailure,
} from '../../lambdas/domain/email.js';
import { ALERT_LOG_MESSAGES, logDelivery, logger } from '../../lambdas/observability.js';

const ses = mockClient(SESv2Client);
const mailer = new SesMailer(lazySesClient({ region: 'eu-west-1' }), {
  from: 'Testdag <aanmelden@example.nl>',
});
const email = {
  to: 'anna@example.nl',
  subject: 'Bevestiging',
  text: 'Hallo',
  html: '<p>Hallo</p>',
  attachments: [],
};
const meta = { $metadata: { httpStatusCode: 400 } };

/** An error as the SDK deserialises an SES error without a class of its own. */
function serviceError(name: string, message: string): SESv2ServiceException {
  return new SESv2ServiceException({ name, message, $fault: 'client', ...meta });
}

async function failureOf(error: Error): Promise<unknown> {
  ses.on(SendEmailCommand).rejects(error);
  return mailer.send(email).then(
    () => undefined,
    (failure: unknown) => failure,
  );
}

beforeEach(() => ses.reset());

describe('the SendEmail request', () => {
  const ics = 'BEGIN:VCALENDAR\r\nSUMMARY:Testdag – één dag\r\nEND:VCALENDAR\r\n';
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  async function sent(
    options: ConstructorParameters<typeof SesMailer>[1],
    outgoing: Parameters<SesMailer['send']>[0],
  ) {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await new SesMailer(lazySesClient({ region: 'eu-west-1' }), options).send(outgoing);
    const [call] = ses.commandCalls(SendEmailCommand);
    return call?.args[0].input;
  }

  it('carries subject, text, html, attachments, reply-to, configuration set and the reference tags', async () => {
    const input = await sent(
      { from: 'Testdag <aanmelden@example.nl>', replyTo: 'vragen@example.nl', configurationSet: 'vol-set' },
      {
        ...email,
        attachments: [
          { filename: 'testdag.ics', contentType: 'text/calendar; method=REQUEST', content: ics },
        ],
        reference: { registrationId: 'r-1', kind: 'confirmation' },
      },
    );
    expect(input).toEqual({
      FromEmailAddress: 'Testdag <aanmelden@example.nl>',
      Destination: { ToAddresses: ['anna@example.nl'] },
      ReplyToAddresses: ['vragen@example.nl'],
      Content: {
        Simple: {
          Subject: { Data: 'Bevestiging', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Hallo', Charset: 'UTF-8' },
            Html: { Data: '<p>Hallo</p>', Charset: 'UTF-8' },
          },
          Attachments: [
            {
              FileName: 'testdag.ics',
              ContentType: 'text/calendar; method=REQUEST',
              ContentDisposition: 'ATTACHMENT',
              RawContent: expect.any(Uint8Array),
            },
          ],
        },
      },
      ConfigurationSetName: 'vol-set',
      EmailTags: [
        { Name: 'registration', Value: 'r-1' },
        { Name: 'kind', Value: 'confirmation' },
      ],
    });
    const [attachment] = input?.Content?.Simple?.Attachments ?? [];
    expect(Buffer.from(attachment?.RawContent ?? []).toString('utf8')).toBe(ics);
  });

  it('sends an attachment with a content id inline, its bytes unchanged', async () => {
    const input = await sent({ from: 'Testdag <aanmelden@example.nl>' }, {
      ...email,
      attachments: [
        { filename: 'qr.png', contentType: 'image/png', content: png, contentId: 'qr@vol-is-vol' },
      ],
    } as unknown as Parameters<SesMailer['send']>[0]);
    expect(input?.Content?.Simple?.Attachments).toEqual([
      {
        FileName: 'qr.png',
        ContentType: 'image/png',
        ContentDisposition: 'INLINE',
        ContentId: 'qr@vol-is-vol',
        RawContent: png,
      },
    ]);
    expect(input).not.toHaveProperty('ReplyToAddresses');
    expect(input).not.toHaveProperty('ConfigurationSetName');
    expect(input).not.toHaveProperty('EmailTags');
  });

  it('creates the SES client on the first send, once per container', async () => {
    const load = lazySesClient({ region: 'eu-west-1' });
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toBeInstanceOf(SESv2Client);
    expect(second).toBe(first);
    expect(await load()).toBe(first);
  });

  it('encodes a display name with non-ASCII characters as SES requires (RFC 2047)', async () => {
    const input = await sent({ from: 'Café Één <aanmelden@example.nl>' }, email);
    expect(input?.FromEmailAddress).toBe(
      `=?UTF-8?B?${Buffer.from('Café Één').toString('base64')}?= <aanmelden@example.nl>`,
    );
  });
});

describe('SES refusals that mean "not ready yet" are retried and alarmed, not given up', () => {
  it.each([
    [
      'an unverified sender identity',
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: Testdag <aanmelden@example.nl>, aanmelden@example.nl',
        ...meta,
      }),
    ],
    [
      'a recipient not verified while the account is in the sandbox',
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: anna@example.nl',
        ...meta,
      }),
    ],
    ['a paused account (MessageRejected)', new MessageRejected({ message: 'Account is paused.', ...meta })],
    [
      'a sender not authorized to send from the identity',
      new MessageRejected({
        message:
          'User `arn:aws:sts::123456789012:assumed-role/fn/fn` is not authorized to send from `aanmelden@example.nl`',
        ...meta,
      }),
    ],
    [
      'SendingPausedException (the account)',
      new SendingPausedException({ message: 'Sending paused for this account.', ...meta }),
    ],
    [
      'SendingPausedException (the configuration set)',
      new SendingPausedException({ message: 'Sending paused for configuration set x.', ...meta }),
    ],
    [
      'AccountSuspendedException',
      new AccountSuspendedException({ message: 'Sending is restricted for this account.', ...meta }),
    ],
    [
      'MailFromDomainNotVerifiedException',
      new MailFromDomainNotVerifiedException({ message: 'MAIL FROM domain not verified', ...meta }),
    ],
    [
      'a missing configuration set (NotFoundException)',
      new NotFoundException({ message: 'Configuration set <x> does not exist.', ...meta }),
    ],
    ['LimitExceededException', new LimitExceededException({ message: 'Sending quota exceeded.', ...meta })],
    [
      'an IAM refusal',
      serviceError(
        'AccessDeniedException',
        'User `arn:aws:sts::123456789012:assumed-role/fn/fn` is not authorized to perform `ses:SendEmail` on resource `arn:aws:ses:eu-west-1:123456789012:identity/example.nl`',
      ),
    ],
    [
      'the daily sending quota',
      new TooManyRequestsException({ message: 'Daily message quota exceeded.', ...meta }),
    ],
  ])('%s', async (_label, error) => {
    const failure = await failureOf(error);
    expect(failure).toBeInstanceOf(SenderNotReady);
    expect(failure).toBeInstanceOf(TransientDeliveryFailure);
    // SES's message names addresses; the reason kept on the registration and in the logs never does.
    expect((failure as Error).message).not.toMatch(/@/);
  });
});

describe('other refusals', () => {
  it.each([
    ['a blacklisted address', new MessageRejected({ message: 'Address blacklisted.', ...meta })],
    [
      'a message that is too large',
      new MessageRejected({ message: 'Message length is more than 10485760 bytes long: 10485761.', ...meta }),
    ],
  ])('%s is permanent', async (_label, error) => {
    const failure = await failureOf(error);
    expect(failure).toBeInstanceOf(PermanentDeliveryFailure);
    expect(failure).toMatchObject({ reason: 'MessageRejected' });
  });

  it.each([
    [
      'the sending rate',
      new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...meta }),
    ],
    ['an outage', new SESv2ServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: {} })],
  ])('%s is transient, without an alarm', async (_label, error) => {
    const failure = await failureOf(error);
    expect(failure).toBeInstanceOf(TransientDeliveryFailure);
    expect(failure).not.toBeInstanceOf(SenderNotReady);
  });
});

describe('the alarm', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs the alert message for a sender that is not ready, and not for an ordinary retry', () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const outcome = { entryId: 'r.confirmation.1', registrationId: 'r', kind: 'confirmation', attempts: 1 };
    logDelivery({ ...outcome, result: 'retry', reason: 'TransientDeliveryFailure: Throttling' });
    expect(errors).not.toHaveBeenCalled();
    logDelivery({ ...outcome, result: 'retry', reason: 'SenderNotReady: x', senderNotReady: true });
    expect(errors).toHaveBeenCalledWith(ALERT_LOG_MESSAGES.sesNotReady, expect.objectContaining(outcome));
  });
});
