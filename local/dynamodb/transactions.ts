/**
 * TransactWriteItems / TransactGetItems on top of dynalite (see embedded-dynamodb.ts for the overview).
 *
 * TransactWriteItems runs entirely under the exclusive lock, so nothing interleaves with it:
 *  1. Request checks done here: 1..100 items, one action per item, tables exist, keys match the key schema,
 *     no two actions on the same item (numbers compared by value).
 *  2. Evaluation, by dynalite itself through its public API: the current items are read from the real
 *     tables (consistent BatchGetItem) and copied into scratch tables (same key schema and indexes) in a
 *     second, in-memory dynalite. Each item's own operation, with its condition, then runs there as the
 *     matching single-item call (a ConditionCheck as a conditional DeleteItem). Every condition is thereby
 *     decided by dynalite's expression evaluator against the state from *before* the transaction, and a
 *     successful Put/Update yields the item's new image (ReturnValues ALL_NEW).
 *     Outcome per item: success -> None; ConditionalCheckFailedException -> ConditionalCheckFailed (+ Item
 *     for ALL_OLD); ValidationException -> ValidationError, unless the request itself is malformed: the
 *     same call against a table that does not exist still fails validation (dynalite validates before it
 *     looks the table up), and then the whole request gets that ValidationException, as DynamoDB does.
 *  3. Any reason other than None: TransactionCanceledException, nothing written. Otherwise the new images
 *     are written to the real tables (BatchWriteItem puts/deletes; cannot interleave, the lock is held). If
 *     that fails, the old images are written back and InternalServerError is returned.
 * The scratch tables keep the last evaluated state of transacted items (memory grows with them); step 2
 * overwrites every item it uses, so that leftover state is never read.
 *
 * With the conflict model on (conflict-model.ts) steps 1–2 run under the lock together with the conflict check
 * and the claim of the items; the claimed items are then held for the drawn service time without the lock, and
 * step 3 runs under the lock at its end. Nothing can write a claimed item meanwhile (transactions touching it
 * are cancelled, single-item writes refused), so the evaluation still holds when the new images are written.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ConflictModel } from './conflict-model.js';
import type { ReadWriteLock } from './rw-lock.js';
import {
  canonicalNumber,
  compact,
  type DynaliteClient,
  DynamoError,
  dynamoError,
  type Item,
  type Json,
  resourceNotFound,
  stableStringify,
  validationError,
} from './wire.js';

const MAX_ITEMS = 100;
const TOKEN_VALIDITY_MS = 10 * 60 * 1000;
const WRITE_KINDS = ['ConditionCheck', 'Put', 'Update', 'Delete'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];

type KeyAttribute = { name: string; type: string };
type Table = { name: string; key: KeyAttribute[]; description: Json };
type WriteItem = { kind: WriteKind; spec: Json; table: string };
type GetItem = { spec: Json; table: string };
type Target = { table: Table; key: Item };
type Evaluation = { reason: Json; after?: Item };
/** A write transaction evaluated and ready to be written. */
type Prepared = { targets: Target[]; before: (Item | undefined)[]; evaluations: Evaluation[] };

export type TransactionEngineDeps = {
  /** The dynalite holding the user's tables. */
  real: DynaliteClient;
  /** An in-memory dynalite holding only scratch tables. */
  scratch: DynaliteClient;
  lock: ReadWriteLock;
  now: () => number;
};

export class TransactionEngine {
  readonly #real: DynaliteClient;
  readonly #scratch: DynaliteClient;
  readonly #lock: ReadWriteLock;
  readonly #now: () => number;
  /** ACTIVE real tables by name; cleared by forgetTables() whenever a table is created, updated or deleted. */
  readonly #tables = new Map<string, Table>();
  /** Scratch table name -> signature of the definition it was created with. */
  readonly #scratchTables = new Map<string, string>();
  /** ClientRequestToken -> fingerprint of the successful request and when the token expires. */
  readonly #tokens = new Map<string, { fingerprint: string; expiresAt: number }>();
  /** A table name that never exists in the scratch dynalite (used for static validation). */
  readonly #probeTable = `probe-${randomUUID()}`;
  /** The conflict model when it is on (conflict-model.ts); undefined: one writer at a time, no conflicts. */
  conflictModel: ConflictModel | undefined;

  constructor(deps: TransactionEngineDeps) {
    this.#real = deps.real;
    this.#scratch = deps.scratch;
    this.#lock = deps.lock;
    this.#now = deps.now;
  }

  /** Drops cached table descriptions; call (under the exclusive lock) after CreateTable/UpdateTable/DeleteTable. */
  forgetTables(): void {
    this.#tables.clear();
  }

  async transactWrite(request: Json): Promise<Json> {
    const items = parseWriteItems(request);
    const token = parseToken(request.ClientRequestToken);
    const fingerprint = stableStringify(request.TransactItems);
    const model = this.conflictModel;
    if (!model) {
      return this.#lock.exclusive(async () => {
        if (token !== undefined && this.#isReplay(token, fingerprint)) return writeResponse(request, items);
        const prepared = await this.#prepare(items);
        await this.#commit(items, prepared, token, fingerprint);
        return writeResponse(request, items);
      });
    }

    // Conflict model: claim the items and evaluate under the lock, hold them for the service time without it,
    // then write under the lock. Nothing else can write a claimed item in between, so the evaluation holds.
    const claimed = await this.#lock.exclusive(async () => {
      if (token !== undefined) {
        const inFlight = model.inFlight(token);
        if (inFlight !== undefined && inFlight !== fingerprint) throw idempotentParameterMismatch();
        if (inFlight !== undefined) {
          throw dynamoError(
            'TransactionInProgressException',
            'The transaction with the given request token is already in progress.',
          );
        }
        if (this.#isReplay(token, fingerprint)) return undefined;
      }
      const targets = await this.#targets(items);
      const conflicts = model.heldPositions(targets.map((t) => itemIdentity(t.table, t.key)));
      if (conflicts.length > 0) {
        model.stats.transactionConflicts++;
        throw conflictCancellation(items.length, conflicts);
      }
      const prepared = await this.#prepare(items, targets);
      const release = model.claim(
        targets.map((t) => itemIdentity(t.table, t.key)),
        token === undefined ? undefined : { token, fingerprint },
      );
      return { prepared, release };
    });
    if (!claimed) return writeResponse(request, items);
    try {
      await delay(model.serviceTime());
      await this.#lock.exclusive(() => this.#commit(items, claimed.prepared, token, fingerprint));
      model.stats.transactionsHeld++;
    } finally {
      claimed.release();
    }
    return writeResponse(request, items);
  }

  /**
   * With the conflict model on: refuses a PutItem/UpdateItem/DeleteItem request whose item a transaction holds
   * (TransactionConflictException). Call under the exclusive lock, before the write. Requests whose item
   * cannot be worked out (malformed, unknown table) pass, so that dynalite answers them as usual.
   */
  async assertNotHeld(op: string, request: Json): Promise<void> {
    const model = this.conflictModel;
    if (!model || typeof request.TableName !== 'string') return;
    let identity: string;
    try {
      const table = (await this.#describeTables([request.TableName])).get(request.TableName) as Table;
      identity = itemIdentity(
        table,
        op === 'PutItem' ? keyFromItem(request.Item, table) : checkKey(request.Key, table),
      );
    } catch {
      return;
    }
    if (model.heldPositions([identity]).length > 0) {
      model.stats.writeConflicts++;
      throw transactionConflict();
    }
  }

  /** Tables, targets and the one-operation-per-item check of a write transaction. */
  async #targets(items: WriteItem[]): Promise<Target[]> {
    const tables = await this.#describeTables(items.map((item) => item.table));
    const targets = items.map((item) => {
      const table = tables.get(item.table) as Table;
      const key = item.kind === 'Put' ? keyFromItem(item.spec.Item, table) : checkKey(item.spec.Key, table);
      return { table, key };
    });
    assertOneOperationPerItem(targets);
    return targets;
  }

  /** Evaluates every item against the current state; throws the cancellation when a reason is not None. */
  async #prepare(items: WriteItem[], known?: Target[]): Promise<Prepared> {
    const targets = known ?? (await this.#targets(items));
    const tables = new Set(targets.map((t) => t.table));
    settled(await Promise.allSettled([...tables].map((table) => this.#ensureScratchTable(table))));

    const before = await this.#readItems(this.#real, targets);
    // Make each scratch item equal to the real one (the scratch may still hold older transactions' items).
    await this.#batchWrite(
      this.#scratch,
      targets.map((t, i) => ({ table: t.table.name, put: before[i], delete: t.key })),
    );
    // allSettled, never all: a scratch operation must not still be running when the lock is released.
    const evaluations = settled(
      await Promise.allSettled(items.map((item, i) => this.#evaluate(item, before[i]))),
    );
    if (evaluations.some((e) => e.reason.Code !== 'None')) throw cancelled(evaluations.map((e) => e.reason));
    return { targets, before, evaluations };
  }

  async #commit(
    items: WriteItem[],
    { targets, before, evaluations }: Prepared,
    token: string | undefined,
    fingerprint: string,
  ): Promise<void> {
    await this.#apply(items, targets, before, evaluations);
    if (token !== undefined)
      this.#tokens.set(token, { fingerprint, expiresAt: this.#now() + TOKEN_VALIDITY_MS });
  }

  async transactGet(request: Json): Promise<Json> {
    const gets = parseGetItems(request);
    return this.#lock.shared(async () => {
      const tables = await this.#describeTables(gets.map((get) => get.table));
      const targets = gets.map((get) => {
        const table = tables.get(get.table) as Table;
        return { table, key: checkKey(get.spec.Key, table) };
      });
      assertOneOperationPerItem(targets);
      const conflicts =
        this.conflictModel?.heldPositions(targets.map((t) => itemIdentity(t.table, t.key))) ?? [];
      if (this.conflictModel && conflicts.length > 0) {
        this.conflictModel.stats.transactionConflicts++;
        throw conflictCancellation(gets.length, conflicts);
      }
      const results = await Promise.allSettled(
        gets.map((get, i) =>
          this.#real.call(
            'GetItem',
            compact({
              TableName: get.table,
              Key: targets[i]?.key,
              ProjectionExpression: get.spec.ProjectionExpression,
              ExpressionAttributeNames: get.spec.ExpressionAttributeNames,
              ConsistentRead: true,
            }),
          ),
        ),
      );
      const responses = settled(results).map(({ Item }) => (Item ? { Item } : {}));
      return compact({ Responses: responses, ConsumedCapacity: consumedCapacity(request, gets) });
    });
  }

  /**
   * Static validation (see the file comment): the item's operation against a table that does not exist.
   * Resolves with the ValidationException (or other client error) when the request itself is malformed.
   */
  async #staticError(item: WriteItem): Promise<DynamoError | undefined> {
    const { op, payload } = singleItemOperation(item, this.#probeTable);
    try {
      await this.#scratch.call(op, payload);
    } catch (error) {
      if (error instanceof DynamoError && error.code !== 'ResourceNotFoundException') return error;
    }
    return undefined;
  }

  #isReplay(token: string, fingerprint: string): boolean {
    const now = this.#now();
    for (const [key, entry] of this.#tokens) if (entry.expiresAt <= now) this.#tokens.delete(key);
    const entry = this.#tokens.get(token);
    if (!entry) return false;
    if (entry.fingerprint !== fingerprint) throw idempotentParameterMismatch();
    return true;
  }

  async #describeTables(names: string[]): Promise<Map<string, Table>> {
    const tables = new Map<string, Table>();
    for (const name of new Set(names)) {
      let table = this.#tables.get(name);
      if (!table) {
        let description: Json;
        try {
          description = (await this.#real.call('DescribeTable', { TableName: name })).Table as Json;
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

  /** Creates (or re-creates, when the real table's definition changed) the scratch copy of a table. */
  async #ensureScratchTable(table: Table): Promise<void> {
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
    if (this.#scratchTables.get(table.name) === signature) return;

    this.#scratchTables.delete(table.name);
    try {
      await this.#scratch.call('DeleteTable', { TableName: table.name });
    } catch (error) {
      if (!(error instanceof DynamoError && error.code === 'ResourceNotFoundException')) throw error;
    }
    await this.#waitForScratchTable(table.name, undefined);
    await this.#scratch.call('CreateTable', definition);
    await this.#waitForScratchTable(table.name, 'ACTIVE');
    this.#scratchTables.set(table.name, signature);
  }

  /** Polls until the scratch table has `status` (undefined = does not exist). dynalite runs with 0 ms delays. */
  async #waitForScratchTable(name: string, status: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      let current: unknown;
      try {
        current = ((await this.#scratch.call('DescribeTable', { TableName: name })).Table as Json)
          .TableStatus;
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

  async #evaluate(item: WriteItem, before: Item | undefined): Promise<Evaluation> {
    const { op, payload } = singleItemOperation(item, item.table);
    try {
      const result = await this.#scratch.call(op, payload);
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

  async #apply(
    items: WriteItem[],
    targets: Target[],
    before: (Item | undefined)[],
    evaluations: Evaluation[],
  ) {
    const writes = items.flatMap((item, i) =>
      item.kind === 'ConditionCheck' ? [] : [{ target: targets[i] as Target, i }],
    );
    const write = (image: (i: number) => Item | undefined) =>
      this.#batchWrite(
        this.#real,
        writes.map(({ target, i }) => ({ table: target.table.name, put: image(i), delete: target.key })),
      );
    try {
      await write((i) => evaluations[i]?.after);
    } catch (error) {
      await write((i) => before[i]).catch(() => {});
      throw dynamoError('InternalServerError', `Transaction could not be applied: ${String(error)}`, 500);
    }
  }

  /** Consistent reads of the targets, in order (BatchGetItem, following UnprocessedKeys). */
  async #readItems(client: DynaliteClient, targets: Target[]): Promise<(Item | undefined)[]> {
    const found = new Map<string, Item>();
    for (let start = 0; start < targets.length; start += MAX_ITEMS) {
      let requestItems: Json = {};
      for (const [name, chunk] of groupByTable(
        targets.slice(start, start + MAX_ITEMS),
        (t) => t.table.name,
      )) {
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
  async #batchWrite(
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
}

/** The values of settled promises; throws the first rejection (in list order) if there is one. */
function settled<T>(results: PromiseSettledResult<T>[]): T[] {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function groupByTable<T>(list: T[], tableOf: (entry: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of list) groups.set(tableOf(entry), [...(groups.get(tableOf(entry)) ?? []), entry]);
  return groups;
}

/** The single-item request equivalent to a transaction item (a ConditionCheck becomes a conditional DeleteItem). */
function singleItemOperation(item: WriteItem, tableName: string): { op: string; payload: Json } {
  const { spec } = item;
  const common = {
    TableName: tableName,
    ConditionExpression: spec.ConditionExpression,
    ExpressionAttributeNames: spec.ExpressionAttributeNames,
    ExpressionAttributeValues: spec.ExpressionAttributeValues,
  };
  switch (item.kind) {
    case 'Put':
      return { op: 'PutItem', payload: compact({ ...common, Item: spec.Item }) };
    case 'Update':
      return {
        op: 'UpdateItem',
        payload: compact({
          ...common,
          Key: spec.Key,
          UpdateExpression: spec.UpdateExpression,
          ReturnValues: 'ALL_NEW',
        }),
      };
    default:
      return { op: 'DeleteItem', payload: compact({ ...common, Key: spec.Key }) };
  }
}

function cancelled(reasons: Json[]): DynamoError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
    .map((r) => r.Code)
    .join(', ')}]`;
  // DynamoDB names the member `Message`; `message` is what generic AWS JSON clients read.
  return dynamoError('TransactionCanceledException', message, 400, {
    Message: message,
    CancellationReasons: reasons,
  });
}

/** A cancellation by TransactionConflict at `positions` (default: the first item); the others are None. */
export function conflictCancellation(itemCount: number, positions: readonly number[] = [0]): DynamoError {
  return cancelled(
    Array.from({ length: Math.max(1, itemCount) }, (_, i) =>
      positions.includes(i)
        ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
        : { Code: 'None' },
    ),
  );
}

/** What a single-item write gets when its item is part of an ongoing transaction. */
export function transactionConflict(): DynamoError {
  return dynamoError('TransactionConflictException', 'Transaction is ongoing for the item');
}

function idempotentParameterMismatch(): DynamoError {
  return dynamoError(
    'IdempotentParameterMismatchException',
    'The request uses the same client token as a previous, but non-identical request. ' +
      'Do not reuse a client token with different requests, unless the requests are identical.',
  );
}

function writeResponse(request: Json, items: WriteItem[]): Json {
  return compact({ ConsumedCapacity: consumedCapacity(request, items) });
}

/** Approximate ConsumedCapacity: 2 units per item (transactions cost double), one entry per table. */
function consumedCapacity(request: Json, items: { table: string }[]): Json[] | undefined {
  const mode = request.ReturnConsumedCapacity;
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return undefined;
  const perTable = new Map<string, number>();
  for (const item of items) perTable.set(item.table, (perTable.get(item.table) ?? 0) + 2);
  return [...perTable].map(([TableName, units]) =>
    compact({
      TableName,
      CapacityUnits: units,
      Table: mode === 'INDEXES' ? { CapacityUnits: units } : undefined,
    }),
  );
}

function parseList(request: Json): Json[] {
  const list = request.TransactItems;
  if (list == null) {
    throw validationError(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!Array.isArray(list))
    throw new DynamoError(400, { __type: 'com.amazon.coral.service#SerializationException' });
  if (list.length < 1 || list.length > MAX_ITEMS) {
    const bound = list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ITEMS}`;
    throw validationError(
      `1 validation error detected: Value '[${list.length} items]' at 'transactItems' failed to satisfy constraint: ` +
        `Member must have length ${bound}`,
    );
  }
  for (const mode of ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics'] as const) {
    const allowed = mode === 'ReturnConsumedCapacity' ? ['INDEXES', 'TOTAL', 'NONE'] : ['SIZE', 'NONE'];
    checkEnum(request[mode], allowed, lowerFirst(mode));
  }
  return list.map((entry) => (entry !== null && typeof entry === 'object' ? (entry as Json) : {}));
}

function parseWriteItems(request: Json): WriteItem[] {
  return parseList(request).map((entry, i) => {
    const kinds = WRITE_KINDS.filter((kind) => entry[kind] != null);
    const kind = kinds[0];
    if (kinds.length !== 1 || kind === undefined) {
      throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    }
    const spec = entry[kind] as Json;
    const path = `transactItems.${i + 1}.member.${lowerFirst(kind)}`;
    requireString(spec.TableName, `${path}.tableName`);
    if (kind === 'Update') requireString(spec.UpdateExpression, `${path}.updateExpression`);
    if (kind === 'ConditionCheck') requireString(spec.ConditionExpression, `${path}.conditionExpression`);
    checkEnum(
      spec.ReturnValuesOnConditionCheckFailure,
      ['ALL_OLD', 'NONE'],
      `${path}.returnValuesOnConditionCheckFailure`,
    );
    return { kind, spec, table: spec.TableName as string };
  });
}

function parseGetItems(request: Json): GetItem[] {
  return parseList(request).map((entry, i) => {
    const spec = entry.Get;
    if (spec === null || typeof spec !== 'object') {
      throw validationError(
        `1 validation error detected: Value null at 'transactItems.${i + 1}.member.get' failed to satisfy constraint: Member must not be null`,
      );
    }
    requireString((spec as Json).TableName, `transactItems.${i + 1}.member.get.tableName`);
    return { spec: spec as Json, table: (spec as Json).TableName as string };
  });
}

function parseToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || token.length < 1 || token.length > 36) {
    throw validationError(
      "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: " +
        'Member must have length between 1 and 36',
    );
  }
  return token;
}

function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string') {
    throw validationError(
      `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    );
  }
}

function checkEnum(value: unknown, allowed: string[], path: string): void {
  if (value == null || allowed.includes(value as string)) return;
  throw validationError(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function keyAttributes(description: Json): KeyAttribute[] {
  const schema = (description.KeySchema ?? []) as Json[];
  const definitions = (description.AttributeDefinitions ?? []) as Json[];
  return [...schema]
    .sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0))
    .map((k) => ({
      name: k.AttributeName as string,
      type: definitions.find((d) => d.AttributeName === k.AttributeName)?.AttributeType as string,
    }));
}

function emptyKeyError(name: string, type: string): DynamoError {
  return validationError(
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an ' +
      `empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${name}`,
  );
}

/** Validates a Key against the table's key schema (same messages as DynamoDB). */
function checkKey(key: unknown, table: Table): Item {
  const mismatch = () => validationError('The provided key element does not match the schema');
  if (key === null || typeof key !== 'object' || Object.keys(key).length !== table.key.length)
    throw mismatch();
  for (const { name, type } of table.key) {
    const value = (key as Item)[name]?.[type];
    if (value == null) throw mismatch();
    if (value === '' && type !== 'N') throw emptyKeyError(name, type);
  }
  return key as Item;
}

/** Extracts (and validates) the key of a Put's Item. */
function keyFromItem(item: unknown, table: Table): Item {
  const key: Item = {};
  for (const { name, type } of table.key) {
    const attribute = (item as Item | undefined)?.[name];
    if (attribute == null) {
      throw validationError(`One or more parameter values were invalid: Missing the key ${name} in the item`);
    }
    if (attribute[type] == null) {
      throw validationError(
        `One or more parameter values were invalid: Type mismatch for key ${name} expected: ${type} actual: ${Object.keys(attribute)[0]}`,
      );
    }
    if (attribute[type] === '' && type !== 'N') throw emptyKeyError(name, type);
    key[name] = { [type]: attribute[type] };
  }
  return key;
}

/** Identifies an item by table and key value (numbers compared by value, as DynamoDB does). */
function itemIdentity(table: Table, key: Item): string {
  const parts = table.key.map(({ name, type }) => {
    const value = String(key[name]?.[type]);
    return `${type}:${type === 'N' ? canonicalNumber(value) : value}`;
  });
  return JSON.stringify([table.name, ...parts]);
}

function assertOneOperationPerItem(targets: Target[]): void {
  if (new Set(targets.map((t) => itemIdentity(t.table, t.key))).size !== targets.length) {
    throw validationError('Transaction request cannot include multiple operations on one item');
  }
}
