import { randomUUID } from 'node:crypto';
import { DynamoOutbox } from './adapters/dynamodb/outbox.js';
import { createSesClient, SesMailer } from './adapters/ses/mailer.js';
import { systemClock } from './adapters/system.js';
import { dependencies } from './composition.js';
import { readMailConfig } from './config.js';
import { businessMetrics, followUpLog } from './observability.js';
import type { FollowUpDeps } from './use-cases/follow-up.js';

/**
 * The composition root of the functions that send email. Apart from `composition.ts` so that the other
 * functions' bundles carry no SES client and need no mail configuration.
 */
function buildEmail() {
  const { config, documentClient, store, waitingList, secrets } = dependencies();
  const mail = readMailConfig();
  const mailer = new SesMailer(createSesClient({ region: config.region, endpoint: mail.sesEndpoint }), {
    from: mail.from,
    replyTo: mail.replyTo,
    configurationSet: mail.configurationSet,
  });
  const outbox = new DynamoOutbox(documentClient, config.tableName);
  const delivery = {
    mailer,
    outbox,
    publicBaseUrl: mail.publicBaseUrl,
    clock: systemClock,
    metrics: businessMetrics,
  };
  /** What follows a commit: its email, promotion of the people waiting (one walker per event), places in line. */
  const followUp: FollowUpDeps = {
    events: store,
    registrations: store,
    waiting: waitingList,
    lease: waitingList,
    clock: systemClock,
    secrets,
    newOwnerId: randomUUID,
    delivery: { ...delivery, events: store },
    log: followUpLog,
    metrics: businessMetrics,
  };
  return { ...delivery, followUp };
}

let emailContainer: ReturnType<typeof buildEmail> | undefined;

/**
 * For the functions that send email: mailer, outbox, the public base URL of the manage links, and the
 * dependencies of the work after a commit.
 */
export function emailDependencies(): ReturnType<typeof buildEmail> {
  emailContainer ??= buildEmail();
  return emailContainer;
}
