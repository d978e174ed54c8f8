import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type CheckInPlace, type CheckInRecord, checkedInAt, checkInCodeOf } from '../../domain/check-in.js';
import type { StoredRegistration } from '../../domain/registration.js';
import type { CheckInStore } from '../../ports.js';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '../aws-sdk.js';
import { allOfIndexPartition } from './index-query.js';
import { checkInCodeKey, checkInIndexPartition, checkInKey } from './keys.js';
import type { TransactItem } from './transaction-items.js';
import { type PlannedItem, planned } from './transaction-refusals.js';
import { readOrTryAgain } from './transactions.js';

/**
 * Check-ins in the single table. A code's lookup item (`CODE#<eventId>#<code>`) names the registration; it is
 * written with every new manage token of a confirmed registration and removed with the personal data. One item
 * per registration (`CHECKIN#<eventId>#<registrationId>`) holds `entranceAt` and `workshopAt#<workshopId>`: a
 * check-in sets its attribute only if it is not there yet, so the same code scanned at two doors at once
 * counts once. Both hold ids and times, nothing else about the person.
 */

const ENTRANCE_ATTRIBUTE = 'entranceAt';
const WORKSHOP_ATTRIBUTE_PREFIX = 'workshopAt#';

function attributeOf(place: CheckInPlace): string {
  return place.kind === 'entrance' ? ENTRANCE_ATTRIBUTE : `${WORKSHOP_ATTRIBUTE_PREFIX}${place.workshopId}`;
}

function toRecord(item: Record<string, unknown>): CheckInRecord {
  const workshops: Record<string, string> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(WORKSHOP_ATTRIBUTE_PREFIX) && typeof value === 'string')
      workshops[name.slice(WORKSHOP_ATTRIBUTE_PREFIX.length)] = value;
  }
  return {
    registrationId: String(item.registrationId),
    eventId: String(item.eventId),
    ...(typeof item[ENTRANCE_ATTRIBUTE] === 'string' ? { entranceAt: item[ENTRANCE_ATTRIBUTE] } : {}),
    workshops,
  };
}

/**
 * The lookup item of the code that belongs to this manage-token hash, for a transaction (none for a hash that
 * was erased). Never a refusal: the code is as new as the token.
 */
function checkInCodePut(
  tableName: string,
  eventId: string,
  registrationId: string,
  manageTokenHash: string,
): PlannedItem[] {
  const code = checkInCodeOf(manageTokenHash);
  if (!code) return [];
  const Item = { ...checkInCodeKey(eventId, code), type: 'check-in-code', eventId, registrationId };
  return [planned({ Put: { TableName: tableName, Item } })];
}

/** Removes the lookup item of an old manage-token hash's code, in a transaction. */
export function checkInCodeDelete(
  tableName: string,
  eventId: string,
  manageTokenHash: string,
): PlannedItem[] {
  const code = checkInCodeOf(manageTokenHash);
  return code ? [planned({ Delete: { TableName: tableName, Key: checkInCodeKey(eventId, code) } })] : [];
}

/** A registration's status and manage-token hash, before or after a write that gives it a new manage token. */
export type TokenHolder = Pick<StoredRegistration, 'status' | 'manageTokenHash'>;

/**
 * The check-in code rotating with a new manage token (a promotion, a resent confirmation, the sender's fresh
 * token), for the transaction that stores the token: the new code's lookup in when the registration is confirmed
 * after the write; the old one's out unless the registration was new or waiting (a waiting one never had a
 * code; a cancelled one may: the cancel keeps it, so that the door says it was cancelled). Last in the transaction:
 * never a refusal, so the positions of the items before stay as documented. The old lookup is only the one to
 * remove while the token is still the one read: condition the registration's update with `onManageTokenRead`.
 */
export function checkInCodeRotation(
  tableName: string,
  registration: Pick<StoredRegistration, 'id' | 'eventId'>,
  before: TokenHolder | undefined,
  after: TokenHolder,
): PlannedItem[] {
  const { id, eventId } = registration;
  const previous = before && before.status !== 'waiting' ? checkInCodeOf(before.manageTokenHash) : undefined;
  const next = after.status === 'confirmed' ? checkInCodeOf(after.manageTokenHash) : undefined;
  return [
    ...(next ? checkInCodePut(tableName, eventId, id, after.manageTokenHash) : []),
    // The same code (the same token) is kept, not removed: one transaction cannot write an item twice.
    ...(before && previous && previous !== next
      ? checkInCodeDelete(tableName, eventId, before.manageTokenHash)
      : []),
  ];
}

/**
 * A registration's update, also conditioned on the manage token read. A write that replaces the token rotates
 * the check-in code of the token read; the sender replaces a token without a new version, so the version alone
 * would let a write based on an older token go through and leave the newer token's code lookup behind.
 */
export function onManageTokenRead(update: TransactItem, manageTokenHash: string | undefined): TransactItem {
  if (!update.Update) throw new Error('onManageTokenRead: not an update');
  const { ConditionExpression, ExpressionAttributeValues } = update.Update;
  // An item written before it had a token (none read) still has none.
  const tokenRead =
    manageTokenHash === undefined ? 'attribute_not_exists(manageTokenHash)' : 'manageTokenHash = :tokenRead';
  return {
    Update: {
      ...update.Update,
      ConditionExpression: ConditionExpression ? `${ConditionExpression} AND ${tokenRead}` : tokenRead,
      ExpressionAttributeValues: {
        ...ExpressionAttributeValues,
        ...(manageTokenHash === undefined ? {} : { ':tokenRead': manageTokenHash }),
      },
    },
  };
}

/** Removes a registration's check-ins (erasure and the retention purge), in a transaction. */
export function checkInsDelete(tableName: string, eventId: string, registrationId: string): PlannedItem {
  return planned({ Delete: { TableName: tableName, Key: checkInKey(eventId, registrationId) } });
}

export class DynamoCheckIns implements CheckInStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async registrationIdForCode(eventId: string, code: string): Promise<string | undefined> {
    const { Item } = await readOrTryAgain(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: checkInCodeKey(eventId, code) })),
    );
    return typeof Item?.registrationId === 'string' ? Item.registrationId : undefined;
  }

  async checkIn(
    eventId: string,
    registrationId: string,
    place: CheckInPlace,
    at: string,
  ): Promise<{ at: string; alreadyCheckedInAt?: string }> {
    const refused = await this.updatePlace(eventId, registrationId, place, {
      UpdateExpression:
        'SET #place = :at, registrationId = :registrationId, eventId = :eventId, #type = :type, ' +
        'gsi1pk = :partition, gsi1sk = :registrationId',
      ConditionExpression: 'attribute_not_exists(#place)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':at': at,
        ':registrationId': registrationId,
        ':eventId': eventId,
        ':type': 'check-in',
        ':partition': checkInIndexPartition(eventId),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    if (!refused) return { at };
    // Checked in here before (or a moment ago at another door): the first time stands.
    const firstAt =
      refused.Item?.[attributeOf(place)]?.S ??
      checkedInAt(await this.checkInsOf(eventId, registrationId), place) ??
      at;
    return { at: firstAt, alreadyCheckedInAt: firstAt };
  }

  async undoCheckIn(eventId: string, registrationId: string, place: CheckInPlace): Promise<boolean> {
    const refused = await this.updatePlace(eventId, registrationId, place, {
      UpdateExpression: 'REMOVE #place',
      ConditionExpression: 'attribute_exists(#place)',
    });
    return refused === undefined;
  }

  /** One conditional update of a registration's check-in item (`#place`: the place's attribute); the refusal, if any. */
  private async updatePlace(
    eventId: string,
    registrationId: string,
    place: CheckInPlace,
    update: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<ConditionalCheckFailedException | undefined> {
    try {
      await readOrTryAgain(() =>
        this.client.send(
          new UpdateCommand({
            ...update,
            TableName: this.tableName,
            Key: checkInKey(eventId, registrationId),
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#place': attributeOf(place) },
          }),
        ),
      );
      return undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error;
      throw error;
    }
  }

  async checkInsOf(eventId: string, registrationId: string): Promise<CheckInRecord | undefined> {
    const { Item } = await readOrTryAgain(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: checkInKey(eventId, registrationId),
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async checkInsAt(eventId: string): Promise<CheckInRecord[]> {
    const items = await allOfIndexPartition(this.client, {
      tableName: this.tableName,
      partition: checkInIndexPartition(eventId),
    });
    return items.map(toRecord);
  }
}
