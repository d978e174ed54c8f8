import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { workshopKey } from './keys.js';

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
