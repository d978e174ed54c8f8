import { createIdempotentRunner, type IdempotentRunner } from './adapters/dynamodb/idempotency.js';
import { keyPrefixes } from './adapters/dynamodb/keys.js';
import { dependencies } from './composition.js';

/**
 * The `Idempotency-Key` runner of the sign-up routes, created once per container. Apart from `composition.ts`
 * so that only the register function bundles and loads Powertools idempotency and its JMESPath engine.
 */
function build(): IdempotentRunner {
  const { config, documentClient } = dependencies();
  // A form retried within a day (double click, flaky network) gets the first answer and books nothing twice.
  return createIdempotentRunner({
    client: documentClient,
    tableName: config.tableName,
    keyPrefix: `${keyPrefixes.idempotency}register`,
    expiresAfterSeconds: 24 * 60 * 60,
  });
}

let runner: IdempotentRunner | undefined;

export function idempotentRegistration(): IdempotentRunner {
  runner ??= build();
  return runner;
}
