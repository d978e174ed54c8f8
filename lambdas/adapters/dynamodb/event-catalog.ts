import { randomUUID } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TryAgain } from '../../domain/errors.js';
import { type EventDefinition, eventDefinitionSchema } from '../../domain/event-definition.js';
import type { EventWithSeats, WorkshopSeats } from '../../domain/registration.js';
import type { Clock, EventCatalog } from '../../ports.js';
import { eventKey, workshopKey } from './keys.js';
import { eventPut, eventRegistryAdd, workshopUpsert } from './transaction-items.js';
import { planned, writeTransaction } from './transaction-refusals.js';
import { defaultRetryPolicy, type RetryPolicy, readOrTryAgain } from './transactions.js';

/** BatchGetItem takes at most 100 keys; unprocessed keys are retried a few times before giving up. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 5;

/** Events in the single table: the definition in the event's item, one seat counter item per workshop. */
export class DynamoEventCatalog implements EventCatalog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async getEvent(eventId: string): Promise<EventWithSeats | undefined> {
    const { Item } = await readOrTryAgain(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: eventKey(eventId), ConsistentRead: true }),
      ),
    );
    if (!Item) return undefined;
    // Stored definitions were validated on the way in; parsing again guards against hand-edited items.
    const definition = eventDefinitionSchema.parse(Item.definition);
    const workshopIds = definition.rounds.flatMap((round) => round.workshops.map((workshop) => workshop.id));
    const seats = await this.readSeats(eventId, workshopIds);
    return { id: eventId, definition, seats };
  }

  private async readSeats(eventId: string, workshopIds: string[]): Promise<Map<string, WorkshopSeats>> {
    const seats = new Map<string, WorkshopSeats>();
    for (let start = 0; start < workshopIds.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = workshopIds
        .slice(start, start + BATCH_GET_LIMIT)
        .map((workshopId) => workshopKey(eventId, workshopId));
      for (let round = 0; keys.length > 0; round++) {
        if (round >= BATCH_GET_ROUNDS) throw new TryAgain(1);
        const result = await readOrTryAgain(() =>
          this.client.send(
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: {
                  Keys: keys,
                  ConsistentRead: true,
                  ProjectionExpression: 'workshopId, #capacity, taken',
                  ExpressionAttributeNames: { '#capacity': 'capacity' },
                },
              },
            }),
          ),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          seats.set(String(item.workshopId), { capacity: Number(item.capacity), taken: Number(item.taken) });
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (keys.length > 0) await this.retryPolicy.sleep(this.retryPolicy.minDelayMs * 2 ** round);
      }
    }
    return seats;
  }

  /**
   * Creates or updates an event and its workshop counters in one transaction. A new workshop starts with
   * `taken = 0`; a capacity may change as long as it stays at or above what is taken.
   */
  async putEventDefinition(eventId: string, definition: EventDefinition): Promise<void> {
    const now = this.clock.now().toISOString();
    const workshops = definition.rounds.flatMap((round) =>
      round.workshops.map((workshop) =>
        planned(workshopUpsert(this.tableName, eventId, round.id, workshop, now), {
          kind: 'capacity',
          workshopId: workshop.id,
        }),
      ),
    );
    await writeTransaction(
      this.client,
      [
        planned(eventPut(this.tableName, eventId, definition, now)),
        planned(eventRegistryAdd(this.tableName, eventId)),
        ...workshops,
      ],
      randomUUID(),
      this.retryPolicy,
    );
  }
}
