import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { REGISTRATION_INDEX } from '../lambdas/adapters/dynamodb/keys.js';
import {
  INDEX_PARTITION_KEY,
  INDEX_SORT_KEY,
  TABLE_PARTITION_KEY,
  TABLE_SORT_KEY,
  TTL_ATTRIBUTE,
} from '../lambdas/adapters/dynamodb/table-definition.js';
import type { StageConfig } from './stage-config.js';

export type DataStackProps = StackProps & {
  readonly config: StageConfig;
};

/** Attribute names of the single table come from the one table definition that the local stack also uses. */
export const tableKeys = {
  partitionKey: TABLE_PARTITION_KEY,
  sortKey: TABLE_SORT_KEY,
  gsi1: { indexName: REGISTRATION_INDEX, partitionKey: INDEX_PARTITION_KEY, sortKey: INDEX_SORT_KEY },
  ttlAttribute: TTL_ATTRIBUTE,
} as const;

/**
 * Stateful resources. Kept apart from the API so that the stateless stack can be replaced,
 * renamed or destroyed without ever touching data. Nothing here is deleted with the stack.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableKeys.ttlAttribute,
    });
    table.addGlobalSecondaryIndex({
      indexName: tableKeys.gsi1.indexName,
      partitionKey: { name: tableKeys.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.table = table;
  }
}
