import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoredRegistration } from '../../domain/registration.js';
import { registrationKey, workshopKey } from './keys.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Takes one seat under `taken < capacity`. On failure the old item comes back, so a full workshop (item
 * present) can be told from one that vanished (no item).
 */
export function takeSeat(tableName: string, eventId: string, workshopId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: workshopKey(eventId, workshopId),
      UpdateExpression: 'SET taken = taken + :one',
      ConditionExpression: 'attribute_exists(pk) AND taken < #capacity',
      ExpressionAttributeNames: { '#capacity': 'capacity' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** `taken > 0` keeps a counter from going negative even if it ever drifted. */
export function releaseSeat(tableName: string, eventId: string, workshopId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: workshopKey(eventId, workshopId),
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
