import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../domain/email.js';
import { RegistrationChanged } from '../../domain/errors.js';
import type { StoredRegistration, WaitingFor } from '../../domain/registration.js';
import { ownValue } from '../../domain/registration.js';
import { byQueueOrder, type WaitingEntry } from '../../domain/waiting-list.js';
import type { PromotionInput, WaitingListStore } from '../../ports.js';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
} from '../aws-sdk.js';
import { checkInCodeRotation, onManageTokenRead } from './check-ins.js';
import { allOfIndexPartition } from './index-query.js';
import { waitingEntryKey, waitingIndexPartition } from './keys.js';
import { confirmationOf } from './outbox.js';
import { SeatShardWriter } from './seat-shards.js';
import {
  outboxPut,
  registrationUpdate,
  sameWaitingEntryDelete,
  waitingEntryDelete,
  waitingEntryPut,
} from './transaction-items.js';
import { type PlannedItem, planned, writeTransaction } from './transaction-refusals.js';
import { defaultRetryPolicy, type RetryPolicy, readOrTryAgain } from './transactions.js';

function toEntry(item: Record<string, unknown>): WaitingEntry {
  return {
    id: String(item.id),
    eventId: String(item.eventId),
    registrationId: String(item.registrationId),
    kind: item.kind === 'place' ? 'place' : 'preference',
    wants: item.wants as WaitingFor,
    joinedAt: String(item.joinedAt),
  };
}

/** `waitingFor` without the given rounds; REMOVEd from the item when nothing is left. */
function remainingWaitingFor(
  current: StoredRegistration,
  roundIds: readonly string[],
): WaitingFor | undefined {
  const remaining = Object.fromEntries(
    Object.entries(current.waitingFor ?? {}).filter(([roundId]) => !roundIds.includes(roundId)),
  );
  return Object.keys(remaining).length > 0 ? remaining : undefined;
}

/**
 * The waiting lists in the single table: entries in their own partitions, each event's queue in join order
 * through `gsi1`. Every change of a list is one transaction with the registration it belongs to, conditioned
 * on the registration's version, so the registration's `waitingFor` and the entries never disagree.
 */
export class DynamoWaitingList implements WaitingListStore {
  private readonly seats: SeatShardWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {
    this.seats = new SeatShardWriter(client, tableName, retryPolicy);
  }

  async queue(eventId: string): Promise<WaitingEntry[]> {
    const items = await allOfIndexPartition(this.client, {
      tableName: this.tableName,
      partition: waitingIndexPartition(eventId),
    });
    return items.map(toEntry).sort(byQueueOrder);
  }

  async getEntry(eventId: string, entryId: string): Promise<WaitingEntry | undefined> {
    const { Item } = await this.read(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: waitingEntryKey(eventId, entryId),
          ConsistentRead: true,
        }),
      ),
    );
    return Item?.type === 'waiting-entry' ? toEntry(Item) : undefined;
  }

  async joinPreference(
    current: StoredRegistration,
    entry: WaitingEntry,
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration> {
    const next: StoredRegistration = {
      ...current,
      waitingFor: { ...current.waitingFor, ...entry.wants },
      updatedAt: at,
      version: current.version + 1,
      confirmation: confirmationOf(outbox),
    };
    await this.write([
      this.updateRegistration(
        current,
        'SET waitingFor = :waitingFor, updatedAt = :at, version = :next, confirmation = :confirmation',
        {
          ':waitingFor': next.waitingFor,
          ':at': at,
          ':confirmation': next.confirmation,
        },
      ),
      planned(waitingEntryPut(this.tableName, entry), { kind: 'already-waiting' }),
      planned(outboxPut(this.tableName, outbox)),
    ]);
    return next;
  }

  async leavePreferences(
    current: StoredRegistration,
    roundIds: readonly string[],
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration> {
    const waitingFor = remainingWaitingFor(current, roundIds);
    const next: StoredRegistration = {
      ...current,
      waitingFor,
      updatedAt: at,
      version: current.version + 1,
      confirmation: confirmationOf(outbox),
    };
    await this.write([
      this.updateRegistration(
        current,
        `SET ${waitingFor ? 'waitingFor = :waitingFor, ' : ''}updatedAt = :at, version = :next, confirmation = :confirmation${waitingFor ? '' : ' REMOVE waitingFor'}`,
        {
          ...(waitingFor ? { ':waitingFor': waitingFor } : {}),
          ':at': at,
          ':confirmation': next.confirmation,
        },
      ),
      ...roundIds.map((roundId) =>
        planned(waitingEntryDelete(this.tableName, current.eventId, `${current.id}.${roundId}`)),
      ),
      planned(outboxPut(this.tableName, outbox)),
    ]);
    if (!waitingFor) delete next.waitingFor;
    return next;
  }

  async promote({
    entry,
    current,
    takes,
    at,
    manageTokenHash,
    outbox,
  }: PromotionInput): Promise<StoredRegistration> {
    const rounds = Object.keys(takes);
    const releases =
      entry.kind === 'preference'
        ? rounds.flatMap((roundId) => {
            const held = ownValue(current.choices, roundId);
            return held ? [held] : [];
          })
        : [];
    const waitingFor = entry.kind === 'place' ? undefined : remainingWaitingFor(current, rounds);
    const next: StoredRegistration = {
      ...current,
      status: 'confirmed',
      choices: { ...current.choices, ...takes },
      waitingFor,
      manageTokenHash,
      updatedAt: at,
      version: current.version + 1,
      confirmation: confirmationOf(outbox),
    };
    const taken = Object.values(takes);
    await this.seats.write(
      entry.eventId,
      // No round: the list chose the seat, so a vanished workshop is simply no seat.
      { takes: taken.map((workshopId) => ({ workshopId })), releases },
      (seats) => [
        ...taken.map((workshopId) => seats.take(workshopId)),
        ...releases.map((workshopId) => seats.release(workshopId)),
        // Not a refusal of its own: anything but a seat means the registration or the entry changed (below).
        planned(
          onManageTokenRead(
            registrationUpdate(
              this.tableName,
              current,
              'SET #status = :confirmed, choices = :choices, manageTokenHash = :hash, updatedAt = :at, ' +
                `version = :next, confirmation = :confirmation${waitingFor ? ', waitingFor = :waitingFor' : ' REMOVE waitingFor'}`,
              {
                ':confirmed': 'confirmed',
                ':choices': next.choices,
                ':hash': manageTokenHash,
                ':at': at,
                ':confirmation': next.confirmation,
                ...(waitingFor ? { ':waitingFor': waitingFor } : {}),
              },
            ),
            current.manageTokenHash,
          ),
        ),
        planned(sameWaitingEntryDelete(this.tableName, entry)),
        planned(outboxPut(this.tableName, outbox)),
        // The check-in code rotates with the manage token the promotion email carries (a waiting registration,
        // promoted from a place entry, had no code before).
        ...checkInCodeRotation(this.tableName, current, current, next),
      ],
      randomUUID(),
      // The registration or the entry changed since they were read: someone else moved first.
      () => new RegistrationChanged(),
    );
    if (!waitingFor) delete next.waitingFor;
    return next;
  }

  async dropEntry(entry: WaitingEntry): Promise<void> {
    try {
      await this.read(() =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: waitingEntryKey(entry.eventId, entry.id),
            // Only the entry that was judged stale, never one joined again since under the same id.
            ConditionExpression: 'joinedAt = :joinedAt',
            ExpressionAttributeValues: { ':joinedAt': entry.joinedAt },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private read<T>(operation: () => Promise<T>): Promise<T> {
    return readOrTryAgain(operation);
  }

  private write(plan: PlannedItem[], otherwise?: () => Error): Promise<void> {
    return writeTransaction(this.client, plan, randomUUID(), this.retryPolicy, otherwise);
  }

  private updateRegistration(
    current: StoredRegistration,
    updateExpression: string,
    values: Record<string, unknown>,
  ): PlannedItem {
    return planned(registrationUpdate(this.tableName, current, updateExpression, values), {
      kind: 'registration-changed',
    });
  }
}
