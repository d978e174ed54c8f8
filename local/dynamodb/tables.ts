/**
 * The tables the embedded transactions (transactions.ts) work on: the real tables' descriptions (cached while
 * ACTIVE), the scratch copies in the second dynalite where items are evaluated, and consistent batch reads and
 * writes of the touched items.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  groupByTable,
  itemIdentity,
  keyAttributes,
  MAX_ITEMS,
  type Table,
  type Target,
} from './transaction-requests.js';
import {
  compact,
  type DynaliteClient,
  DynamoError,
  dynamoError,
  type Item,
  type Json,
  resourceNotFound,
  stableStringify,
} from './wire.js';

/** Descriptions of the real tables, cached while ACTIVE. */
export class TableCatalog {
  /** ACTIVE real tables by name; cleared by forget() whenever a table is created, updated or deleted. */
  readonly #tables = new Map<string, Table>();

  constructor(readonly real: DynaliteClient) {}

  /** Drops cached table descriptions; call (under the exclusive lock) after CreateTable/UpdateTable/DeleteTable. */
  forget(): void {
    this.#tables.clear();
  }

  async describe(names: string[]): Promise<Map<string, Table>> {
    const tables = new Map<string, Table>();
    for (const name of new Set(names)) {
      let table = this.#tables.get(name);
      if (!table) {
        let description: Json;
        try {
          description = (await this.real.call('DescribeTable', { TableName: name })).Table as Json;
        } catch (error) {
          if (error instanceof DynamoError && error.code === 'ResourceNotFoundException')
            throw resourceNotFound();
          throw error;
        }
        if (description.TableStatus === 'CREATING' || description.TableStatus === 'DELETING') {
          throw resourceNotFound();
        }
        table = { name, key: keyAttributes(description), description };
        if (description.TableStatus === 'ACTIVE') this.#tables.set(name, table);
      }
      tables.set(name, table);
    }
    return tables;
  }
}

/** The scratch copies of the real tables (same key schema and indexes), in the in-memory dynalite. */
export class ScratchTables {
  /** Scratch table name -> signature of the definition it was created with. */
  readonly #created = new Map<string, string>();

  constructor(readonly scratch: DynaliteClient) {}

  /** Creates (or re-creates, when the real table's definition changed) the scratch copy of a table. */
  async ensure(table: Table): Promise<void> {
    const d = table.description;
    const indexes = (list: unknown) =>
      Array.isArray(list)
        ? list.map((i: Json) => ({
            IndexName: i.IndexName,
            KeySchema: i.KeySchema,
            Projection: i.Projection,
          }))
        : undefined;
    const definition = compact({
      TableName: table.name,
      KeySchema: d.KeySchema,
      AttributeDefinitions: d.AttributeDefinitions,
      GlobalSecondaryIndexes: indexes(d.GlobalSecondaryIndexes),
      LocalSecondaryIndexes: indexes(d.LocalSecondaryIndexes),
      BillingMode: 'PAY_PER_REQUEST',
    });
    const signature = stableStringify(definition);
    if (this.#created.get(table.name) === signature) return;

    this.#created.delete(table.name);
    try {
      await this.scratch.call('DeleteTable', { TableName: table.name });
    } catch (error) {
      if (!(error instanceof DynamoError && error.code === 'ResourceNotFoundException')) throw error;
    }
    await this.#waitFor(table.name, undefined);
    await this.scratch.call('CreateTable', definition);
    await this.#waitFor(table.name, 'ACTIVE');
    this.#created.set(table.name, signature);
  }

  /** Polls until the scratch table has `status` (undefined = does not exist). dynalite runs with 0 ms delays. */
  async #waitFor(name: string, status: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      let current: unknown;
      try {
        current = ((await this.scratch.call('DescribeTable', { TableName: name })).Table as Json).TableStatus;
      } catch (error) {
        if (!(error instanceof DynamoError && error.code === 'ResourceNotFoundException')) throw error;
      }
      if (current === status) return;
      await delay(2);
    }
    throw dynamoError(
      'InternalServerError',
      `Scratch table ${name} did not reach ${status ?? 'deleted'}`,
      500,
    );
  }
}

/** Consistent reads of the targets, in order (BatchGetItem, following UnprocessedKeys). */
export async function readItems(client: DynaliteClient, targets: Target[]): Promise<(Item | undefined)[]> {
  const found = new Map<string, Item>();
  for (let start = 0; start < targets.length; start += MAX_ITEMS) {
    let requestItems: Json = {};
    for (const [name, chunk] of groupByTable(targets.slice(start, start + MAX_ITEMS), (t) => t.table.name)) {
      requestItems[name] = { Keys: chunk.map((t) => t.key), ConsistentRead: true };
    }
    while (Object.keys(requestItems).length > 0) {
      const result = await client.call('BatchGetItem', { RequestItems: requestItems });
      for (const [name, items] of Object.entries((result.Responses ?? {}) as Record<string, Item[]>)) {
        const table = targets.find((t) => t.table.name === name)?.table as Table;
        for (const item of items) found.set(itemIdentity(table, item), item);
      }
      requestItems = (result.UnprocessedKeys ?? {}) as Json;
    }
  }
  return targets.map((t) => found.get(itemIdentity(t.table, t.key)));
}

/** Puts `put` when given, else deletes the `delete` key; in BatchWriteItem chunks of 25, following UnprocessedItems. */
export async function batchWrite(
  client: DynaliteClient,
  writes: { table: string; put: Item | undefined; delete: Item }[],
): Promise<void> {
  for (let start = 0; start < writes.length; start += 25) {
    let requestItems: Json = {};
    for (const [name, chunk] of groupByTable(writes.slice(start, start + 25), (w) => w.table)) {
      requestItems[name] = chunk.map((w) =>
        w.put ? { PutRequest: { Item: w.put } } : { DeleteRequest: { Key: w.delete } },
      );
    }
    while (Object.keys(requestItems).length > 0) {
      const result = await client.call('BatchWriteItem', { RequestItems: requestItems });
      requestItems = (result.UnprocessedItems ?? {}) as Json;
    }
  }
}
