import type { Attachment, SESv2Client, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { readLocalCredentials } from '../../config.js';
import {
  type EmailReference,
  type OutgoingEmail,
  PermanentDeliveryFailure,
  SenderNotReady,
  TransientDeliveryFailure,
} from '../../domain/email.js';
import type { Mailer } from '../../ports.js';
import { sesV2 } from '../aws-sdk.js';

export type SesMailerOptions = {
  /** "Name <address>" of the verified sending identity. */
  from: string;
  replyTo?: string;
  configurationSet?: string;
};

/**
 * SES (API v2) errors that say the sending side is not ready: the MAIL FROM domain not verified, the account or
 * configuration set paused (`SendingPausedException`) or suspended, the configuration set missing
 * (`NotFoundException`, the only resource `SendEmail` names), a sending quota reached. Nothing about the recipient.
 */
const NOT_READY_ERRORS = new Set([
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
  'LimitExceededException',
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

/** "Daily message quota exceeded" (v2 `TooManyRequestsException`): no more email today (the sandbox allows 200). */
const DAILY_QUOTA = /daily message quota/i;

/**
 * What an SES error means for the email: a permanent failure only when SES rejects this message or recipient
 * for good (`MessageRejected` "Address blacklisted", a message too large); `SenderNotReady` when the account or
 * identity is not ready to send; any other error (`TooManyRequestsException` for the sending rate, an outage)
 * is transient.
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
 * Sends through SES API v2 `SendEmail` with Simple content: SES builds the MIME message (encoded headers,
 * attachments), so no MIME library is bundled. Header values are made single-line first, so CR/LF in a subject
 * or a name never starts a new header. Only a message or address SES rejects for good is a permanent failure;
 * a sender that is not ready yet and everything else (throttling, outage) is retried later.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SesClientLoader,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<void> {
    try {
      const client = await this.client();
      await client.send(new (sesV2().SendEmailCommand)(sendEmailInput(email, this.options)));
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

/**
 * An attachment as SES v2 takes it. `contentId` (set for an image the HTML shows by `cid:`) makes it inline;
 * text content (the `.ics`) is sent as UTF-8, binary content as it is.
 */
type MailAttachment = OutgoingEmail['attachments'][number];

function attachmentOf(attachment: MailAttachment): Attachment {
  const { content } = attachment;
  return {
    FileName: singleLine(attachment.filename),
    ContentType: singleLine(attachment.contentType),
    RawContent: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
    ...(attachment.contentId
      ? { ContentDisposition: 'INLINE', ContentId: singleLine(attachment.contentId) }
      : { ContentDisposition: 'ATTACHMENT' }),
  };
}

/** CR, LF and other control characters in a header value become one space: a value never starts a header. */
function singleLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/**
 * A mailbox for a header SES writes (From, Reply-To): single-line, and a display name with non-ASCII
 * characters as an RFC 2047 encoded word, as SES v2 requires of `FromEmailAddress`.
 */
function headerMailbox(mailbox: string): string {
  const line = singleLine(mailbox).trim();
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(line);
  if (!match) return line;
  const [, name = '', address = ''] = match;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is what needs no encoding
  if (/^[\u0000-\u007f]*$/.test(name)) return line;
  return `=?UTF-8?B?${Buffer.from(name.replace(/^"(.*)"$/, '$1'), 'utf8').toString('base64')}?= <${address}>`;
}

/** The `SendEmail` request of one email: Simple content, the reference as message tags, never an address. */
export function sendEmailInput(email: OutgoingEmail, options: SesMailerOptions): SendEmailCommandInput {
  const attachments = email.attachments.map(attachmentOf);
  return {
    FromEmailAddress: headerMailbox(options.from),
    Destination: { ToAddresses: [headerMailbox(email.to)] },
    ...(options.replyTo ? { ReplyToAddresses: [headerMailbox(options.replyTo)] } : {}),
    Content: {
      Simple: {
        Subject: { Data: singleLine(email.subject), Charset: 'UTF-8' },
        Body: {
          Text: { Data: email.text, Charset: 'UTF-8' },
          Html: { Data: email.html, Charset: 'UTF-8' },
        },
        ...(attachments.length > 0 ? { Attachments: attachments } : {}),
      },
    },
    ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
    ...(email.reference ? { EmailTags: messageTags(email.reference) } : {}),
  };
}
/** The SES client, once it is needed. */
export type SesClientLoader = () => Promise<SESv2Client>;

/**
 * One SES client per container, created (and the SES v2 module loaded, `sesV2`) on the first send, not at cold
 * start; a failed load is tried again on the next one.
 */
export function lazySesClient(options: { region: string; endpoint?: string }): SesClientLoader {
  let client: SESv2Client | undefined;
  return async () => {
    client ??= createSesClient(sesV2().SESv2Client, options);
    return client;
  };
}

function createSesClient(
  Client: typeof SESv2Client,
  options: { region: string; endpoint?: string },
): SESv2Client {
  return new Client({
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
