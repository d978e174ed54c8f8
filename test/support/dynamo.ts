import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { REGISTRATION_INDEX, REGISTRATION_INDEX_SHARDS } from '../../lambdas/adapters/dynamodb/keys.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb/embedded-dynamodb.js';
import { ensureTable } from '../../local/table.js';

export type TestTable = {
  endpoint: string;
  tableName: string;
  documentClient: DynamoDBDocumentClient;
  embedded?: EmbeddedDynamo;
  close(): Promise<void>;
};

/**
 * A fresh table for one test file: on the embedded DynamoDB, or on any other endpoint given by
 * DYNAMODB_ENDPOINT (the same suite then runs against that DynamoDB).
 */
export async function startTestTable(): Promise<TestTable> {
  const external = process.env.DYNAMODB_ENDPOINT;
  const embedded = external ? undefined : await startEmbeddedDynamo();
  const endpoint = external ?? embedded?.endpoint ?? '';
  const region = process.env.AWS_REGION ?? 'eu-west-1';
  const tableName = `vol-test-${randomUUID().slice(0, 8)}`;
  const admin = new DynamoDBClient({ region, endpoint });
  await ensureTable(admin, tableName);
  const documentClient = createDocumentClient({
    region,
    endpoint,
    requestTimeoutMs: 60_000,
    connectionTimeoutMs: 60_000,
  });
  return {
    endpoint,
    tableName,
    documentClient,
    embedded,
    close: async () => {
      if (external) await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      admin.destroy();
      documentClient.destroy();
      await embedded?.close();
    },
  };
}

/** Every registration item of an event, read through the sharded event index. */
export async function registrationsOfEvent(
  table: TestTable,
  eventId: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let shard = 0; shard < REGISTRATION_INDEX_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.documentClient.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: REGISTRATION_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `EVENT#${eventId}#REGS#${shard}` },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return items;
}
