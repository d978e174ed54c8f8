/**
 * How the mailer reads SES's refusals (aws-sdk-client-mock at the SDK boundary, the SDK's own error classes with
 * the messages SES sends): only a refusal of this message or recipient is permanent; an account or identity
 * that is not ready yet is `SenderNotReady` (retried, alarmed); the rest is transient.
 */
import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  ConfigurationSetSendingPausedException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SESClient,
  SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import {
  PermanentDeliveryFailure,
  SenderNotReady,
  TransientDeliveryFailure,
} from '../../lambdas/domain/email.js';
import { ALERT_LOG_MESSAGES, logDelivery, logger } from '../../lambdas/observability.js';

const ses = mockClient(SESClient);
const mailer = new SesMailer(createSesClient({ region: 'eu-west-1' }), {
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

/** An error as the SDK deserialises an SES error without a class of its own (query protocol). */
function serviceError(name: string, message: string): SESServiceException {
  return new SESServiceException({ name, message, $fault: 'client', ...meta });
}

async function failureOf(error: Error): Promise<unknown> {
  ses.on(SendRawEmailCommand).rejects(error);
  return mailer.send(email).then(
    () => undefined,
    (failure: unknown) => failure,
  );
}

beforeEach(() => ses.reset());

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
      'AccountSendingPausedException',
      new AccountSendingPausedException({ message: 'Sending paused for this account.', ...meta }),
    ],
    [
      'MailFromDomainNotVerifiedException',
      new MailFromDomainNotVerifiedException({ message: 'MAIL FROM domain not verified', ...meta }),
    ],
    [
      'ConfigurationSetDoesNotExistException',
      new ConfigurationSetDoesNotExistException({
        message: 'Configuration set <x> does not exist.',
        ConfigurationSetName: 'x',
        ...meta,
      }),
    ],
    [
      'ConfigurationSetSendingPausedException',
      new ConfigurationSetSendingPausedException({
        message: 'Sending paused for configuration set x',
        ConfigurationSetName: 'x',
        ...meta,
      }),
    ],
    [
      'an IAM refusal',
      serviceError(
        'AccessDenied',
        'User `arn:aws:sts::123456789012:assumed-role/fn/fn` is not authorized to perform `ses:SendRawEmail` on resource `arn:aws:ses:eu-west-1:123456789012:identity/example.nl`',
      ),
    ],
    ['the daily sending quota', serviceError('Throttling', 'Daily message quota exceeded.')],
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
    ['the sending rate', serviceError('Throttling', 'Maximum sending rate exceeded.')],
    ['an outage', new SESServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: {} })],
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
