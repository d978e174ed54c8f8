/**
 * What a single write (PutItem, UpdateItem, DeleteItem, BatchWriteItem) changed, for the change feed
 * (change-feed.ts): the items it names are read before and after it runs. Transactions publish their own
 * changes (transactions.ts).
 */
import type { ChangeFeed } from './change-feed.js';
import { readItems, type TableCatalog } from './tables.js';
import { checkKey, type Table, type Target } from './transaction-requests.js';
import type { DynaliteClient, Item, Json } from './wire.js';

export class SingleWriteChanges {
  constructor(
    /** The dynalite holding the user's tables. */
    private readonly real: DynaliteClient,
    private readonly tables: TableCatalog,
    private readonly changes: ChangeFeed | undefined,
  ) {}

  /**
   * Runs the write (under the caller's exclusive lock) and tells the change feed what it changed. A request
   * whose items cannot be named (malformed) is run as is: it changes nothing.
   */
  async record<T>(op: string, request: Json, write: () => Promise<T>): Promise<T> {
    if (!this.changes?.active) return write();
    let targets: Target[];
    try {
      targets = await this.#targets(op, request);
    } catch {
      return write();
    }
    const before = await readItems(this.real, targets);
    const result = await write();
    const after = await readItems(this.real, targets);
    this.changes.publish(
      targets.map((target, i) => ({
        tableName: target.table.name,
        keys: target.key,
        before: before[i],
        after: after[i],
      })),
    );
    return result;
  }

  async #targets(op: string, request: Json): Promise<Target[]> {
    const named: { table: string; item: unknown }[] = [];
    if (op === 'BatchWriteItem') {
      for (const [table, writes] of Object.entries((request.RequestItems ?? {}) as Json)) {
        for (const write of writes as Json[]) {
          const put = write.PutRequest as Json | undefined;
          const del = write.DeleteRequest as Json | undefined;
          named.push({ table, item: put ? put.Item : del?.Key });
        }
      }
    } else {
      named.push({ table: String(request.TableName), item: op === 'PutItem' ? request.Item : request.Key });
    }
    const tables = await this.tables.describe(named.map((n) => n.table));
    return named.map(({ table, item }) => {
      const description = tables.get(table) as Table;
      const key = Object.fromEntries(description.key.map(({ name }) => [name, (item as Item)[name]])) as Item;
      return { table: description, key: checkKey(key, description) };
    });
  }
}
