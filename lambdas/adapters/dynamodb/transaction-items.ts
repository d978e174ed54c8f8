import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../../domain/email.js';
import type { EventDefinition, WorkshopDefinition } from '../../domain/event-definition.js';
import { ERASED } from '../../domain/privacy.js';
import type { Registration, StoredRegistration } from '../../domain/registration.js';
import type { WaitingEntry } from '../../domain/waiting-list.js';
import {
  emailGuardKey,
  eventKey,
  eventRegistryKey,
  registrationIndexKeys,
  registrationKey,
  seatShardKey,
  waitingEntryKey,
  waitingIndexKeys,
  workshopKey,
} from './keys.js';
import { dueIndexKeys, outboxKey } from './outbox.js';

/**
 * Every item the adapters put into a TransactWriteItems, in one place: what each writes and under which
 * condition. What a failed condition means is the caller's to say (`transaction-refusals.ts`), because the same
 * item can mean different things in different transactions.
 */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Takes one seat of one of a workshop's seat shards (`seat-shards.ts`) under `taken < share`; a workshop item
 * written before the shards (no `share`) is one shard whose share is its capacity. On failure the old item comes
 * back, so a full shard (item present) can be told from one that does not exist (no item).
 */
export function takeSeat(
  tableName: string,
  eventId: string,
  workshopId: string,
  shard: number,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: seatShardKey(eventId, workshopId, shard),
      UpdateExpression: 'SET taken = taken + :one',
      ConditionExpression:
        'attribute_exists(pk) AND (taken < #share OR (attribute_not_exists(#share) AND taken < #capacity))',
      ExpressionAttributeNames: { '#share': 'share', '#capacity': 'capacity' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** `taken > 0` keeps a shard's counter from going negative (the shard was read with seats taken). */
export function releaseSeat(
  tableName: string,
  eventId: string,
  workshopId: string,
  shard: number,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: seatShardKey(eventId, workshopId, shard),
      UpdateExpression: 'SET taken = taken - :one',
      ConditionExpression: 'attribute_exists(pk) AND taken > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  };
}

/**
 * An update of a registration in the status it was read in, only if nobody changed it since (optimistic
 * concurrency on `version`). `:next` is the version it gets.
 */
export function registrationUpdate(
  tableName: string,
  current: Pick<StoredRegistration, 'id' | 'status' | 'version'>,
  updateExpression: string,
  values: Record<string, unknown>,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: registrationKey(current.id),
      UpdateExpression: updateExpression,
      ConditionExpression: '#status = :status AND version = :version',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...values,
        ':status': current.status,
        ':version': current.version,
        ':next': current.version + 1,
      },
    },
  };
}

/** A new registration, with its place in the event's (sharded) index; never over an existing one. */
export function registrationPut(
  tableName: string,
  registration: Registration,
  stored: Record<string, unknown>,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...registrationKey(registration.id),
        ...registrationIndexKeys(registration.eventId, registration.id, registration.createdAt),
        type: 'registration',
        ...registration,
        ...stored,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Removes name, email address, organisation and job title (and the emails' state) from a registration, if it is
 * still the version read. `removed` is the registration as it will be.
 */
export function personalDataRemoval(
  tableName: string,
  current: StoredRegistration,
  removed: StoredRegistration,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: registrationKey(current.id),
      UpdateExpression:
        'SET #name = :erased, email = :erased, organisation = :erased, emailHash = :empty, ' +
        'manageTokenHash = :empty, personalDataRemoved = :removed, updatedAt = :at, version = :next ' +
        'REMOVE jobTitle, confirmation, waitingFor, emailState, emailFeedback',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':erased': ERASED,
        ':empty': '',
        ':removed': removed.personalDataRemoved,
        ':at': removed.updatedAt,
        ':version': current.version,
        ':next': removed.version,
      },
    },
  };
}

/**
 * The one-active-registration-per-address guard of an event. When it exists the old item comes back: whose
 * the address is tells "already registered" from "already waiting".
 */
export function emailGuardPut(
  tableName: string,
  registration: Pick<Registration, 'eventId' | 'id'>,
  emailHash: string,
  expiresAt: number | undefined,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...emailGuardKey(registration.eventId, emailHash),
        type: 'email-guard',
        eventId: registration.eventId,
        registrationId: registration.id,
        expiresAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Checks that no guard exists under this hash (the same address under the earlier rule). */
export function emailGuardAbsent(tableName: string, eventId: string, emailHash: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: emailGuardKey(eventId, emailHash),
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** The guard goes with the registration (cancelled or anonymised), unless it is already another's. */
export function emailGuardDelete(
  tableName: string,
  current: Pick<StoredRegistration, 'eventId' | 'emailHash' | 'id'>,
): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: emailGuardKey(current.eventId, current.emailHash),
      ConditionExpression: 'attribute_not_exists(pk) OR registrationId = :id',
      ExpressionAttributeValues: { ':id': current.id },
    },
  };
}

/** The outbox entry as part of the transaction that owes the email: both commit or neither does. */
export function outboxPut(tableName: string, entry: OutboxEntry, expiresAt?: number): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...outboxKey(entry.id), ...dueIndexKeys(entry), type: 'outbox', ...entry, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The put of a new waiting entry; it fails when the registration is already on that list. */
export function waitingEntryPut(tableName: string, entry: WaitingEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...waitingEntryKey(entry.eventId, entry.id),
        ...waitingIndexKeys(entry.eventId, entry.id, entry.joinedAt),
        type: 'waiting-entry',
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The delete of a waiting entry that goes with a change of its registration (cancel, change, anonymise). */
export function waitingEntryDelete(tableName: string, eventId: string, entryId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: waitingEntryKey(eventId, entryId) } };
}

/** The delete of this very entry: a lagging index may still show one that was left and joined again since. */
export function sameWaitingEntryDelete(tableName: string, entry: WaitingEntry): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: waitingEntryKey(entry.eventId, entry.id),
      ConditionExpression: 'joinedAt = :joinedAt',
      ExpressionAttributeValues: { ':joinedAt': entry.joinedAt },
    },
  };
}

/**
 * An event's definition, as the organisers last put it. `revision` is new with every put: a reader that parsed
 * this definition before knows it still holds by reading the revision alone.
 */
export function eventPut(
  tableName: string,
  eventId: string,
  definition: EventDefinition,
  now: string,
  revision: string,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...eventKey(eventId), type: 'event', eventId, definition, updatedAt: now, revision },
    },
  };
}

/** The registry of events, so that scheduled checks find every event however it was loaded. */
export function eventRegistryAdd(tableName: string, eventId: string): TransactItem {
  return { Update: eventRegistryUpdate(tableName, eventId) };
}

/** The same update on its own (`UpdateItem`), for the admin API's registry. */
export function eventRegistryUpdate(tableName: string, eventId: string) {
  return {
    TableName: tableName,
    Key: eventRegistryKey(),
    UpdateExpression: 'SET #type = :registry ADD eventIds :ids',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':registry': 'event-registry', ':ids': new Set([eventId]) },
  };
}

/**
 * How a put leaves a workshop's seat shards: `share` is shard 0's new share when the capacity is spread anew
 * (with `readCapacity` the capacity read, or undefined for a new workshop); without `share` the capacity and
 * the shares stay as read (the condition holds the capacity to what was read, so that a concurrent put that
 * spread it anew is not undone halfway).
 */
export type ShardLayout = { share?: number; readCapacity?: number };

/**
 * A workshop's own item, which is also its seat shard 0: title, round, the total capacity, and shard 0's share
 * and `taken` (a new workshop starts at 0). A new share is never below what the shard has taken.
 */
export function workshopUpsert(
  tableName: string,
  eventId: string,
  roundId: string,
  workshop: WorkshopDefinition,
  now: string,
  layout: ShardLayout,
): TransactItem {
  const spread = layout.share !== undefined;
  return {
    Update: {
      TableName: tableName,
      Key: workshopKey(eventId, workshop.id),
      UpdateExpression:
        'SET #type = :type, eventId = :eventId, workshopId = :workshopId, roundId = :roundId, ' +
        `title = :title, #capacity = :capacity, taken = if_not_exists(taken, :zero), updatedAt = :now${spread ? ', #share = :share' : ''}`,
      ConditionExpression:
        layout.readCapacity === undefined
          ? 'attribute_not_exists(pk)'
          : `#capacity = :readCapacity${spread ? ' AND taken <= :share' : ''}`,
      ExpressionAttributeNames: {
        '#type': 'type',
        '#capacity': 'capacity',
        ...(spread ? { '#share': 'share' } : {}),
      },
      ExpressionAttributeValues: {
        ':type': 'workshop',
        ':eventId': eventId,
        ':workshopId': workshop.id,
        ':roundId': roundId,
        ':title': workshop.title,
        ':capacity': workshop.capacity,
        ':zero': 0,
        ':now': now,
        ...(spread ? { ':share': layout.share } : {}),
        ...(layout.readCapacity !== undefined ? { ':readCapacity': layout.readCapacity } : {}),
      },
    },
  };
}

/**
 * A seat shard n > 0 with its new share, never below what it has taken; `readShare` is the share read (the
 * shard is new when undefined), so that a concurrent put cannot make the shares miss the capacity.
 */
export function seatShardPut(
  tableName: string,
  eventId: string,
  workshopId: string,
  shard: number,
  share: number,
  readShare: number | undefined,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: seatShardKey(eventId, workshopId, shard),
      UpdateExpression:
        'SET #type = :type, eventId = :eventId, workshopId = :workshopId, #shard = :shard, #share = :share, ' +
        'taken = if_not_exists(taken, :zero)',
      ConditionExpression:
        readShare === undefined ? 'attribute_not_exists(pk)' : '#share = :readShare AND taken <= :share',
      ExpressionAttributeNames: { '#type': 'type', '#shard': 'shard', '#share': 'share' },
      ExpressionAttributeValues: {
        ':type': 'seat-shard',
        ':eventId': eventId,
        ':workshopId': workshopId,
        ':shard': shard,
        ':share': share,
        ':zero': 0,
        ...(readShare === undefined ? {} : { ':readShare': readShare }),
      },
    },
  };
}

/**
 * A new share for one seat shard, under the share read and never below what it has taken: moving free seats between
 * a workshop's shards, every shard of it in one transaction, so the shares keep adding up to the capacity.
 */
export function seatShareMove(
  tableName: string,
  eventId: string,
  workshopId: string,
  shard: number,
  share: number,
  readShare: number,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: seatShardKey(eventId, workshopId, shard),
      UpdateExpression: 'SET #share = :share',
      ConditionExpression: '#share = :readShare AND taken <= :share',
      ExpressionAttributeNames: { '#share': 'share' },
      ExpressionAttributeValues: { ':share': share, ':readShare': readShare },
    },
  };
}
