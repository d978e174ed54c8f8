import { createDocumentClient } from './adapters/dynamodb/client.js';
import { DynamoStore } from './adapters/dynamodb/dynamo-store.js';
import { cryptoSecrets, systemClock } from './adapters/system.js';
import { readConfig } from './config.js';

/**
 * The composition root: configuration, SDK clients and adapters, created once per container (on first use)
 * and shared by every invocation. Handlers ask for what they need; use cases receive it as plain arguments.
 */
function build() {
  const config = readConfig();
  const documentClient = createDocumentClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    requestTimeoutMs: config.dynamodbRequestTimeoutMs,
    connectionTimeoutMs: config.dynamodbConnectionTimeoutMs,
  });
  const store = new DynamoStore(documentClient, config.tableName);
  return { config, store, clock: systemClock, secrets: cryptoSecrets };
}

let container: ReturnType<typeof build> | undefined;

export function dependencies(): ReturnType<typeof build> {
  container ??= build();
  return container;
}
