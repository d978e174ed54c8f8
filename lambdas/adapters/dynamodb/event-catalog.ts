import { randomUUID } from 'node:crypto';
import { TryAgain } from '../../domain/errors.js';
import { type EventDefinition, eventDefinitionSchema } from '../../domain/event-definition.js';
import { noticeLists, type OwedNotices } from '../../domain/programme-notice.js';
import type { EventWithSeats, WorkshopSeats } from '../../domain/registration.js';
import type { Clock, EventCatalog } from '../../ports.js';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '../aws-sdk.js';
import { eventKey, workshopKey } from './keys.js';
import { recipientListPut } from './message-store.js';
import { eventPut, eventRegistryAdd, workshopUpsert } from './transaction-items.js';
import { planned, writeTransaction } from './transaction-refusals.js';
import { defaultRetryPolicy, type RetryPolicy, readOrTryAgain } from './transactions.js';

/** BatchGetItem takes at most 100 keys; unprocessed keys are retried a few times before giving up. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 5;

const workshopIdsOf = (definition: EventDefinition) =>
  definition.rounds.flatMap((round) => round.workshops.map((workshop) => workshop.id));

/** How long a registration uses a definition read before without reading it again (issue 19). */
export const DEFINITION_FRESH_MS = 1_000;

/** A parsed definition, the revision of the event item it was read from, and when that was last confirmed. */
type KnownDefinition = { revision: string; definition: EventDefinition; confirmedAt: number };

/**
 * Definitions parsed in this container, by table and event. Shared by every catalog of the container, so a put
 * through any of them is seen here at once; a put in another container within DEFINITION_FRESH_MS.
 */
const knownDefinitions = new Map<string, KnownDefinition>();

/**
 * Events in the single table: the definition in the event's item, one seat counter item per workshop.
 * Every put gives the event item a new `revision`. A definition is parsed once per revision: `getEvent` reads
 * the revision together with the seat counters in one consistent BatchGetItem and reads the definition only
 * when it changed, so its answer is as exact as reading everything. `getDefinition` (a registration's read)
 * uses a definition confirmed within the last second without reading at all: the transaction's conditions
 * decide the seats, not the definition.
 */
export class DynamoEventCatalog implements EventCatalog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async getEvent(eventId: string): Promise<EventWithSeats | undefined> {
    const known = knownDefinitions.get(this.cacheKey(eventId));
    if (known) {
      const { revision, seats } = await this.readSeats(eventId, workshopIdsOf(known.definition), true);
      if (revision === known.revision) {
        known.confirmedAt = this.now();
        return { id: eventId, definition: known.definition, seats };
      }
    }
    const definition = await this.readDefinition(eventId);
    if (!definition) return undefined;
    const { seats } = await this.readSeats(eventId, workshopIdsOf(definition), false);
    return { id: eventId, definition, seats };
  }

  async getDefinition(eventId: string): Promise<EventDefinition | undefined> {
    const known = knownDefinitions.get(this.cacheKey(eventId));
    if (known && this.now() - known.confirmedAt < DEFINITION_FRESH_MS) return known.definition;
    return this.readDefinition(eventId);
  }

  private cacheKey(eventId: string): string {
    return `${this.tableName}\n${eventId}`;
  }

  /** Reads the event item (consistently); parses its definition unless this revision was parsed before. */
  private async readDefinition(eventId: string): Promise<EventDefinition | undefined> {
    const key = this.cacheKey(eventId);
    const { Item } = await readOrTryAgain(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: eventKey(eventId), ConsistentRead: true }),
      ),
    );
    if (!Item) {
      knownDefinitions.delete(key);
      return undefined;
    }
    const known = knownDefinitions.get(key);
    const revision = typeof Item.revision === 'string' ? Item.revision : undefined;
    // Stored definitions were validated on the way in; parsing again guards against hand-edited items.
    const definition =
      known && known.revision === revision ? known.definition : eventDefinitionSchema.parse(Item.definition);
    if (revision) knownDefinitions.set(key, { revision, definition, confirmedAt: this.now() });
    else knownDefinitions.delete(key);
    return definition;
  }

  private readSeats(eventId: string, workshopIds: string[], withRevision: boolean) {
    return readSeatCounters(
      this.client,
      this.tableName,
      this.retryPolicy,
      eventId,
      workshopIds,
      withRevision,
    );
  }

  /**
   * Creates or updates an event and its workshop counters in one transaction. A new workshop starts with
   * `taken = 0`; a capacity may change as long as it stays at or above what is taken.
   */
  async putEventDefinition(
    eventId: string,
    definition: EventDefinition,
    notices?: OwedNotices,
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    const workshops = definition.rounds.flatMap((round) =>
      round.workshops.map((workshop) =>
        planned(workshopUpsert(this.tableName, eventId, round.id, workshop, now), {
          kind: 'capacity',
          workshopId: workshop.id,
        }),
      ),
    );
    const items = [
      planned(eventPut(this.tableName, eventId, definition, now, randomUUID())),
      planned(eventRegistryAdd(this.tableName, eventId)),
      ...workshops,
    ];
    // The notices the update owes commit with it: a request that dies after the update cannot lose them.
    const lists = notices ? noticeLists(notices.affected, items.length) : [];
    items.push(
      ...lists.map((list, index) =>
        planned(
          recipientListPut(this.tableName, eventId, notices?.noticeId ?? '', index, now, {
            kind: 'programme-change',
            ...list,
          }),
        ),
      ),
    );
    try {
      await writeTransaction(this.client, items, randomUUID(), this.retryPolicy);
    } finally {
      // Whatever came of it, this container reads the event again next time.
      knownDefinitions.delete(this.cacheKey(eventId));
    }
  }
}

/** The live counters (consistent reads), and with `withRevision` the event item's revision in the same batch. */
export async function readSeatCounters(
  client: DynamoDBDocumentClient,
  tableName: string,
  retryPolicy: RetryPolicy,
  eventId: string,
  workshopIds: string[],
  withRevision: boolean,
): Promise<{ seats: Map<string, WorkshopSeats>; revision?: string }> {
  const seats = new Map<string, WorkshopSeats>();
  let revision: string | undefined;
  const allKeys = [
    ...(withRevision ? [eventKey(eventId)] : []),
    ...workshopIds.map((workshopId) => workshopKey(eventId, workshopId)),
  ];
  for (let start = 0; start < allKeys.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = allKeys.slice(start, start + BATCH_GET_LIMIT);
    for (let round = 0; keys.length > 0; round++) {
      if (round >= BATCH_GET_ROUNDS) throw new TryAgain(1);
      const result = await readOrTryAgain(() =>
        client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: `workshopId, #capacity, taken${withRevision ? ', revision' : ''}`,
                ExpressionAttributeNames: { '#capacity': 'capacity' },
              },
            },
          }),
        ),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        if (item.workshopId === undefined) revision = typeof item.revision === 'string' ? item.revision : '';
        else
          seats.set(String(item.workshopId), {
            capacity: Number(item.capacity),
            taken: Number(item.taken),
          });
      }
      keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (keys.length > 0) await retryPolicy.sleep(retryPolicy.minDelayMs * 2 ** round);
    }
  }
  return { seats, revision };
}
