import { lazySesClient, SesMailer } from './adapters/ses/mailer.js';
import { systemClock } from './adapters/system.js';
import { dependencies } from './composition.js';
import { readMailConfig } from './config.js';
import { businessMetrics } from './observability.js';
import type { RetryDeps } from './use-cases/deliver-email.js';

/**
 * The composition root of the functions that send email (the stream-fed sender and the scheduled retry).
 * Apart from `composition.ts` so that the other functions' bundles carry no SES client, no MIME or calendar
 * code, and need no mail configuration.
 */
function buildEmail(): RetryDeps {
  const { config, store, waitingList, secrets, outbox } = dependencies();
  const mail = readMailConfig();
  const mailer = new SesMailer(lazySesClient({ region: config.region, endpoint: mail.sesEndpoint }), {
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
  };
}

let emailContainer: RetryDeps | undefined;

/** For the functions that send email: mailer, outbox, and what an email is rendered from. */
export function emailDependencies(): RetryDeps {
  emailContainer ??= buildEmail();
  return emailContainer;
}
