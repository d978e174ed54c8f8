import { randomUUID } from 'node:crypto';
import { secretsManager } from './adapters/aws-sdk.js';
import { loadCursorKey } from './adapters/cursor-key.js';
import { DynamoAdminQueries } from './adapters/dynamodb/admin-queries.js';
import { DynamoCheckIns } from './adapters/dynamodb/check-ins.js';
import { createDynamoClient, documentClientFor } from './adapters/dynamodb/client.js';
import { DynamoStore } from './adapters/dynamodb/dynamo-store.js';
import { DynamoEmailFeedback } from './adapters/dynamodb/email-feedback.js';
import { SEAT_HOLDER_ATTRIBUTES } from './adapters/dynamodb/keys.js';
import { DynamoMessageStore } from './adapters/dynamodb/message-store.js';
import { DynamoOutbox } from './adapters/dynamodb/outbox.js';
import { DynamoProgrammeNotices } from './adapters/dynamodb/programme-notices.js';
import { DynamoPromotionLease } from './adapters/dynamodb/promotion-lease.js';
import { DynamoWaitingList } from './adapters/dynamodb/waiting-list-store.js';
import { cryptoSecrets, systemClock } from './adapters/system.js';
import { readConfig, readCursorConfig } from './config.js';
import { businessMetrics, followUpLog } from './observability.js';
import type { FollowUpDeps } from './use-cases/follow-up.js';

/**
 * The composition root: configuration, SDK clients and adapters, created once per container (on first use)
 * and shared by every invocation. Handlers ask for what they need; use cases receive it as plain arguments.
 */
function build() {
  const config = readConfig();
  const dynamoClient = createDynamoClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    requestTimeoutMs: config.dynamodbRequestTimeoutMs,
    connectionTimeoutMs: config.dynamodbConnectionTimeoutMs,
  });
  const documentClient = documentClientFor(dynamoClient);
  const store = new DynamoStore(documentClient, config.tableName);
  const waitingList = new DynamoWaitingList(documentClient, config.tableName);
  /** The organisers' queries: registration index, audit log, event registry. */
  const adminQueries = new DynamoAdminQueries(documentClient, config.tableName);
  /** The registration index without personal data, as the seat counter check's grant allows it. */
  const seatHolderIndex = new DynamoAdminQueries(documentClient, config.tableName, {
    registrationAttributes: SEAT_HOLDER_ATTRIBUTES,
  });
  /** What follows a commit: promotion of the people waiting (one walker per event), places in line. */
  const followUp: FollowUpDeps = {
    events: store,
    registrations: store,
    waiting: waitingList,
    lease: new DynamoPromotionLease(documentClient, config.tableName),
    clock: systemClock,
    secrets: cryptoSecrets,
    newOwnerId: randomUUID,
    log: followUpLog,
    metrics: businessMetrics,
  };
  return {
    config,
    documentClient,
    store,
    /** Emails owed: written by the changes' transactions, sent by the sender and the retry. */
    outbox: new DynamoOutbox(documentClient, config.tableName),
    followUp,
    /** Bounces and complaints on registrations (the SES feedback function). */
    emailFeedback: new DynamoEmailFeedback(documentClient, config.tableName),
    waitingList,
    /** The organisers' messages to registrants and their recipient lists (issue 16). */
    messages: new DynamoMessageStore(documentClient, config.tableName),
    /** The "updated programme" emails of an event update. */
    programmeNotices: new DynamoProgrammeNotices(documentClient, config.tableName),
    /** Check-ins at the door and in the rooms (codes, times). */
    checkIns: new DynamoCheckIns(documentClient, config.tableName),
    adminQueries,
    seatHolderIndex,
    clock: systemClock,
    secrets: cryptoSecrets,
  };
}

let container: ReturnType<typeof build> | undefined;

export function dependencies(): ReturnType<typeof build> {
  container ??= build();
  return container;
}

let cursorKeyOnce: Promise<string> | undefined;

/**
 * The admin cursors' signing key, read once per container (the admin function awaits it at cold start). The
 * Secrets Manager client is loaded only here, so no other function's bundle starts it.
 */
export function cursorKey(): Promise<string> {
  cursorKeyOnce ??= loadCursorKey(readCursorConfig(), async () => {
    const { SecretsManagerClient } = secretsManager();
    return new SecretsManagerClient({ region: dependencies().config.region });
  });
  return cursorKeyOnce;
}
