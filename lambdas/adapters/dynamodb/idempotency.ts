import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyPersistenceLayerError,
  IdempotencyRecordStatus,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyReused, RequestInProgress, TryAgain } from '../../domain/errors.js';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  unmarshall,
} from '../aws-sdk.js';
import { META } from './keys.js';
import { TTL_ATTRIBUTE } from './table-definition.js';

/** The record's attributes, named as Powertools' own DynamoDB persistence names them. */
const STATUS = 'status';
const IN_PROGRESS_EXPIRY = 'in_progress_expiration';
const RESPONSE_DATA = 'data';
const PAYLOAD_HASH = 'validation';

/**
 * Powertools' idempotency records in the single table, each in its own partition (`IDEMP#…`/`META`): the
 * library's sort-key mode would put every record under one static partition key, a hot partition that would cap
 * all registrations at about 1,000 writes per second. A store of our own on the library's `BasePersistenceLayer`
 * (its documented extension point), through the functions' document client: Powertools' DynamoDB persistence
 * imports the SDK as ESM, which kept the register function's cold start at 1.42× the bare client's import
 * against 1.02–1.08× without it (bench, `lambdas/adapters/aws-sdk.ts`). The conditions are the library's.
 */
class SingleTablePersistenceLayer extends BasePersistenceLayer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    super();
  }

  private key(idempotencyKey: string) {
    return { pk: idempotencyKey, sk: META };
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(idempotencyKey), ConsistentRead: true }),
    );
    if (!Item) throw new IdempotencyItemNotFoundError();
    return recordOf(Item);
  }

  /**
   * Written only if no record holds the key, or it expired, or it is in progress past the in-progress expiry of
   * an invocation that died midway; otherwise the library gets the record that is there.
   */
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const now = Date.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(record.idempotencyKey),
            [TTL_ATTRIBUTE]: record.expiryTimestamp,
            [STATUS]: record.getStatus(),
            ...(record.inProgressExpiryTimestamp === undefined
              ? {}
              : { [IN_PROGRESS_EXPIRY]: record.inProgressExpiryTimestamp }),
            ...(this.isPayloadValidationEnabled() && record.payloadHash !== undefined
              ? { [PAYLOAD_HASH]: record.payloadHash }
              : {}),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR #expiry < :now OR ' +
            '(#status = :inProgress AND attribute_exists(#inProgressExpiry) AND #inProgressExpiry < :nowInMillis)',
          ExpressionAttributeNames: {
            '#expiry': TTL_ATTRIBUTE,
            '#status': STATUS,
            '#inProgressExpiry': IN_PROGRESS_EXPIRY,
          },
          ExpressionAttributeValues: {
            ':now': now / 1000,
            ':nowInMillis': now,
            ':inProgress': IdempotencyRecordStatus.INPROGRESS,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The document client leaves the item of a refused condition marshalled.
        throw new IdempotencyItemAlreadyExistsError(
          'Failed to put record for already existing idempotency key',
          error.Item && recordOf(unmarshall(error.Item)),
        );
      }
      throw error;
    }
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const fields: [attribute: string, value: unknown][] = [
      [TTL_ATTRIBUTE, record.expiryTimestamp],
      [STATUS, record.getStatus()],
    ];
    if (record.responseData !== undefined) fields.push([RESPONSE_DATA, record.responseData]);
    if (this.isPayloadValidationEnabled()) fields.push([PAYLOAD_HASH, record.payloadHash]);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(record.idempotencyKey),
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(fields.map(([attribute], i) => [`#f${i}`, attribute])),
        ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
      }),
    );
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: this.key(record.idempotencyKey) }),
    );
  }
}

function recordOf(item: Record<string, unknown>): IdempotencyRecord {
  return new IdempotencyRecord({
    idempotencyKey: item.pk as string,
    status: item[STATUS] as IdempotencyRecord['status'],
    expiryTimestamp: item[TTL_ATTRIBUTE] as number | undefined,
    inProgressExpiryTimestamp: item[IN_PROGRESS_EXPIRY] as number | undefined,
    responseData: item[RESPONSE_DATA] as IdempotencyRecord['responseData'],
    payloadHash: item[PAYLOAD_HASH] as string | undefined,
  });
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
  client: DynamoDBDocumentClient;
  tableName: string;
  keyPrefix: string;
  expiresAfterSeconds: number;
}): IdempotentRunner {
  const persistenceStore = new SingleTablePersistenceLayer(options.client, options.tableName);
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
