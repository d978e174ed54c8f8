import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import { readLocalCredentials } from '../../config.js';
import {
  type EmailReference,
  type OutgoingEmail,
  PermanentDeliveryFailure,
  SenderNotReady,
  TransientDeliveryFailure,
} from '../../domain/email.js';
import type { Mailer } from '../../ports.js';

export type SesMailerOptions = {
  /** "Name <address>" of the verified sending identity. */
  from: string;
  replyTo?: string;
  configurationSet?: string;
};

/**
 * SES errors that say the sending side is not ready: the identity or MAIL FROM domain not verified, the account
 * or configuration set paused, the account not out of the sandbox. Nothing about the recipient.
 */
const NOT_READY_ERRORS = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
  'ProductionAccessNotGrantedException',
  // IAM: the function may not send through this identity (a policy or From address that does not match).
  'AccessDenied',
  'AccessDeniedException',
]);

/**
 * `MessageRejected` messages that mean "not ready" rather than "this recipient": in the sandbox an unverified
 * recipient gets "Email address is not verified. The following identities failed the check in region …" as
 * an unverified sender does; "Account is paused"/"Sending paused for this account"; a sender "not authorized
 * to send from" an identity. Only the fixed label goes into the reason: SES's message names addresses.
 */
const NOT_READY_REJECTIONS: readonly [RegExp, string][] = [
  [/not verified/i, 'identity not verified (or sandbox recipient)'],
  [/paused/i, 'account sending paused'],
  [/not authori[sz]ed/i, 'not authorized to send from the identity'],
];

/** `ThrottlingException` "Daily message quota exceeded": no more email today (the sandbox allows 200). */
const DAILY_QUOTA = /daily message quota/i;

/**
 * What an SES error means for the email: a permanent failure only when SES rejects this message or recipient
 * for good (`MessageRejected` "Address blacklisted", a message too large); `SenderNotReady` when the account or
 * identity is not ready to send; any other error (throttling, an outage) is transient.
 */
export function classifySesError(error: unknown): PermanentDeliveryFailure | TransientDeliveryFailure {
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = error instanceof Error ? error.message : '';
  if (NOT_READY_ERRORS.has(name)) return new SenderNotReady(name);
  if (name === 'MessageRejected') {
    const notReady = NOT_READY_REJECTIONS.find(([pattern]) => pattern.test(message));
    if (notReady) return new SenderNotReady(`MessageRejected: ${notReady[1]}`);
    return new PermanentDeliveryFailure('MessageRejected');
  }
  if (DAILY_QUOTA.test(message)) return new SenderNotReady(`${name}: daily sending quota exceeded`);
  return new TransientDeliveryFailure(name);
}

/**
 * Sends through SES SendRawEmail, with the MIME message built by nodemailer's MailComposer (headers encoded,
 * CR/LF in values never starts a new header). Only a message or address SES rejects for good is a permanent
 * failure; a sender that is not ready yet and everything else (throttling, outage) is retried later.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<void> {
    const raw = await buildMime(email, this.options);
    try {
      await this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
          ...(email.reference ? { Tags: messageTags(email.reference) } : {}),
        }),
      );
    } catch (error) {
      throw classifySesError(error);
    }
  }
}

/**
 * The SES message tags that lead a bounce or complaint event back to its registration (`mail.tags` in the
 * event). Ids and kinds are letters, digits, `_` and `-`, as SES requires of tag values.
 */
export const MESSAGE_TAG = { registrationId: 'registration', kind: 'kind' } as const;

export function messageTags(reference: EmailReference): { Name: string; Value: string }[] {
  return [
    { Name: MESSAGE_TAG.registrationId, Value: reference.registrationId },
    { Name: MESSAGE_TAG.kind, Value: reference.kind },
  ];
}

export function buildMime(email: OutgoingEmail, options: SesMailerOptions): Promise<Buffer> {
  const composer = new MailComposer({
    from: options.from,
    replyTo: options.replyTo,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      ...(attachment.contentId ? { cid: attachment.contentId } : {}),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return new Promise((resolve, reject) =>
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message))),
  );
}

export function createSesClient(options: { region: string; endpoint?: string }): SESClient {
  return new SESClient({
    region: options.region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          credentials: readLocalCredentials(),
        }
      : {}),
  });
}
