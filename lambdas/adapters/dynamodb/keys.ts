/**
 * The single-table key scheme (DESIGN.md "Data model"). Every registration has its own partition, so
 * no partition key in the base table is shared by all registrations of an event. Listing an event's
 * registrations uses the `gsi1` index, whose partition is sharded so that one busy event cannot make
 * the index the bottleneck (one index partition takes about 1,000 writes per second).
 */

export const META = 'META';
export const REGISTRATION_INDEX = 'gsi1';
export const REGISTRATION_INDEX_SHARDS = 10;

export type Key = { pk: string; sk: string };

/**
 * The partition key prefix of every item kind. The functions' item grants in `lambdas/routes.ts` name these
 * (IAM `dynamodb:LeadingKeys` `<prefix>*`), and test/integration/index-grants.test.ts records that no function
 * touches a partition outside them.
 */
export const keyPrefixes = {
  event: 'EVENT#',
  workshop: 'WORKSHOP#',
  registration: 'REG#',
  emailGuard: 'EMAIL#',
  /** Emails owed (`outbox.ts`). */
  outbox: 'MAIL#',
  /** Powertools' idempotency records (`idempotency.ts`). */
  idempotency: 'IDEMP#',
  audit: 'AUDIT#',
  /** The one item that lists every event id. */
  eventRegistry: 'EVENTS',
  /** Waiting entries and each event's promotion lease. */
  waiting: 'WAIT#',
  /** Organisers' messages and their recipient lists (`message-store.ts`). */
  message: 'MSG#',
  /** A check-in code's lookup item: code → registration id (`check-ins.ts`). */
  checkInCode: 'CODE#',
  /** A registration's check-ins at its event (`check-ins.ts`). */
  checkIn: 'CHECKIN#',
} as const;

export const eventKey = (eventId: string): Key => ({ pk: `${keyPrefixes.event}${eventId}`, sk: META });

export const workshopKey = (eventId: string, workshopId: string): Key => ({
  pk: `${keyPrefixes.workshop}${eventId}#${workshopId}`,
  sk: META,
});

/**
 * One of a workshop's seat counters (issue 21 §3, `seat-shards.ts`): shard 0 is the workshop's own item (title,
 * round, total capacity); shard n > 0 its own partition, so that concurrent registrations write different items.
 */
export const seatShardKey = (eventId: string, workshopId: string, shard: number): Key =>
  shard === 0
    ? workshopKey(eventId, workshopId)
    : { pk: `${keyPrefixes.workshop}${eventId}#${workshopId}#${shard}`, sk: META };

export const registrationKey = (registrationId: string): Key => ({
  pk: `${keyPrefixes.registration}${registrationId}`,
  sk: META,
});

export const emailGuardKey = (eventId: string, emailHash: string): Key => ({
  pk: `${keyPrefixes.emailGuard}${eventId}#${emailHash}`,
  sk: META,
});

/** Spreads an event's registrations over index partitions by a stable hash of the registration id. */
export function registrationIndexShard(registrationId: string): number {
  let hash = 0;
  for (const char of registrationId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % REGISTRATION_INDEX_SHARDS;
}

export const registrationIndexKeys = (eventId: string, registrationId: string, createdAt: string) => ({
  gsi1pk: `EVENT#${eventId}#REGS#${registrationIndexShard(registrationId)}`,
  gsi1sk: `${createdAt}#${registrationId}`,
});

/** The index partition of one registration shard of an event (`gsi1`), read by the admin listing. */
export const registrationIndexPartition = (eventId: string, shard: number | '*'): string =>
  `EVENT#${eventId}#REGS#${shard}`;

/**
 * The organisers' audit log: one item per admin change, in its own partition, and read newest first through
 * `gsi1` on one partition per event (admin changes are rare, so that partition is never hot).
 */
export const auditKey = (eventId: string, auditId: string): Key => ({
  pk: `${keyPrefixes.audit}${eventId}#${auditId}`,
  sk: META,
});

export const auditIndexPartition = (eventId: string): string => `AUDIT#${eventId}`;

export const auditIndexKeys = (eventId: string, auditId: string, at: string) => ({
  gsi1pk: auditIndexPartition(eventId),
  gsi1sk: `${at}#${auditId}`,
});

/**
 * The registry of event ids (a string set `eventIds`), kept by `PUT /admin/events/{eventId}`, so the scheduled
 * consistency check can find every event without scanning the table.
 */
export const eventRegistryKey = (): Key => ({ pk: keyPrefixes.eventRegistry, sk: META });

/**
 * A waiting-list entry, in its own partition; an event's queue is read in order through `gsi1` on one partition
 * per event (joining a list is rare next to registering, so that partition is never hot).
 */
export const waitingEntryKey = (eventId: string, entryId: string): Key => ({
  pk: `${keyPrefixes.waiting}${eventId}#${entryId}`,
  sk: META,
});

export const waitingIndexPartition = (eventId: string): string => `EVENT#${eventId}#WAITING`;

export const waitingIndexKeys = (eventId: string, entryId: string, joinedAt: string) => ({
  gsi1pk: waitingIndexPartition(eventId),
  gsi1sk: `${joinedAt}#${entryId}`,
});

/** The promotion lease of an event: who walks its queue now, and how many walks were asked for. */
export const promotionLeaseKey = (eventId: string): Key => ({
  pk: `${keyPrefixes.waiting}${eventId}`,
  sk: 'LEASE',
});

/** Finds a registration by its check-in code; holds the registration id only. */
export const checkInCodeKey = (eventId: string, code: string): Key => ({
  pk: `${keyPrefixes.checkInCode}${eventId}#${code}`,
  sk: META,
});

/** One item per registration and event with the time of every check-in (entrance, workshop rooms). */
export const checkInKey = (eventId: string, registrationId: string): Key => ({
  pk: `${keyPrefixes.checkIn}${eventId}#${registrationId}`,
  sk: META,
});

/** An event's check-ins, read through `gsi1` for the counts and the door's lists (ids and times only). */
export const checkInIndexPartition = (eventId: string): string => `EVENT#${eventId}#CHECKINS`;

/** Emails due (first attempts that failed, retries), spread over a few `gsi1` partitions by entry id. */
export const outboxIndexPartition = (shard: number | '*'): string => `OUTBOX#${shard}`;

/** An organisers' message (sk `META`) and its recipient lists (sk `RECIPIENTS#<n>`), in one partition. */
export const messageKey = (eventId: string, messageId: string, sk = META): Key => ({
  pk: `${keyPrefixes.message}${eventId}#${messageId}`,
  sk,
});

export const RECIPIENT_LIST_PREFIX = 'RECIPIENTS#';

/** An event's messages, newest first through `gsi1` (messages are rare: never a hot partition). */
export const messageIndexPartition = (eventId: string): string => `EVENT#${eventId}#MESSAGES`;

/**
 * Every `gsi1` partition kind, as an IAM `dynamodb:LeadingKeys` pattern (StringLike: `*` matches any run of
 * characters). Ids never hold `#`, so no pattern covers another kind: `EVENT#*#WAITING` ends in `WAITING`,
 * a registration shard in `#REGS#<digit>`. The functions' index grants in `lambdas/routes.ts` name these.
 */
export const indexPartitions = {
  /** An event's waiting-list queue (names no one: entries hold ids and choices). */
  waitingQueues: waitingIndexPartition('*'),
  /** An event's registrations, sharded: personal data. */
  registrations: registrationIndexPartition('*', '*'),
  /** An event's audit log. */
  audit: auditIndexPartition('*'),
  /** Emails due. */
  outbox: outboxIndexPartition('*'),
  /** An event's messages (texts and counts; names no one). */
  messages: messageIndexPartition('*'),
  /** An event's check-ins (registration ids and times). */
  checkIns: checkInIndexPartition('*'),
} as const;

/**
 * What the seat counter check reads of the registration index: keys, status and workshop choices. No name,
 * email or organisation: its grant allows index queries for these attributes only.
 */
export const SEAT_HOLDER_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'type',
  'id',
  'status',
  'choices',
] as const;
