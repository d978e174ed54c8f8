import * as iam from 'aws-cdk-lib/aws-iam';
import { REGISTRATION_INDEX } from '../lambdas/adapters/dynamodb/keys.js';
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
 * to the declared partition key prefixes, index queries to the declared index partitions. Empty access → no
 * statements.
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
  if (access.queryIndexPartitions.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'QueryOwnIndexPartitions',
        actions: [...QUERY_ACTIONS],
        resources: [`${tableArn}/index/${REGISTRATION_INDEX}`],
        conditions: indexQueryConditions(access),
      }),
    );
  }
  return statements;
}

/**
 * A query names exactly one index partition (`dynamodb:LeadingKeys`, the index's partition key value); it must
 * match one of the function's patterns (StringLike, `*` within a partition pattern). With attributes, the
 * query must ask for specific attributes (`dynamodb:Select`), all of them among those allowed.
 */
function indexQueryConditions(access: TableAccess): Record<string, Record<string, string | string[]>> {
  for (const pattern of access.queryIndexPartitions) {
    if (pattern.length === 0 || pattern.startsWith('*') || pattern.includes('?')) {
      throw new Error(
        `Invalid index partition ${JSON.stringify(pattern)}: use a pattern from indexPartitions.`,
      );
    }
  }
  const partitions = { 'dynamodb:LeadingKeys': [...access.queryIndexPartitions] };
  if (access.queryIndexAttributes === undefined) return { 'ForAllValues:StringLike': partitions };
  return {
    'ForAllValues:StringLike': partitions,
    'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...access.queryIndexAttributes] },
    StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
  };
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
  const reads = access.readKeyPrefixes.length > 0 || access.queryIndexPartitions.length > 0;
  const writes = access.writeKeyPrefixes.length > 0;
  if (!reads && !writes) return undefined;
  return new iam.PolicyStatement({
    sid: 'UseTableKeyThroughDynamoDB',
    actions: [...(writes ? KEY_WRITE_ACTIONS : KEY_READ_ACTIONS)],
    resources: [keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
  });
}
