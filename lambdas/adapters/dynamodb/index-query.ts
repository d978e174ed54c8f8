import { type DynamoDBDocumentClient, paginateQuery } from '../aws-sdk.js';
import { REGISTRATION_INDEX } from './keys.js';
import { readOrTryAgain } from './transactions.js';

export type IndexPartitionQuery = {
  tableName: string;
  /** The partition of the event index (`gsi1pk`) to read whole. */
  partition: string;
  /** Only the items of this registration: a filter, so the partition is still read page by page. */
  registrationId?: string;
  /** In descending `gsi1sk` order (newest first where the sort key starts with a time). */
  newestFirst?: boolean;
};

/**
 * Every item of one partition of the event index, through lib-dynamodb's paginator; a busy DynamoDB becomes
 * TryAgain (503), as for every other read.
 */
export function allOfIndexPartition(
  client: DynamoDBDocumentClient,
  query: IndexPartitionQuery,
): Promise<Record<string, unknown>[]> {
  return readOrTryAgain(async () => {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client },
      {
        TableName: query.tableName,
        IndexName: REGISTRATION_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': query.partition,
          ...(query.registrationId === undefined ? {} : { ':id': query.registrationId }),
        },
        ...(query.registrationId === undefined ? {} : { FilterExpression: 'registrationId = :id' }),
        ...(query.newestFirst ? { ScanIndexForward: false } : {}),
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  });
}
