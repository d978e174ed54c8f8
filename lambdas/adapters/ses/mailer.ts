import { MessageRejected, SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  type OutgoingEmail,
  PermanentDeliveryFailure,
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
 * Sends through SES SendRawEmail, with the MIME message built by nodemailer's MailComposer (headers encoded,
 * CR/LF in values never starts a new header). Only an address SES rejects is a permanent failure; everything
 * else (throttling, outage, an identity being verified) is worth retrying later.
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
        }),
      );
    } catch (error) {
      if (error instanceof MessageRejected) throw new PermanentDeliveryFailure('MessageRejected');
      throw new TransientDeliveryFailure(error instanceof Error ? error.name : 'Unknown');
    }
  }
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
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          },
        }
      : {}),
  });
}
