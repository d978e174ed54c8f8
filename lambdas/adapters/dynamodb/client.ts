import { Agent } from 'node:http';
import { readLocalCredentials } from '../../config.js';
import { DynamoDBClient, DynamoDBDocumentClient } from '../aws-sdk.js';

export type DynamoClientOptions = {
  region: string;
  /** A local or test endpoint (the embedded DynamoDB); unset in AWS. */
  endpoint?: string;
  requestTimeoutMs: number;
  /**
   * Waiting for a free socket counts against the connection timeout. In Lambda one request runs at a time;
   * the local stack and tests run hundreds at once in one process, so they raise both.
   */
  connectionTimeoutMs?: number;
  maxSockets?: number;
};

/** Created once per container by the composition root, never per request. */
export function createDocumentClient(options: DynamoClientOptions): DynamoDBDocumentClient {
  return documentClientFor(createDynamoClient(options));
}

export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          // The embedded endpoint accepts any credentials; real ones are used when present.
          credentials: readLocalCredentials(),
        }
      : {}),
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 2_000,
      requestTimeout: options.requestTimeoutMs,
      // Without this the handler only logs a warning when the time runs out and the call hangs on.
      throwOnRequestTimeout: true,
      ...(options.maxSockets
        ? { httpAgent: new Agent({ keepAlive: true, maxSockets: options.maxSockets }) }
        : {}),
    },
  });
}

export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
