import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoStore } from '../lambdas/adapters/dynamodb/dynamo-store.js';
import type { LocalStack } from '../local/stack.js';

/** What every phase gets: the running local stack and a store/client of its own on the same DynamoDB. */
export type BenchContext = {
  stack: LocalStack;
  /** A DynamoStore on the stack's DynamoDB endpoint, outside the API (events, direct paths). */
  store: DynamoStore;
  /** A document client on the same endpoint, for reading the table back. */
  documentClient: DynamoDBDocumentClient;
};
