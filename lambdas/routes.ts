/**
 * The one route table. The CDK stack builds API Gateway resources and functions from it,
 * and the local server routes requests with it, so a route cannot exist in one and not the other.
 * Pure data: no CDK, no AWS SDK, nothing with side effects may be imported here.
 */

import {
  indexPartitions,
  keyPrefixes,
  RECIPIENT_LIST_PREFIX,
  SEAT_HOLDER_ATTRIBUTES,
} from './adapters/dynamodb/keys.js';

const { waitingQueues, registrations, audit, outbox, messages, checkIns } = indexPartitions;
/** The item grants name partitions by kind: `item.registration` is every `REG#…` partition. */
const item = keyPrefixes;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Which credential a route expects. `admin` routes get the Cognito authorizer in AWS. */
export type RouteAuth = 'none' | 'manage-token' | 'admin';

/** Table access a function needs; the CDK stack turns it into a least-privilege policy. */
export type TableAccess = {
  /** Partition key prefixes (e.g. `EVENT#`) the function may read with GetItem/BatchGetItem. */
  readonly readKeyPrefixes: readonly string[];
  /** Partition key prefixes the function may write (PutItem/UpdateItem/DeleteItem/ConditionCheckItem). */
  readonly writeKeyPrefixes: readonly string[];
  /**
   * The `gsi1` partitions the function may query, as `dynamodb:LeadingKeys` patterns from `indexPartitions`
   * (`lambdas/adapters/dynamodb/keys.ts`); none: no index access.
   */
  readonly queryIndexPartitions: readonly string[];
  /** When set, index queries may return only these attributes (a ProjectionExpression), never whole items. */
  readonly queryIndexAttributes?: readonly string[];
};

export type FunctionSpec = {
  /** Path of the handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly tableAccess: TableAccess;
  /** The function sends email through SES (from the configured identity only). */
  readonly sendsEmail?: boolean;
};

/** A function run on a schedule (EventBridge rule in AWS, an interval in the local stack), not over HTTP. */
export type ScheduledFunctionSpec = FunctionSpec & {
  readonly everyMinutes: number;
};

export const functionSpecs = {
  health: {
    entry: 'lambdas/handlers/health.ts',
    description: 'GET /health',
    tableAccess: { readKeyPrefixes: [], writeKeyPrefixes: [], queryIndexPartitions: [] },
  },
  openapi: {
    entry: 'lambdas/handlers/openapi.ts',
    description: 'GET /openapi.json: the OpenAPI document, pre-generated (docs/openapi.json)',
    tableAccess: { readKeyPrefixes: [], writeKeyPrefixes: [], queryIndexPartitions: [] },
  },
  events: {
    entry: 'lambdas/handlers/get-event.ts',
    description: 'GET /events/{eventId}: event with seats left and how many wait',
    // gsi1: the event's waiting-list queue, for the counts per workshop; never the registrations.
    tableAccess: {
      readKeyPrefixes: [item.event, item.workshop],
      writeKeyPrefixes: [],
      queryIndexPartitions: [waitingQueues],
    },
  },
  register: {
    entry: 'lambdas/handlers/register.ts',
    description: 'POST /events/{eventId}/registrations and /events/{eventId}/waiting-list',
    tableAccess: {
      // IDEMP#: the Idempotency-Key records of Powertools' idempotency utility. WAIT# and gsi1: waiting lists
      // joined at registration, and the promotion walk after a signup.
      readKeyPrefixes: [item.event, item.workshop, item.idempotency, item.registration, item.waiting],
      writeKeyPrefixes: [
        item.workshop,
        item.emailGuard,
        item.registration,
        item.idempotency,
        item.outbox,
        item.waiting,
        // CODE#: a confirmed registration's check-in code lookup.
        item.checkInCode,
      ],
      queryIndexPartitions: [waitingQueues],
    },
  },
  manage: {
    entry: 'lambdas/handlers/manage-registration.ts',
    description:
      'GET, PATCH, DELETE /registrations/{registrationId} and its waiting lists, with the manage token',
    tableAccess: {
      // WAIT# and gsi1: the waiting lists, and promotion after a seat is freed. The outbox queue: erasure drops
      // the emails still owed to the person (found by registration id among the due entries); MSG#: a copy of
      // an organisers' message dropped so counts as failed on the message.
      // CHECKIN#: the check-ins in the access export, removed by erasure with the code's lookup (CODE#).
      readKeyPrefixes: [item.event, item.workshop, item.registration, item.waiting, item.checkIn],
      writeKeyPrefixes: [
        item.workshop,
        item.emailGuard,
        item.registration,
        item.outbox,
        item.waiting,
        item.message,
        item.checkInCode,
        item.checkIn,
      ],
      queryIndexPartitions: [waitingQueues, outbox],
    },
  },
  admin: {
    entry: 'lambdas/handlers/admin.ts',
    description: 'Admin API for organisers: /admin/events/{eventId}/…',
    tableAccess: {
      // EVENTS: the registry of event ids; AUDIT#: the audit log (read through gsi1); MAIL#: emails owed.
      // MSG#: the organisers' messages with their recipient lists, written here and listed through gsi1 (only the
      // senders read one by key). CODE# and CHECKIN#: check-in at the door (codes looked up, check-ins written,
      // counted via gsi1; a second check-in reads the first one's time when the refusal does not carry it).
      readKeyPrefixes: [
        item.event,
        item.workshop,
        item.registration,
        item.eventRegistry,
        item.waiting,
        item.checkInCode,
        item.checkIn,
      ],
      writeKeyPrefixes: [
        item.event,
        item.workshop,
        item.registration,
        item.emailGuard,
        item.audit,
        item.eventRegistry,
        item.outbox,
        item.waiting,
        item.message,
        item.checkInCode,
        item.checkIn,
      ],
      // The outbox queue: an organiser's erasure drops the emails still owed to the person.
      queryIndexPartitions: [registrations, audit, waitingQueues, outbox, messages, checkIns],
    },
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;

export type Route = {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  readonly functionName: FunctionName;
  readonly auth: RouteAuth;
};

export const routes: readonly Route[] = [
  { method: 'GET', path: '/health', functionName: 'health', auth: 'none' },
  { method: 'GET', path: '/openapi.json', functionName: 'openapi', auth: 'none' },
  { method: 'GET', path: '/events/{eventId}', functionName: 'events', auth: 'none' },
  { method: 'POST', path: '/events/{eventId}/registrations', functionName: 'register', auth: 'none' },
  { method: 'GET', path: '/registrations/{registrationId}', functionName: 'manage', auth: 'manage-token' },
  { method: 'PATCH', path: '/registrations/{registrationId}', functionName: 'manage', auth: 'manage-token' },
  { method: 'DELETE', path: '/registrations/{registrationId}', functionName: 'manage', auth: 'manage-token' },
  {
    method: 'GET',
    path: '/registrations/{registrationId}/personal-data',
    functionName: 'manage',
    auth: 'manage-token',
  },
  {
    method: 'DELETE',
    path: '/registrations/{registrationId}/personal-data',
    functionName: 'manage',
    auth: 'manage-token',
  },
  { method: 'POST', path: '/events/{eventId}/waiting-list', functionName: 'register', auth: 'none' },
  {
    method: 'POST',
    path: '/registrations/{registrationId}/waiting-list',
    functionName: 'manage',
    auth: 'manage-token',
  },
  {
    method: 'DELETE',
    path: '/registrations/{registrationId}/waiting-list/{roundId}',
    functionName: 'manage',
    auth: 'manage-token',
  },
  { method: 'GET', path: '/admin/events', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}', functionName: 'admin', auth: 'admin' },
  { method: 'PUT', path: '/admin/events/{eventId}', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/registrations', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/registrations.csv', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/registrations.xlsx', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/summary', functionName: 'admin', auth: 'admin' },
  {
    method: 'DELETE',
    path: '/admin/events/{eventId}/registrations/{registrationId}',
    functionName: 'admin',
    auth: 'admin',
  },
  {
    method: 'POST',
    path: '/admin/events/{eventId}/registrations/cancel-batch',
    functionName: 'admin',
    auth: 'admin',
  },
  { method: 'GET', path: '/admin/events/{eventId}/audit', functionName: 'admin', auth: 'admin' },
  { method: 'POST', path: '/admin/events/{eventId}/messages', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/messages', functionName: 'admin', auth: 'admin' },
  {
    method: 'DELETE',
    path: '/admin/events/{eventId}/registrations/{registrationId}/personal-data',
    functionName: 'admin',
    auth: 'admin',
  },
  {
    method: 'POST',
    path: '/admin/events/{eventId}/registrations/{registrationId}/resend-confirmation',
    functionName: 'admin',
    auth: 'admin',
  },
  { method: 'GET', path: '/admin/events/{eventId}/waiting-list', functionName: 'admin', auth: 'admin' },
  {
    method: 'DELETE',
    path: '/admin/events/{eventId}/waiting-list/{entryId}',
    functionName: 'admin',
    auth: 'admin',
  },
  {
    method: 'POST',
    path: '/admin/events/{eventId}/waiting-list/{entryId}/promote',
    functionName: 'admin',
    auth: 'admin',
  },
  // Check-in: organisers and door staff (group `door`, these three routes only: lambdas/http/admin-auth.ts).
  { method: 'POST', path: '/admin/events/{eventId}/check-ins', functionName: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/events/{eventId}/check-ins', functionName: 'admin', auth: 'admin' },
  {
    method: 'DELETE',
    path: '/admin/events/{eventId}/check-ins/{registrationId}',
    functionName: 'admin',
    auth: 'admin',
  },
];

/** Functions that run on a schedule rather than behind a route. */
export const scheduledFunctionSpecs = {
  sendDueEmails: {
    entry: 'lambdas/handlers/send-due-emails.ts',
    description:
      'Every minute: sends the emails that are due (first attempts the sender missed, retries with backoff)',
    everyMinutes: 1,
    sendsEmail: true,
    tableAccess: {
      // An email reads the event definition alone (never the seat counters) and its registration; MSG#: the
      // texts of a message's copy. The entries themselves come from the outbox queue (gsi1), never a GetItem.
      readKeyPrefixes: [item.event, item.registration, item.message],
      // MAIL#: claim and settle; REG#: delivery state, a fresh manage token; MSG#: a message's counts of copies
      // sent and failed; CODE#: a fresh manage token brings a fresh check-in code.
      writeKeyPrefixes: [item.registration, item.outbox, item.message, item.checkInCode],
      // The waiting-list queue: the places in line an email to someone waiting mentions.
      queryIndexPartitions: [outbox, waitingQueues],
    },
  },
  promoteWaitingLists: {
    entry: 'lambdas/handlers/promote-waiting-lists.ts',
    description:
      'Every minute: hands free seats to the people waiting, in case a promotion right after a change failed',
    everyMinutes: 1,
    tableAccess: {
      readKeyPrefixes: [item.event, item.workshop, item.registration, item.waiting, item.eventRegistry],
      writeKeyPrefixes: [item.workshop, item.registration, item.waiting, item.outbox, item.checkInCode],
      queryIndexPartitions: [waitingQueues],
    },
  },
  purgePersonalData: {
    entry: 'lambdas/handlers/purge-personal-data.ts',
    description: 'Daily: removes the personal data of registrations whose retention period has passed',
    everyMinutes: 24 * 60,
    tableAccess: {
      // The event ids, each event's definition (its retention period, never the seat counters), the registrations.
      readKeyPrefixes: [item.event, item.registration, item.eventRegistry],
      // WAIT#: an anonymised registration leaves its waiting lists; its check-ins and code go (CHECKIN#, CODE#).
      writeKeyPrefixes: [item.registration, item.emailGuard, item.waiting, item.checkInCode, item.checkIn],
      // The registration index without personal data: the ids, each registration then read by its key.
      queryIndexPartitions: [registrations],
      queryIndexAttributes: SEAT_HOLDER_ATTRIBUTES,
    },
  },
  consistencyCheck: {
    entry: 'lambdas/handlers/consistency-check.ts',
    description: 'Every 15 minutes: seat counters against the confirmed registrations holding them',
    everyMinutes: 15,
    tableAccess: {
      readKeyPrefixes: [item.event, item.workshop, item.eventRegistry],
      writeKeyPrefixes: [],
      // The registration index without personal data: seat holders' status and choices only.
      queryIndexPartitions: [registrations],
      queryIndexAttributes: SEAT_HOLDER_ATTRIBUTES,
    },
  },
  sendReminders: {
    entry: 'lambdas/handlers/send-reminders.ts',
    description:
      'Every 15 minutes: the reminders due (reminders.daysBefore, from 09:00 event time), one outbox entry per confirmed registration',
    everyMinutes: 15,
    tableAccess: {
      // The event ids and each event's definition (its date and reminder days), never the seat counters.
      readKeyPrefixes: [item.event, item.eventRegistry],
      // MAIL#: the reminder's outbox entry, a PutItem only if it does not exist (IAM authorises a conditional
      // write as the write alone: no read grant).
      writeKeyPrefixes: [item.outbox],
      // The registration index without personal data: ids and statuses only.
      queryIndexPartitions: [registrations],
      queryIndexAttributes: SEAT_HOLDER_ATTRIBUTES,
    },
  },
} as const satisfies Record<string, ScheduledFunctionSpec>;

export type ScheduledFunctionName = keyof typeof scheduledFunctionSpecs;

/**
 * Neither behind a route nor on a schedule: subscribed (SNS) to the bounce and complaint events of the SES
 * configuration set, in stages that have one (`lib/constructs/email-feedback.ts`). Not in the local stack,
 * which has no SES events.
 */
export const emailFeedbackFunctionSpec = {
  entry: 'lambdas/handlers/email-feedback.ts',
  description: 'SES bounces and complaints (SNS): marks the registration emailState bounced or complained',
  // One conditional UpdateItem on the registration; it reads nothing else.
  tableAccess: { readKeyPrefixes: [], writeKeyPrefixes: [item.registration], queryIndexPartitions: [] },
} as const satisfies FunctionSpec;

/**
 * Fed by the table's DynamoDB stream (NEW_IMAGE), filtered to new outbox entries: the first attempt at every
 * email, right after the commit that owed it, so that no request waits for SES. The local stack feeds it the
 * embedded DynamoDB's change feed with the same filter.
 */
export const emailSenderFunctionSpec = {
  entry: 'lambdas/handlers/send-new-emails.ts',
  description:
    'DynamoDB stream (new MAIL# outbox entries, new message recipient lists): sends each email right after its commit, fans messages out',
  sendsEmail: true,
  tableAccess: {
    // The entry comes in the stream record (no read of MAIL#); an email reads the event definition alone (never
    // the seat counters) and its registration (also each one a programme notice goes to); MSG#: a message's texts.
    readKeyPrefixes: [item.event, item.registration, item.message],
    // MAIL#: claim and settle the entry, and the entries a recipient list or a programme notice fans out into;
    // REG#: its delivery state, a fresh token, a programme notice's version; MSG#: a message's counts, a list
    // marked fanned out; CODE#: a fresh manage token brings a fresh check-in code.
    writeKeyPrefixes: [item.registration, item.outbox, item.message, item.checkInCode],
    // gsi1: the event's waiting-list queue, for the places in line an email mentions.
    queryIndexPartitions: [waitingQueues],
  },
} as const satisfies FunctionSpec;

/** The event source mapping's filter (Lambda event filtering syntax): inserted items whose pk starts `MAIL#`. */
export const newOutboxEntryFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { pk: { S: [{ prefix: keyPrefixes.outbox }] } } },
} as const;

/** The mapping's second filter: a new recipient list of an organisers' message, for the fan-out (issue 16). */
export const messageRecipientsFilter = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      pk: { S: [{ prefix: keyPrefixes.message }] },
      sk: { S: [{ prefix: RECIPIENT_LIST_PREFIX }] },
    },
  },
} as const;

/** How the stream feeds the sender: small batches soon, failures retried alone and then parked. */
export const emailStreamSettings = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  retryAttempts: 3,
  maxRecordAgeSeconds: 60 * 60,
  parallelizationFactor: 2,
  /** The sender paces to SES's send rate: a batch of 10 at a slow account's rate takes up to half a minute. */
  timeoutSeconds: 60,
} as const;
