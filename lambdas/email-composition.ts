import { DynamoOutbox } from './adapters/dynamodb/outbox.js';
import { createSesClient, SesMailer } from './adapters/ses/mailer.js';
import { systemClock } from './adapters/system.js';
import { dependencies } from './composition.js';
import { readMailConfig } from './config.js';

/**
 * The composition root of the functions that send email. Apart from `composition.ts` so that the other
 * functions' bundles carry no SES client and need no mail configuration.
 */
function buildEmail() {
  const { config, documentClient } = dependencies();
  const mail = readMailConfig();
  const mailer = new SesMailer(createSesClient({ region: config.region, endpoint: mail.sesEndpoint }), {
    from: mail.from,
    replyTo: mail.replyTo,
    configurationSet: mail.configurationSet,
  });
  const outbox = new DynamoOutbox(documentClient, config.tableName);
  return { mailer, outbox, publicBaseUrl: mail.publicBaseUrl, clock: systemClock };
}

let emailContainer: ReturnType<typeof buildEmail> | undefined;

/** For the functions that send email: mailer, outbox and the public base URL of the manage links. */
export function emailDependencies(): ReturnType<typeof buildEmail> {
  emailContainer ??= buildEmail();
  return emailContainer;
}
