import * as iam from 'aws-cdk-lib/aws-iam';
import type { TableAccess } from '../lambdas/routes.js';

/** Item actions a function may use to read the partitions it is granted. */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;

/**
 * Item actions a function may use to write the partitions it is granted. A `TransactWriteItems`
 * call is authorised per underlying action (Put/Update/Delete/ConditionCheck), so it needs nothing more.
 */
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export const QUERY_ACTIONS = ['dynamodb:Query'] as const;

function leadingKeysCondition(prefixes: readonly string[]): Record<string, Record<string, string[]>> {
  for (const prefix of prefixes) {
    if (prefix.length === 0 || /[*?]/.test(prefix)) {
      throw new Error(
        `Invalid partition key prefix ${JSON.stringify(prefix)}: must be non-empty, no wildcards.`,
      );
    }
  }
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) },
  };
}

/**
 * Least-privilege statements for one function's declared table access: item reads and writes limited
 * to the declared partition key prefixes, queries limited to the declared indexes. Empty access → no statements.
 */
export function tableAccessStatements(tableArn: string, access: TableAccess): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  if (access.readKeyPrefixes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadOwnPartitions',
        actions: [...READ_ACTIONS],
        resources: [tableArn],
        conditions: leadingKeysCondition(access.readKeyPrefixes),
      }),
    );
  }
  if (access.writeKeyPrefixes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WriteOwnPartitions',
        actions: [...WRITE_ACTIONS],
        resources: [tableArn],
        conditions: leadingKeysCondition(access.writeKeyPrefixes),
      }),
    );
  }
  if (access.queryIndexes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'QueryIndexes',
        actions: [...QUERY_ACTIONS],
        resources: access.queryIndexes.map((indexName) => `${tableArn}/index/${indexName}`),
      }),
    );
  }
  return statements;
}

/** KMS actions DynamoDB makes on the caller's behalf when the caller only reads a table with a customer-managed key. */
export const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
/** …and when it also writes (as `grantWriteData` would, without its wildcard actions). */
export const KEY_WRITE_ACTIONS = [...KEY_READ_ACTIONS, 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * Use of the table's customer-managed key, only through DynamoDB in the stack's region (`kms:ViaService`),
 * for a function that has any table access; none for a function that has none.
 */
export function tableKeyStatement(
  keyArn: string,
  access: TableAccess,
  region: string,
): iam.PolicyStatement | undefined {
  const reads = access.readKeyPrefixes.length > 0 || access.queryIndexes.length > 0;
  const writes = access.writeKeyPrefixes.length > 0;
  if (!reads && !writes) return undefined;
  return new iam.PolicyStatement({
    sid: 'UseTableKeyThroughDynamoDB',
    actions: [...(writes ? KEY_WRITE_ACTIONS : KEY_READ_ACTIONS)],
    resources: [keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
  });
}
