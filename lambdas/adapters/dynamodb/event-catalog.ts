import { randomUUID } from 'node:crypto';
import { CapacityBelowTaken, TryAgain } from '../../domain/errors.js';
import { type EventDefinition, eventDefinitionSchema } from '../../domain/event-definition.js';
import { noticeLists, type OwedNotices, TRANSACT_ITEMS_LIMIT } from '../../domain/programme-notice.js';
import type { EventWithSeats } from '../../domain/registration.js';
import type { Clock, EventCatalog } from '../../ports.js';
import { type DynamoDBDocumentClient, GetCommand } from '../aws-sdk.js';
import { eventKey } from './keys.js';
import { recipientListPut } from './message-store.js';
import {
  adjustShares,
  readSeatCounters,
  readShardedSeats,
  SEAT_SHARDS,
  type SeatShard,
  type ShardedSeats,
  seatsOf,
  shareOut,
} from './seat-shards.js';
import {
  eventPut,
  eventRegistryAdd,
  seatShardPut,
  seatShareMove,
  workshopUpsert,
} from './transaction-items.js';
import { type PlannedItem, planned, writeTransaction } from './transaction-refusals.js';
import { defaultRetryPolicy, type RetryPolicy, readOrTryAgain } from './transactions.js';

/** Reads and spreads of the shards a put tries before answering TRY_AGAIN, when registrations keep racing it. */
const PUT_ATTEMPTS = 5;

/** Items of a put's transaction left for the programme-change notices' recipient lists when a put owes some. */
const NOTICE_SLOTS = 10;

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
 * decide the seats, not the definition. `getDefinition(…, { current: true })` (an email's read) reads only the
 * revision when it has parsed a definition before, never the seat shards.
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

  async getDefinition(
    eventId: string,
    options: { current?: boolean } = {},
  ): Promise<EventDefinition | undefined> {
    const known = knownDefinitions.get(this.cacheKey(eventId));
    if (known && !options.current && this.now() - known.confirmedAt < DEFINITION_FRESH_MS)
      return known.definition;
    if (known && options.current) {
      // The revision alone, consistently: a parsed definition of that revision is the stored one.
      const { Item } = await readOrTryAgain(() =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: eventKey(eventId),
            ConsistentRead: true,
            ProjectionExpression: 'revision',
          }),
        ),
      );
      if (Item && Item.revision === known.revision) {
        known.confirmedAt = this.now();
        return known.definition;
      }
    }
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
   * Creates or updates an event and its workshops' seat shards in one transaction. A new workshop starts with
   * `taken = 0`; a capacity may change as long as it stays at or above what is taken, and a changed capacity is
   * spread anew over the shards (`seat-shards.ts`) from a consistent read of them. A condition that fails because
   * registrations moved the counters since that read is read and spread again; only a capacity below the seats
   * taken is CAPACITY_BELOW_TAKEN.
   */
  async putEventDefinition(
    eventId: string,
    definition: EventDefinition,
    notices?: OwedNotices,
  ): Promise<void> {
    try {
      let gathered = false;
      for (let attempt = 1; ; attempt++) {
        const { workshops: current } = await readShardedSeats(
          this.client,
          this.tableName,
          this.retryPolicy,
          eventId,
          workshopIdsOf(definition),
          false,
        );
        refuseCapacitiesBelowTaken(definition, current);
        try {
          const plan = this.definitionPlan(eventId, definition, current, notices);
          if (plan.length > TRANSACT_ITEMS_LIMIT && !gathered) {
            // Cuts that would touch many shards of many workshops: first move their free seats to each one's
            // shard 0 (a state as valid as any), so that each cut is one item; then read and plan again.
            gathered = true;
            await this.gatherFreeSeats(eventId, definition, current);
            continue;
          }
          await writeTransaction(this.client, plan, randomUUID(), this.retryPolicy);
          return;
        } catch (error) {
          if (!(error instanceof CapacityBelowTaken)) throw error;
          if (attempt >= PUT_ATTEMPTS) throw new TryAgain(1);
        }
      }
    } finally {
      // Whatever came of it, this container reads the event again next time.
      knownDefinitions.delete(this.cacheKey(eventId));
    }
  }

  /** The put's transaction: the event, the registry, the workshops' seat shards and the notice lists. */
  private definitionPlan(
    eventId: string,
    definition: EventDefinition,
    current: ReadonlyMap<string, ShardedSeats>,
    notices: OwedNotices | undefined,
  ): PlannedItem[] {
    const now = this.clock.now().toISOString();
    const workshops = definition.rounds.flatMap((round) =>
      round.workshops.map((workshop) => ({ roundId: round.id, workshop, read: current.get(workshop.id) })),
    );
    // The shards of a changed capacity share what the transaction's 100 items leave (a big event gets fewer).
    const respread = workshops.filter(({ workshop, read }) => needsSpreading(workshop.capacity, read));
    const spare = TRANSACT_ITEMS_LIMIT - 2 - workshops.length - (notices?.affected.length ? NOTICE_SLOTS : 0);
    const spreadOver = Math.max(
      1,
      Math.min(SEAT_SHARDS, 1 + Math.floor(spare / Math.max(1, respread.length))),
    );
    const seatItems = workshops.flatMap(({ roundId, workshop, read }): PlannedItem[] => {
      const capacity = { kind: 'capacity', workshopId: workshop.id } as const;
      if (!needsSpreading(workshop.capacity, read)) {
        return [
          planned(
            workshopUpsert(this.tableName, eventId, roundId, workshop, now, { readCapacity: read?.capacity }),
            capacity,
          ),
        ];
      }
      const shards = read?.shards ?? new Map<number, SeatShard>();
      // Below what is taken was refused after the read: a registration since fails the shard's condition.
      const even = shareOut(workshop.capacity, shards, spreadOver) ?? [];
      // A workshop whose shards an even spread would write more of than the transaction has room for changes
      // the fewest shares instead (shard 0 is always written: its capacity condition guards the others).
      const shares =
        read && even.length > spreadOver
          ? new Map([[0, read.shards.get(0)?.share ?? 0], ...(adjustShares(workshop.capacity, read) ?? [])])
          : new Map(even.map((share, shard) => [shard, share]));
      return [...shares].map(([shard, share]) =>
        planned(
          shard === 0
            ? workshopUpsert(this.tableName, eventId, roundId, workshop, now, {
                share,
                readCapacity: read?.capacity,
              })
            : seatShardPut(this.tableName, eventId, workshop.id, shard, share, shards.get(shard)?.share),
          capacity,
        ),
      );
    });
    const items = [
      planned(eventPut(this.tableName, eventId, definition, now, randomUUID())),
      planned(eventRegistryAdd(this.tableName, eventId)),
      ...seatItems,
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
    return items;
  }

  /**
   * Moves the free seats of every workshop whose capacity falls to its shard 0 (each other shard keeps a share of
   * what it has taken), in transactions of whole workshops. The capacity stays; a registration meanwhile takes its
   * seat from shard 0.
   */
  private async gatherFreeSeats(
    eventId: string,
    definition: EventDefinition,
    current: ReadonlyMap<string, ShardedSeats>,
  ): Promise<void> {
    const moves = definition.rounds
      .flatMap((round) => round.workshops)
      .flatMap((workshop) => {
        const read = current.get(workshop.id);
        const shard0 = read?.shards.get(0);
        if (!read || !shard0 || workshop.capacity >= read.capacity) return [];
        const others = [...read.shards].filter(([shard, { share, taken }]) => shard > 0 && share > taken);
        if (others.length === 0) return [];
        const moved = others.reduce((sum, [, { share, taken }]) => sum + share - taken, 0);
        const capacity = { kind: 'capacity', workshopId: workshop.id } as const;
        return [
          [
            planned(
              seatShareMove(this.tableName, eventId, workshop.id, 0, shard0.share + moved, shard0.share),
              capacity,
            ),
            ...others.map(([shard, { share, taken }]) =>
              planned(seatShareMove(this.tableName, eventId, workshop.id, shard, taken, share), capacity),
            ),
          ],
        ];
      });
    let batch: PlannedItem[] = [];
    for (const move of [...moves, []]) {
      if (batch.length > 0 && (move.length === 0 || batch.length + move.length > TRANSACT_ITEMS_LIMIT)) {
        await writeTransaction(this.client, batch, randomUUID(), this.retryPolicy);
        batch = [];
      }
      batch.push(...move);
    }
  }
}

/** A new workshop, or a capacity other than what the shards' shares add up to, is spread (anew) over shards. */
function needsSpreading(capacity: number, read: ShardedSeats | undefined): boolean {
  if (!read) return true;
  let shares = 0;
  for (const shard of read.shards.values()) shares += shard.share;
  return read.capacity !== capacity || shares !== capacity;
}

/** CAPACITY_BELOW_TAKEN naming every workshop whose new capacity is below the seats it has taken. */
function refuseCapacitiesBelowTaken(
  definition: EventDefinition,
  current: ReadonlyMap<string, ShardedSeats>,
): void {
  const below = definition.rounds
    .flatMap((round) => round.workshops)
    .filter((workshop) => {
      const read = current.get(workshop.id);
      return read !== undefined && seatsOf(read).taken > workshop.capacity;
    })
    .map((workshop) => workshop.id);
  if (below.length > 0) throw new CapacityBelowTaken({ workshopIds: below });
}
