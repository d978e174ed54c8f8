import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { REGISTRATION_INDEX } from './keys.js';

/**
 * The table's shape, in one place: the local stack and the tests create it from here, and a CDK
 * assertion test checks that the deployed table has the same keys, index and TTL attribute.
 */
export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_SORT_KEY = 'sk';
export const INDEX_PARTITION_KEY = 'gsi1pk';
export const INDEX_SORT_KEY = 'gsi1sk';
export const TTL_ATTRIBUTE = 'expiresAt';

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: TABLE_SORT_KEY, AttributeType: 'S' },
      { AttributeName: INDEX_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: INDEX_SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: TABLE_SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: REGISTRATION_INDEX,
        KeySchema: [
          { AttributeName: INDEX_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: INDEX_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
