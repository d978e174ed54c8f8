import { randomUUID } from 'node:crypto';
import { InvalidChoice, TryAgain, WorkshopFull } from '../../domain/errors.js';
import type { WorkshopSeats } from '../../domain/registration.js';
import { BatchGetCommand, type DynamoDBDocumentClient } from '../aws-sdk.js';
import { eventKey, seatShardKey } from './keys.js';
import { releaseSeat, takeSeat } from './transaction-items.js';
import { type PlannedItem, planned, SeatShardsRefused, writeTransaction } from './transaction-refusals.js';
import { type RetryPolicy, readOrTryAgain } from './transactions.js';

/**
 * Issue 21 §3: a workshop's seats are spread over up to SEAT_SHARDS counter items ("seat shards"). When
 * registration opens, most people want the same workshop; with one counter every transaction of the rush writes
 * the same item, and on DynamoDB (optimistic concurrency) all but one of the overlapping ones are cancelled with
 * TransactionConflict and retry behind later arrivals. With eight items a registration picks one at random, so
 * far fewer of them overlap. Eight: the flash-crowd bench's contested workshops (30–50 seats) keep five or more
 * seats per shard, and a seat read or a capacity change touches eight items per workshop (one BatchGetItem of 100
 * keys covers twelve workshops).
 *
 * Shard 0 is the workshop's own item (title, round, `capacity` = the total, its `share` and `taken`); shard n > 0
 * is `WORKSHOP#<event>#<workshop>#<n>` with `share` and `taken`. The shares always add up to the capacity and
 * each shard's `taken` stays at or below its share, so the sum of `taken` is the seats taken and "vol is vol"
 * holds exactly: a workshop is full when every shard is. A workshop item written before the shards (no `share`)
 * is a single shard whose share is the capacity; a capacity change spreads it.
 */
export const SEAT_SHARDS = 8;

/** BatchGetItem takes at most 100 keys; unprocessed keys are retried a few times before giving up. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 5;

/**
 * Transactions one write may spend on shards found full (or a release on a shard emptied meanwhile) before it
 * answers TRY_AGAIN. Every refusal marks a shard, and when all are marked one consistent read decides, so this is
 * only reached while the counters keep changing under the write.
 */
const SHARD_ROUNDS = 3 * SEAT_SHARDS;

export type SeatShard = { share: number; taken: number };

/** A workshop's counters as stored: its total capacity (shard 0) and every shard that exists, by number. */
export type ShardedSeats = { capacity: number; shards: Map<number, SeatShard> };

/** The seats of a workshop as the ports see them: the capacity and the sum of the shards' `taken`. */
export function seatsOf(sharded: ShardedSeats): WorkshopSeats {
  let taken = 0;
  for (const shard of sharded.shards.values()) taken += shard.taken;
  return { capacity: sharded.capacity, taken };
}

const hasRoom = (shard: SeatShard) => shard.taken < shard.share;

/**
 * Shards of a workshop this container saw full or missing, by `<table>\n<event>\n<workshop>`. A registration picks
 * among the others; when none is left, one consistent read of the shards tells it the truth. Wrong only ever in
 * costing a transaction (a shard with room since, or full since), never in a seat.
 */
const shardsSeenFull = new Map<string, Set<number>>();

/** Forgets what this container saw of the shards: a unit test starts from a container that knows nothing. */
export function forgetShardsSeenFull(): void {
  shardsSeenFull.clear();
}

const memoryKey = (tableName: string, eventId: string, workshopId: string) =>
  `${tableName}\n${eventId}\n${workshopId}`;

function learn(tableName: string, eventId: string, workshopId: string, sharded: ShardedSeats): void {
  const full = new Set<number>();
  for (let shard = 0; shard < SEAT_SHARDS; shard++) {
    const counter = sharded.shards.get(shard);
    if (!counter || !hasRoom(counter)) full.add(shard);
  }
  shardsSeenFull.set(memoryKey(tableName, eventId, workshopId), full);
}

/**
 * Every shard of the given workshops, read consistently (with `withRevision` also the event item's revision,
 * in the same batch). A workshop without its own item (shard 0) is left out: it does not exist.
 */
export async function readShardedSeats(
  client: DynamoDBDocumentClient,
  tableName: string,
  retryPolicy: RetryPolicy,
  eventId: string,
  workshopIds: readonly string[],
  withRevision: boolean,
): Promise<{ workshops: Map<string, ShardedSeats>; revision?: string }> {
  let revision: string | undefined;
  const capacities = new Map<string, number>();
  const shardsOf = new Map<string, Map<number, SeatShard>>();
  const allKeys = [
    ...(withRevision ? [eventKey(eventId)] : []),
    ...workshopIds.flatMap((workshopId) =>
      Array.from({ length: SEAT_SHARDS }, (_, shard) => seatShardKey(eventId, workshopId, shard)),
    ),
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
                ProjectionExpression: `workshopId, #shard, #capacity, #share, taken${withRevision ? ', revision' : ''}`,
                ExpressionAttributeNames: { '#shard': 'shard', '#capacity': 'capacity', '#share': 'share' },
              },
            },
          }),
        ),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        if (item.workshopId === undefined) {
          revision = typeof item.revision === 'string' ? item.revision : '';
          continue;
        }
        const workshopId = String(item.workshopId);
        const shard = item.shard === undefined ? 0 : Number(item.shard);
        if (shard === 0) capacities.set(workshopId, Number(item.capacity));
        const share = item.share === undefined ? Number(item.capacity) : Number(item.share);
        const shards = shardsOf.get(workshopId) ?? new Map<number, SeatShard>();
        shards.set(shard, { share, taken: Number(item.taken) });
        shardsOf.set(workshopId, shards);
      }
      keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (keys.length > 0) await retryPolicy.sleep(retryPolicy.minDelayMs * 2 ** round);
    }
  }
  const workshops = new Map<string, ShardedSeats>();
  for (const workshopId of workshopIds) {
    const capacity = capacities.get(workshopId);
    // A workshop that does not exist has no shard with room either.
    const sharded = {
      capacity: capacity ?? 0,
      shards: shardsOf.get(workshopId) ?? new Map<number, SeatShard>(),
    };
    learn(
      tableName,
      eventId,
      workshopId,
      capacity === undefined ? { capacity: 0, shards: new Map() } : sharded,
    );
    if (capacity !== undefined) workshops.set(workshopId, sharded);
  }
  return { workshops, revision };
}

/** The live counters (consistent reads) as `{ capacity, taken }` per workshop, summed over the shards. */
export async function readSeatCounters(
  ...read: Parameters<typeof readShardedSeats>
): Promise<{ seats: Map<string, WorkshopSeats>; revision?: string }> {
  const { workshops, revision } = await readShardedSeats(...read);
  const seats = new Map<string, WorkshopSeats>();
  for (const [workshopId, sharded] of workshops) seats.set(workshopId, seatsOf(sharded));
  return { seats, revision };
}

/**
 * The shares of a workshop's shards for a new capacity, or undefined when the capacity is below the seats taken.
 * Every shard keeps its `taken`; the free seats are spread evenly over the first shards, at most `spreadOver` and
 * at least one seat each, so random picks find room in each for as long as possible. Shards beyond those that
 * exist already keep only what they have taken.
 */
export function shareOut(
  capacity: number,
  shards: ReadonlyMap<number, SeatShard>,
  spreadOver: number,
): number[] | undefined {
  let free = capacity;
  for (const shard of shards.values()) free -= shard.taken;
  if (free < 0) return undefined;
  const over = Math.max(1, Math.min(spreadOver, free));
  const count = Math.max(over, ...[...shards.keys()].map((shard) => shard + 1));
  return Array.from({ length: count }, (_, shard) => {
    const taken = shards.get(shard)?.taken ?? 0;
    if (shard >= over) return taken;
    return taken + Math.floor(free / over) + (shard < free % over ? 1 : 0);
  });
}

/**
 * The fewest shares changed for a new capacity, shard → new share (undefined when the capacity is below the seats
 * taken): a rise goes to shard 0, a cut comes out of the shards' free seats, the freest first. For a capacity
 * change that the transaction's items leave no room to spread evenly (a big event).
 */
export function adjustShares(capacity: number, sharded: ShardedSeats): Map<number, number> | undefined {
  let change = capacity;
  for (const shard of sharded.shards.values()) change -= shard.share;
  const shares = new Map<number, number>();
  if (change >= 0) return shares.set(0, (sharded.shards.get(0)?.share ?? 0) + change);
  const freest = [...sharded.shards].sort(([, a], [, b]) => b.share - b.taken - (a.share - a.taken));
  for (const [shard, { share, taken }] of freest) {
    if (change === 0) break;
    const cut = Math.min(share - taken, -change);
    if (cut <= 0) continue;
    shares.set(shard, share - cut);
    change += cut;
  }
  return change === 0 ? shares : undefined;
}

/**
 * A seat a write takes: the round it was chosen in (none for a promotion, where the list chose the seat) and the
 * workshops of that round to take instead, in order of preference, when this one is full.
 */
export type SeatTake = { workshopId: string; roundId?: string; alternatives?: readonly string[] };

/** The seat a write took: the workshop of the take's choice or of one of its alternatives. */
export type SeatTaken = { workshopId: string; roundId?: string };

/** Builds a transaction's items around the seat items, whose shards the write chooses. */
export type SeatItems = {
  take(workshopId: string, roundId?: string): PlannedItem;
  release(workshopId: string): PlannedItem;
};

/**
 * Writes a transaction that takes and releases seats, choosing the shards:
 *  - a take goes to a random shard this container has not seen full (a workshop it has not seen yet is read
 *    first, once: which shards exist, which have room); a refused shard is marked, and the write
 *    tries again at once on another one (a new ClientRequestToken: the refused attempt wrote nothing). When every
 *    shard of a chosen workshop is marked, a consistent read of the chosen workshops and their alternatives
 *    decides: each take goes to the first of its choice and alternatives with room (so an alternative is taken
 *    only when its choice was read full); a take without any is WORKSHOP_FULL naming them all (a vanished
 *    workshop, chosen in a round, INVALID_CHOICE);
 *  - a release goes to a shard read with seats taken (weighted by them), read again if it was emptied meanwhile.
 * Answers the seats taken, in the order of the takes.
 */
export class SeatShardWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy,
    private readonly random: () => number = () => Math.random(),
  ) {}

  async write(
    eventId: string,
    seats: { takes: readonly SeatTake[]; releases: readonly string[] },
    build: (items: SeatItems, taken: readonly SeatTaken[]) => PlannedItem[],
    clientRequestToken: string,
    otherwise?: () => Error,
  ): Promise<SeatTaken[]> {
    // What each take takes now: its choice until a consistent read finds it full.
    let taking: SeatTaken[] = seats.takes.map(({ workshopId, roundId }) => ({
      workshopId,
      ...(roundId === undefined ? {} : { roundId }),
    }));
    const considered = [...new Set(seats.takes.flatMap(optionsOf))];
    // One read before the first attempt: of the workshops released (which shards hold seats), and of every one
    // taken (with the alternatives) if this container has not seen one of them yet or knows no shard with room.
    const readTakes = taking.some(({ workshopId }) => {
      const full = shardsSeenFull.get(memoryKey(this.tableName, eventId, workshopId));
      return !full || full.size >= SEAT_SHARDS;
    });
    const first =
      seats.releases.length > 0 || readTakes
        ? (await this.read(eventId, [...new Set([...seats.releases, ...(readTakes ? considered : [])])]))
            .workshops
        : new Map<string, ShardedSeats>();
    let releaseFrom = this.releaseShards(first, seats.releases);
    let fresh = readTakes ? first : undefined;
    let token = clientRequestToken;
    for (let round = 0; round < SHARD_ROUNDS; round++) {
      const takeFrom = new Map<string, number>();
      for (const { workshopId } of taking) {
        const shard = this.pick(eventId, workshopId);
        if (shard !== undefined) takeFrom.set(workshopId, shard);
      }
      if (takeFrom.size < taking.length) {
        // Every shard of a workshop taken was seen full: a consistent read decides (it also teaches the picks).
        taking = resolveTakes(fresh ?? (await this.read(eventId, considered)).workshops, seats.takes);
        fresh = undefined;
        continue;
      }
      fresh = undefined;
      const plan = build(
        {
          take: (workshopId, roundId) => {
            const shard = takeFrom.get(workshopId) ?? 0;
            return planned(takeSeat(this.tableName, eventId, workshopId, shard), {
              kind: 'seat',
              workshopId,
              shard,
              ...(roundId === undefined ? {} : { roundId }),
            });
          },
          release: (workshopId) => {
            const shard = releaseFrom.get(workshopId);
            // No shard was read with a seat taken: the counter drifted, and the failed condition says so as before.
            if (shard === undefined) return planned(releaseSeat(this.tableName, eventId, workshopId, 0));
            return planned(releaseSeat(this.tableName, eventId, workshopId, shard), {
              kind: 'release',
              workshopId,
            });
          },
        },
        taking,
      );
      try {
        await writeTransaction(this.client, plan, token, this.retryPolicy, otherwise);
        return taking;
      } catch (error) {
        if (!(error instanceof SeatShardsRefused)) throw error;
        // The first attempt is the caller's request (its token makes a replay safe); a later one is another plan.
        token = randomUUID();
        for (const { workshopId, shard } of error.takes) this.seenFull(eventId, workshopId).add(shard);
        if (error.releases.length > 0) {
          const { workshops } = await this.read(eventId, seats.releases);
          releaseFrom = this.releaseShards(workshops, seats.releases);
        }
      }
    }
    throw new TryAgain(1);
  }

  private seenFull(eventId: string, workshopId: string): Set<number> {
    const key = memoryKey(this.tableName, eventId, workshopId);
    let full = shardsSeenFull.get(key);
    if (!full) {
      full = new Set();
      shardsSeenFull.set(key, full);
    }
    return full;
  }

  private pick(eventId: string, workshopId: string): number | undefined {
    const full = this.seenFull(eventId, workshopId);
    const open = Array.from({ length: SEAT_SHARDS }, (_, shard) => shard).filter((shard) => !full.has(shard));
    return open[Math.floor(this.random() * open.length)];
  }

  /** For each workshop a shard with seats taken, chosen with a chance in proportion to them. */
  private releaseShards(
    workshops: ReadonlyMap<string, ShardedSeats>,
    workshopIds: readonly string[],
  ): Map<string, number> {
    const chosen = new Map<string, number>();
    for (const workshopId of workshopIds) {
      const shards = [...(workshops.get(workshopId)?.shards ?? [])].filter(([, { taken }]) => taken > 0);
      let ticket = Math.floor(this.random() * shards.reduce((sum, [, { taken }]) => sum + taken, 0));
      for (const [shard, { taken }] of shards) {
        ticket -= taken;
        if (ticket < 0) {
          chosen.set(workshopId, shard);
          break;
        }
      }
    }
    return chosen;
  }

  private read(eventId: string, workshopIds: readonly string[]) {
    return readShardedSeats(this.client, this.tableName, this.retryPolicy, eventId, workshopIds, false);
  }
}

/** A take's workshops in order of preference: its choice, then its alternatives. */
const optionsOf = (take: SeatTake): string[] => [take.workshopId, ...(take.alternatives ?? [])];

const withRoom = (sharded: ShardedSeats | undefined) =>
  sharded !== undefined && [...sharded.shards.values()].some(hasRoom);

/**
 * The seats to take by what a consistent read found: for each take the first of its choice and alternatives with
 * room. A workshop chosen in a round that does not exist is INVALID_CHOICE; a take without room anywhere is
 * WORKSHOP_FULL naming every full workshop of such takes (a vanished one too: a promotion's seat, chosen by the
 * list, is then simply no seat; a vanished alternative is no seat either).
 */
function resolveTakes(workshops: ReadonlyMap<string, ShardedSeats>, takes: readonly SeatTake[]): SeatTaken[] {
  const vanished = takes.flatMap(({ workshopId, roundId }) =>
    roundId !== undefined && !workshops.has(workshopId)
      ? [{ roundId, workshopId, reason: 'unknown-workshop' as const }]
      : [],
  );
  if (vanished.length > 0) throw new InvalidChoice(vanished);
  const full: string[] = [];
  const taking = takes.map((take) => {
    const options = optionsOf(take);
    const workshopId = options.find((option) => withRoom(workshops.get(option)));
    if (workshopId === undefined) full.push(...options);
    return {
      workshopId: workshopId ?? take.workshopId,
      ...(take.roundId === undefined ? {} : { roundId: take.roundId }),
    };
  });
  if (full.length > 0) throw new WorkshopFull({ workshopIds: full });
  return taking;
}
