import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { toAdminRegistration } from '../../domain/admin-registration.js';
import type {
  AuditEntry,
  AuditLog,
  EventRegistry,
  IndexedRegistration,
  RegistrationIndex,
} from '../../ports.js';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '../aws-sdk.js';
import {
  auditIndexKeys,
  auditIndexPartition,
  auditKey,
  eventRegistryKey,
  REGISTRATION_INDEX,
  REGISTRATION_INDEX_SHARDS,
  registrationIndexPartition,
} from './keys.js';
import { eventRegistryUpdate } from './transaction-items.js';
import { readOrTryAgain } from './transactions.js';

/** Query pages never ask for more than this many items at once. */
const MAX_QUERY_LIMIT = 1000;

/** A ProjectionExpression for these attributes (names as placeholders: `status` and others are reserved). */
function projectionOf(
  attributes: readonly string[] | undefined,
): Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'> {
  if (attributes === undefined) return {};
  return {
    ProjectionExpression: attributes.map((_, index) => `#p${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#p${index}`, name])),
  };
}

/**
 * Reads one shard of an event's registration index in sort-key order, a batch at a time. The first batch
 * is small (about this shard's share of a page); each further batch is twice the previous one.
 */
class ShardReader {
  private buffer: Record<string, unknown>[] = [];
  private startKey: Record<string, unknown> | undefined;
  private exhausted = false;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly partition: string,
    private readonly after: string | undefined,
    private batchSize: number,
    private readonly projection: readonly string[] | undefined,
  ) {}

  peek(): Record<string, unknown> | undefined {
    return this.buffer[0];
  }

  take(): Record<string, unknown> | undefined {
    return this.buffer.shift();
  }

  /** Fills the buffer when it is empty and the shard has more. */
  async fill(): Promise<void> {
    while (this.buffer.length === 0 && !this.exhausted) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: REGISTRATION_INDEX,
        KeyConditionExpression:
          this.after === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk > :after',
        ExpressionAttributeValues:
          this.after === undefined
            ? { ':pk': this.partition }
            : { ':pk': this.partition, ':after': this.after },
        ScanIndexForward: true,
        Limit: this.batchSize,
        ExclusiveStartKey: this.startKey,
        ...projectionOf(this.projection),
      };
      const page = await readOrTryAgain(() => this.client.send(new QueryCommand(input)));
      this.buffer = (page.Items ?? []).filter((item) => item.type === 'registration');
      this.startKey = page.LastEvaluatedKey;
      this.exhausted = page.LastEvaluatedKey === undefined;
      this.batchSize = Math.min(MAX_QUERY_LIMIT, this.batchSize * 2);
    }
  }
}

/**
 * The organisers' queries on the single table: the event's registrations through the sharded index
 * (merged into one order), the audit log, and the registry of event ids.
 */
export class DynamoAdminQueries implements RegistrationIndex, AuditLog, EventRegistry {
  /**
   * `options.registrationAttributes`: read only these attributes of the registration index (a function whose
   * grant allows no more, such as the seat counter check with `SEAT_HOLDER_ATTRIBUTES`).
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { registrationAttributes?: readonly string[] } = {},
  ) {}

  /**
   * A k-way merge of the event's index shards: each shard is read in `gsi1sk` (`<createdAt>#<id>`) order
   * and the smallest head is yielded next, so the whole event comes out in (createdAt, id) order.
   */
  async *registrationsOf(
    eventId: string,
    options: { after?: string; pageSizeHint?: number } = {},
  ): AsyncGenerator<IndexedRegistration> {
    const hint = Math.max(1, options.pageSizeHint ?? 50);
    const firstBatch = Math.min(
      MAX_QUERY_LIMIT,
      Math.max(5, Math.ceil((hint * 1.5) / REGISTRATION_INDEX_SHARDS)),
    );
    const readers = Array.from(
      { length: REGISTRATION_INDEX_SHARDS },
      (_, shard) =>
        new ShardReader(
          this.client,
          this.tableName,
          registrationIndexPartition(eventId, shard),
          options.after,
          firstBatch,
          this.options.registrationAttributes,
        ),
    );
    await Promise.all(readers.map((reader) => reader.fill()));
    for (;;) {
      let next: ShardReader | undefined;
      let nextKey = '';
      for (const reader of readers) {
        const head = reader.peek();
        if (head === undefined) continue;
        const key = String(head.gsi1sk);
        if (next === undefined || key < nextKey) {
          next = reader;
          nextKey = key;
        }
      }
      if (next === undefined) return;
      const item = next.take();
      if (item === undefined) return;
      yield { position: nextKey, registration: toAdminRegistration(item) };
      await next.fill();
    }
  }

  async append(entry: AuditEntry): Promise<void> {
    await readOrTryAgain(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...auditKey(entry.eventId, entry.id),
            ...auditIndexKeys(entry.eventId, entry.id, entry.at),
            type: 'audit',
            ...entry,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /**
   * With `registrationId`, a FilterExpression keeps only that registration's entries. DynamoDB applies `Limit`
   * before the filter, so the loop reads on (each chunk twice the last, up to the query maximum) until enough
   * match or the partition ends. The position handed out is the last returned entry's sort key, so the next
   * page continues right after it whatever was read beyond.
   */
  async entries(
    eventId: string,
    options: { before?: string; limit: number; registrationId?: string },
  ): Promise<{ items: AuditEntry[]; nextPosition?: string }> {
    // One more than asked for tells whether there is a next page.
    const wanted = options.limit + 1;
    const filtered = options.registrationId !== undefined;
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    let chunk = wanted;
    do {
      const page = await readOrTryAgain(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: REGISTRATION_INDEX,
            KeyConditionExpression:
              options.before === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk < :before',
            ExpressionAttributeValues: {
              ':pk': auditIndexPartition(eventId),
              ...(options.before === undefined ? {} : { ':before': options.before }),
              ...(filtered ? { ':registrationId': options.registrationId } : {}),
            },
            ...(filtered ? { FilterExpression: 'registrationId = :registrationId' } : {}),
            ScanIndexForward: false,
            Limit: Math.min(MAX_QUERY_LIMIT, filtered ? chunk : wanted - found.length),
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      found.push(...(page.Items ?? []).filter((item) => item.type === 'audit'));
      startKey = page.LastEvaluatedKey;
      chunk *= 2;
    } while (startKey && found.length < wanted);
    const items = found.slice(0, options.limit);
    const last = items.at(-1);
    return found.length > options.limit && last
      ? { items: items.map(toAuditEntry), nextPosition: String(last.gsi1sk) }
      : { items: items.map(toAuditEntry) };
  }

  async add(eventId: string): Promise<void> {
    await readOrTryAgain(() =>
      this.client.send(new UpdateCommand(eventRegistryUpdate(this.tableName, eventId))),
    );
  }

  async eventIds(): Promise<string[]> {
    const { Item } = await readOrTryAgain(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: eventRegistryKey(), ConsistentRead: true }),
      ),
    );
    const ids = Item?.eventIds;
    return ids instanceof Set ? [...ids].map(String).sort() : [];
  }
}

function toAuditEntry(item: Record<string, unknown>): AuditEntry {
  return {
    id: String(item.id),
    at: String(item.at),
    actor: item.actor as AuditEntry['actor'],
    action: item.action as AuditEntry['action'],
    eventId: String(item.eventId),
    ...(typeof item.registrationId === 'string' ? { registrationId: item.registrationId } : {}),
    details: (item.details ?? {}) as Record<string, unknown>,
  };
}
