import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyWaiting,
  CapacityBelowTaken,
  InvalidChoice,
  RegistrationChanged,
} from '../../domain/errors.js';
import type { TransactItem } from './transaction-items.js';
import { type RetryPolicy, TransactionCancelled, transactWrite } from './transactions.js';

/** What it means when the condition of one item of a transaction fails. */
export type Refusal =
  /** The registration changed since it was read (its version or status). */
  | { kind: 'registration-changed' }
  /**
   * A seat could not be taken. With the round it was chosen in, a vanished workshop is an invalid choice; without
   * one (a promotion: the list chose the seat, not the person) it is simply no seat, like a full one. It names
   * one seat shard (`seat-shards.ts`): only a vanished shard 0 is a vanished workshop.
   */
  | { kind: 'seat'; workshopId: string; roundId?: string; shard: number }
  /** A seat could not be given back to the shard chosen (emptied since it was read). */
  | { kind: 'release'; workshopId: string }
  /** A capacity would drop below the seats already taken. */
  | { kind: 'capacity'; workshopId: string }
  | { kind: 'already-waiting' }
  /** The email guard exists: the address has a registration of this event already. */
  | { kind: 'address-in-use' };

/** One item of a transaction and what its failed condition means; none: not a refusal the caller explains. */
export type PlannedItem = { item: TransactItem; refusal?: Refusal };

/**
 * The address already has a registration of this event. Whether that is AlreadyRegistered or AlreadyWaiting
 * depends on the holder's status, which takes a read: the store that wrote the guard resolves it.
 */
export class AddressInUse extends Error {
  constructor(readonly registrationId: string | undefined) {
    super('AddressInUse');
    this.name = 'AddressInUse';
  }
}

/**
 * Seat shards refused a take (full, or not there) or a release (emptied since read). Not an answer yet: the seat
 * writer (`seat-shards.ts`) tries other shards and decides whether the workshop is full.
 */
export class SeatShardsRefused extends Error {
  constructor(
    readonly takes: { workshopId: string; shard: number }[],
    readonly releases: string[],
  ) {
    super('SeatShardsRefused');
    this.name = 'SeatShardsRefused';
  }
}

/**
 * Seat shards another transaction was writing (TransactionConflict on them alone): not an answer either; the seat
 * writer takes the seats from other shards at once rather than waiting for these.
 */
export class SeatShardsBusy extends Error {
  constructor(readonly takes: { workshopId: string; shard: number }[]) {
    super('SeatShardsBusy');
    this.name = 'SeatShardsBusy';
  }
}

/** SeatShardsBusy when every item in conflict is a seat taken from a shard; undefined otherwise. */
export function busySeatShards(
  reasons: readonly CancellationReason[],
  plan: readonly PlannedItem[],
): SeatShardsBusy | undefined {
  const busy: { workshopId: string; shard: number }[] = [];
  for (const [index, reason] of reasons.entries()) {
    if (reason.Code !== 'TransactionConflict') continue;
    const refusal = plan[index]?.refusal;
    if (refusal?.kind !== 'seat') return undefined;
    busy.push({ workshopId: refusal.workshopId, shard: refusal.shard });
  }
  return busy.length > 0 ? new SeatShardsBusy(busy) : undefined;
}

const failed = (reason: CancellationReason | undefined) => reason?.Code === 'ConditionalCheckFailed';

/**
 * The one mapping of a cancelled transaction's reasons (in item order) to the domain's answer. When several items
 * failed, the first answer in this order wins: the registration changed (read again and retry), a chosen workshop
 * vanished, seat shards refused (the seat writer tries others), a capacity below what is taken, already waiting,
 * the address in use. Undefined when no failed item has a meaning in this transaction.
 */
export function refusalOf(
  reasons: readonly CancellationReason[],
  plan: readonly PlannedItem[],
): Error | undefined {
  const refused = plan.flatMap(({ refusal }, index) =>
    refusal && failed(reasons[index]) ? [{ refusal, reason: reasons[index] }] : [],
  );
  const of = <K extends Refusal['kind']>(kind: K) =>
    refused.flatMap(({ refusal, reason }) =>
      refusal.kind === kind ? [{ refusal: refusal as Extract<Refusal, { kind: K }>, reason }] : [],
    );
  if (of('registration-changed').length > 0) return new RegistrationChanged();
  const seats = of('seat');
  const vanished = seats.flatMap(({ refusal: { roundId, workshopId, shard }, reason }) =>
    roundId !== undefined && shard === 0 && !reason?.Item
      ? [{ roundId, workshopId, reason: 'unknown-workshop' as const }]
      : [],
  );
  if (vanished.length > 0) return new InvalidChoice(vanished);
  const releases = of('release');
  if (seats.length > 0 || releases.length > 0) {
    return new SeatShardsRefused(
      seats.map(({ refusal: { workshopId, shard } }) => ({ workshopId, shard })),
      releases.map(({ refusal }) => refusal.workshopId),
    );
  }
  const below = of('capacity');
  if (below.length > 0) {
    return new CapacityBelowTaken({ workshopIds: below.map(({ refusal }) => refusal.workshopId) });
  }
  if (of('already-waiting').length > 0) return new AlreadyWaiting();
  const [guard] = of('address-in-use');
  if (guard) return new AddressInUse(guard.reason?.Item?.registrationId?.S);
  return undefined;
}

/**
 * Writes the planned items in one transaction (`transactWrite`: conflicts retried under the same token) and
 * answers a cancellation with its refusal; `otherwise` answers a cancellation that has none, else it is
 * rethrown as it is.
 */
export async function writeTransaction(
  client: DynamoDBDocumentClient,
  plan: readonly PlannedItem[],
  clientRequestToken: string,
  policy: RetryPolicy,
  otherwise?: () => Error,
  /** A conflict to answer at once rather than wait out (`transactWrite`). */
  planAround?: (reasons: CancellationReason[]) => Error | undefined,
): Promise<void> {
  try {
    await transactWrite(
      client,
      { TransactItems: plan.map(({ item }) => item) },
      clientRequestToken,
      policy,
      planAround,
    );
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    throw refusalOf(error.reasons, plan) ?? otherwise?.() ?? error;
  }
}

/** An item of a transaction, with what its failed condition means if anything. */
export const planned = (item: TransactItem, refusal?: Refusal): PlannedItem =>
  refusal ? { item, refusal } : { item };
