/**
 * Step 2 of TransactWriteItems (see transactions.ts): each item's own operation, with its condition, runs as
 * the matching single-item call against the scratch tables, which hold the items as they were before the
 * transaction, so dynalite's own expression evaluator decides every condition.
 */
import { randomUUID } from 'node:crypto';
import { singleItemOperation, type WriteItem } from './transaction-requests.js';
import { type DynaliteClient, DynamoError, type Item, type Json } from './wire.js';

/** An item's cancellation reason and, when it succeeded as a Put or Update, its new image. */
export type Evaluation = { reason: Json; after?: Item };

export class ScratchEvaluator {
  /** A table name that never exists in the scratch dynalite (used for static validation). */
  readonly #probeTable = `probe-${randomUUID()}`;

  /** An in-memory dynalite holding only scratch tables. */
  constructor(private readonly scratch: DynaliteClient) {}

  /** Runs the item's operation in the scratch tables; `before` is the item as it was (for ALL_OLD). */
  async evaluate(item: WriteItem, before: Item | undefined): Promise<Evaluation> {
    const { op, payload } = singleItemOperation(item, item.table);
    try {
      const result = await this.scratch.call(op, payload);
      const after =
        item.kind === 'Put'
          ? (item.spec.Item as Item)
          : item.kind === 'Update'
            ? (result.Attributes as Item)
            : undefined;
      return { reason: { Code: 'None' }, after };
    } catch (error) {
      if (!(error instanceof DynamoError)) throw error;
      if (error.code === 'ConditionalCheckFailedException') {
        const reason: Json = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
        if (before && item.spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') reason.Item = before;
        return { reason };
      }
      if (error.code === 'ValidationException') {
        // A malformed request is refused as a whole; only data-dependent errors become a cancellation reason.
        const staticError = await this.#staticError(item);
        if (staticError) throw staticError;
        return { reason: { Code: 'ValidationError', Message: error.message } };
      }
      throw error;
    }
  }

  /**
   * Static validation (see step 2 in transactions.ts): the item's operation against a table that does not exist.
   * Resolves with the ValidationException (or other client error) when the request itself is malformed.
   */
  async #staticError(item: WriteItem): Promise<DynamoError | undefined> {
    const { op, payload } = singleItemOperation(item, this.#probeTable);
    try {
      await this.scratch.call(op, payload);
    } catch (error) {
      if (error instanceof DynamoError && error.code !== 'ResourceNotFoundException') return error;
    }
    return undefined;
  }
}
