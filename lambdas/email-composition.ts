import { createSesClient, SesMailer } from './adapters/ses/mailer.js';
import { createSendQuota } from './adapters/ses/send-quota.js';
import { systemClock } from './adapters/system.js';
import { dependencies } from './composition.js';
import { readLocalCredentials, readMailConfig } from './config.js';
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
  // The SES v2 client is made on the first send only: it reads the account's rate (GetAccount).
  let quota: ReturnType<typeof createSendQuota> | undefined;
  const accountQuota = () => {
    quota ??= createSendQuota({
      region: config.region,
      endpoint: mail.sesEndpoint,
      credentials: mail.sesEndpoint ? readLocalCredentials() : undefined,
    });
    return quota;
  };
  const mailer = new SesMailer(createSesClient({ region: config.region, endpoint: mail.sesEndpoint }), {
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
      quota: { maxSendRate: async () => (await accountQuota()).maxSendRate() },
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
