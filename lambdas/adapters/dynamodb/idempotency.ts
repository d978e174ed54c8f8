import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyReused, RequestInProgress, TryAgain } from '../../domain/errors.js';
import { META } from './keys.js';
import { TTL_ATTRIBUTE } from './table-definition.js';

/**
 * Powertools' DynamoDB persistence, in the single table. Each idempotency record gets its own partition
 * (`IDEMP#…`/`META`): the library's sort-key mode would put every record under one static partition key,
 * a hot partition that would cap all registrations at about 1,000 writes per second.
 */
class SingleTablePersistenceLayer extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return { pk: { S: idempotencyKey }, sk: { S: META } };
  }
}

/** A request made idempotent: the same key returns the first result; the body must match the first one. */
export type IdempotentRequest<Payload> = { key: string; payload: Payload };

export type IdempotentRunner = <Payload, Result>(
  request: IdempotentRequest<Payload>,
  context: Context | undefined,
  run: (payload: Payload) => Promise<Result>,
) => Promise<Result>;

/**
 * Runs an operation at most once per key within `expiresAfterSeconds`, with Powertools' idempotency utility.
 * A successful result is stored and replayed; a thrown error stores nothing, so a retry runs again.
 * Library errors become the contract's: in flight → REQUEST_IN_PROGRESS, other payload → IDEMPOTENCY_KEY_REUSED.
 */
export function createIdempotentRunner(options: {
  client: DynamoDBClient;
  tableName: string;
  keyPrefix: string;
  expiresAfterSeconds: number;
}): IdempotentRunner {
  const persistenceStore = new SingleTablePersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
    keyAttr: 'pk',
    expiryAttr: TTL_ATTRIBUTE,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
  });

  // Only the first argument (key and payload) is hashed and validated; the second is the work to do.
  const idempotent = makeIdempotent(
    async (request: IdempotentRequest<unknown>, run: (payload: unknown) => Promise<unknown>) =>
      run(request.payload),
    { persistenceStore, config, keyPrefix: options.keyPrefix, dataIndexArgument: 0 },
  );

  return async <Payload, Result>(
    request: IdempotentRequest<Payload>,
    context: Context | undefined,
    run: (payload: Payload) => Promise<Result>,
  ) => {
    // The remaining time lets the library expire an in-flight record if this invocation dies midway.
    if (context) config.registerLambdaContext(context);
    try {
      return (await idempotent(request, run as (payload: unknown) => Promise<unknown>)) as Result;
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) throw new RequestInProgress();
      if (error instanceof IdempotencyValidationError) throw new IdempotencyKeyReused();
      if (error instanceof IdempotencyPersistenceLayerError) throw new TryAgain(1);
      throw error;
    }
  };
}
