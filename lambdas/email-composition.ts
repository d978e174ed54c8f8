import { lazySesClient, SesMailer } from './adapters/ses/mailer.js';
import { SesSendQuota } from './adapters/ses/send-quota.js';
import { systemClock } from './adapters/system.js';
import { dependencies } from './composition.js';
import { readMailConfig } from './config.js';
import { businessMetrics } from './observability.js';
import { emailStreamSettings } from './routes.js';
import type { RetryDeps } from './use-cases/deliver-email.js';
import { SendPacer } from './use-cases/send-pacer.js';

/**
 * The composition root of the functions that send email (the stream-fed sender and the scheduled retry).
 * Apart from `composition.ts` so that the other functions' bundles carry no SES client, no MIME or calendar
 * code, and need no mail configuration.
 */
function buildEmail(): RetryDeps {
  const { config, store, waitingList, secrets, outbox, messages } = dependencies();
  const mail = readMailConfig();
  // One SES v2 client, made on the first send or the first read of the account's rate (GetAccount).
  const sesClient = lazySesClient({ region: config.region, endpoint: mail.sesEndpoint });
  const mailer = new SesMailer(sesClient, {
    from: mail.from,
    replyTo: mail.replyTo,
    configurationSet: mail.configurationSet,
  });
  return {
    mailer,
    outbox,
    publicBaseUrl: mail.publicBaseUrl,
    clock: systemClock,
    metrics: businessMetrics,
    registrations: store,
    events: store,
    waiting: waitingList,
    secrets,
    messages,
    // The stream's concurrent batches and the retry share the account's send rate (SES GetAccount).
    pacer: new SendPacer({
      quota: new SesSendQuota(sesClient),
      share: 1 / (emailStreamSettings.parallelizationFactor + 1),
    }),
  };
}

let emailContainer: RetryDeps | undefined;

/** For the functions that send email: mailer, outbox, and what an email is rendered from. */
export function emailDependencies(): RetryDeps {
  emailContainer ??= buildEmail();
  return emailContainer;
}
