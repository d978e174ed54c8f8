/**
 * The requests of the embedded transactions (transactions.ts): parsing and checking TransactWriteItems and
 * TransactGetItems as DynamoDB does, the keys of the items they touch, the single-item operation each write
 * item is evaluated as, and the errors and responses they answer with.
 */
import {
  canonicalNumber,
  compact,
  DynamoError,
  dynamoError,
  type Item,
  type Json,
  validationError,
} from './wire.js';

export const MAX_ITEMS = 100;
const WRITE_KINDS = ['ConditionCheck', 'Put', 'Update', 'Delete'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];

type KeyAttribute = { name: string; type: string };
export type Table = { name: string; key: KeyAttribute[]; description: Json };
export type WriteItem = { kind: WriteKind; spec: Json; table: string };
export type GetItem = { spec: Json; table: string };
export type Target = { table: Table; key: Item };

/** The values of settled promises; throws the first rejection (in list order) if there is one. */
export function settled<T>(results: PromiseSettledResult<T>[]): T[] {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export function groupByTable<T>(list: T[], tableOf: (entry: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of list) groups.set(tableOf(entry), [...(groups.get(tableOf(entry)) ?? []), entry]);
  return groups;
}

/** The single-item request equivalent to a transaction item (a ConditionCheck becomes a conditional DeleteItem). */
export function singleItemOperation(item: WriteItem, tableName: string): { op: string; payload: Json } {
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

export function cancelled(reasons: Json[]): DynamoError {
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

export function idempotentParameterMismatch(): DynamoError {
  return dynamoError(
    'IdempotentParameterMismatchException',
    'The request uses the same client token as a previous, but non-identical request. ' +
      'Do not reuse a client token with different requests, unless the requests are identical.',
  );
}

export function writeResponse(request: Json, items: WriteItem[]): Json {
  return compact({ ConsumedCapacity: consumedCapacity(request, items) });
}

/** Approximate ConsumedCapacity: 2 units per item (transactions cost double), one entry per table. */
export function consumedCapacity(request: Json, items: { table: string }[]): Json[] | undefined {
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

export function parseList(request: Json): Json[] {
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

export function parseWriteItems(request: Json): WriteItem[] {
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

export function parseGetItems(request: Json): GetItem[] {
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

export function parseToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || token.length < 1 || token.length > 36) {
    throw validationError(
      "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: " +
        'Member must have length between 1 and 36',
    );
  }
  return token;
}

export function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string') {
    throw validationError(
      `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    );
  }
}

export function checkEnum(value: unknown, allowed: string[], path: string): void {
  if (value == null || allowed.includes(value as string)) return;
  throw validationError(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function keyAttributes(description: Json): KeyAttribute[] {
  const schema = (description.KeySchema ?? []) as Json[];
  const definitions = (description.AttributeDefinitions ?? []) as Json[];
  return [...schema]
    .sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0))
    .map((k) => ({
      name: k.AttributeName as string,
      type: definitions.find((d) => d.AttributeName === k.AttributeName)?.AttributeType as string,
    }));
}

export function emptyKeyError(name: string, type: string): DynamoError {
  return validationError(
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an ' +
      `empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${name}`,
  );
}

/** Validates a Key against the table's key schema (same messages as DynamoDB). */
export function checkKey(key: unknown, table: Table): Item {
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
export function keyFromItem(item: unknown, table: Table): Item {
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
export function itemIdentity(table: Table, key: Item): string {
  const parts = table.key.map(({ name, type }) => {
    const value = String(key[name]?.[type]);
    return `${type}:${type === 'N' ? canonicalNumber(value) : value}`;
  });
  return JSON.stringify([table.name, ...parts]);
}

export function assertOneOperationPerItem(targets: Target[]): void {
  if (new Set(targets.map((t) => itemIdentity(t.table, t.key))).size !== targets.length) {
    throw validationError('Transaction request cannot include multiple operations on one item');
  }
}
