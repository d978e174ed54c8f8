import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../../domain/email.js';
import {
  AlreadyRegistered,
  AlreadyWaiting,
  CapacityBelowTaken,
  InvalidChoice,
  RegistrationChanged,
  TryAgain,
  WorkshopFull,
} from '../../domain/errors.js';
import { type EventDefinition, eventDefinitionSchema } from '../../domain/event-definition.js';
import { ERASED, epochSeconds, type RemovalReason } from '../../domain/privacy.js';
import type {
  CancelledBy,
  Choices,
  EventWithSeats,
  StoredRegistration,
  WorkshopSeats,
} from '../../domain/registration.js';
import { ownValue } from '../../domain/registration.js';
import { entryIdsOf, preferenceEntryId } from '../../domain/waiting-list.js';
import type { EventCatalog, NewRegistration, RegistrationStore } from '../../ports.js';
import {
  emailGuardKey,
  eventKey,
  eventRegistryKey,
  registrationIndexKeys,
  registrationKey,
  workshopKey,
} from './keys.js';
import { confirmationOf, outboxPut } from './outbox.js';
import { registrationUpdate, releaseSeat, type TransactItem, takeSeat } from './seat-items.js';
import {
  defaultRetryPolicy,
  type RetryPolicy,
  readOrTryAgain,
  TransactionCancelled,
  transactWrite,
} from './transactions.js';
import { waitingEntryDelete, waitingEntryPut } from './waiting-list-store.js';

/** BatchGetItem takes at most 100 keys; unprocessed keys are retried a few times before giving up. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 5;

/** An erasure email that SES never took is removed with its address after this long (TTL). */
const ERASURE_EMAIL_SECONDS = 30 * 24 * 60 * 60;

export class DynamoStore implements EventCatalog, RegistrationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async getEvent(eventId: string): Promise<EventWithSeats | undefined> {
    const { Item } = await this.read(() =>
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
        const result = await this.read(() =>
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

  private read<T>(operation: () => Promise<T>): Promise<T> {
    return readOrTryAgain(operation);
  }

  /**
   * Creates or updates an event and its workshop counters in one transaction. A new workshop starts with
   * `taken = 0`; a capacity may change as long as it stays at or above what is taken.
   */
  async putEventDefinition(eventId: string, definition: EventDefinition): Promise<void> {
    const now = new Date().toISOString();
    const workshops = definition.rounds.flatMap((round) =>
      round.workshops.map((workshop) => ({ roundId: round.id, workshop })),
    );
    const eventItems: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...eventKey(eventId), type: 'event', eventId, definition, updatedAt: now },
        },
      },
      {
        // The registry of events, so that scheduled checks find every event however it was loaded.
        Update: {
          TableName: this.tableName,
          Key: eventRegistryKey(),
          UpdateExpression: 'SET #type = :registry ADD eventIds :ids',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':registry': 'event-registry', ':ids': new Set([eventId]) },
        },
      },
    ];
    const workshopItems = workshops.map(
      ({ roundId, workshop }): TransactItem => ({
        Update: {
          TableName: this.tableName,
          Key: workshopKey(eventId, workshop.id),
          UpdateExpression:
            'SET #type = :type, eventId = :eventId, workshopId = :workshopId, roundId = :roundId, ' +
            'title = :title, #capacity = :capacity, taken = if_not_exists(taken, :zero), updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(taken) OR taken <= :capacity',
          ExpressionAttributeNames: { '#type': 'type', '#capacity': 'capacity' },
          ExpressionAttributeValues: {
            ':type': 'workshop',
            ':eventId': eventId,
            ':workshopId': workshop.id,
            ':roundId': roundId,
            ':title': workshop.title,
            ':capacity': workshop.capacity,
            ':zero': 0,
            ':now': now,
          },
        },
      }),
    );
    try {
      await transactWrite(
        this.client,
        { TransactItems: [...eventItems, ...workshopItems] },
        randomUUID(),
        this.retryPolicy,
      );
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const below = workshops
        .filter((_, index) => error.reasons[eventItems.length + index]?.Code === 'ConditionalCheckFailed')
        .map(({ workshop }) => workshop.id);
      if (below.length > 0) throw new CapacityBelowTaken({ workshopIds: below });
      throw error;
    }
  }

  async createRegistration({
    registration,
    emailHash,
    earlierEmailHash,
    manageTokenHash,
    outbox,
    personalDataExpiresAt,
    waitingEntries = [],
  }: NewRegistration): Promise<void> {
    // The guard and the outbox entry hold personal data and have no role in the counts: TTL removes them.
    const expiresAt = personalDataExpiresAt ? epochSeconds(personalDataExpiresAt) : undefined;
    const choices = Object.entries(registration.choices);
    const items: TransactItem[] = [
      ...choices.map(([, workshopId]) => this.takeSeat(registration.eventId, workshopId)),
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...emailGuardKey(registration.eventId, emailHash),
            type: 'email-guard',
            eventId: registration.eventId,
            registrationId: registration.id,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          // Whose the address is tells "already registered" from "already waiting".
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...registrationKey(registration.id),
            ...registrationIndexKeys(registration.eventId, registration.id, registration.createdAt),
            type: 'registration',
            ...registration,
            version: 1,
            emailHash,
            manageTokenHash,
            ...(outbox ? { confirmation: confirmationOf(outbox) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // After the registration, so that the reasons of the items before keep their documented positions.
      ...(outbox ? [outboxPut(this.tableName, outbox, expiresAt)] : []),
      ...waitingEntries.map((entry) => waitingEntryPut(this.tableName, entry)),
    ];
    // Last, so the positions above stay as documented: a guard written under the earlier rule for this address.
    const earlierGuardIndex = earlierEmailHash ? items.length : -1;
    if (earlierEmailHash) {
      items.push({
        ConditionCheck: {
          TableName: this.tableName,
          Key: emailGuardKey(registration.eventId, earlierEmailHash),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }

    try {
      // The registration id is the token: every retry of this one registration is the same request.
      await transactWrite(this.client, { TransactItems: items }, registration.id, this.retryPolicy);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const full: string[] = [];
      const vanished: string[] = [];
      choices.forEach(([, workshopId], index) => {
        const reason = error.reasons[index];
        if (reason?.Code !== 'ConditionalCheckFailed') return;
        (reason.Item ? full : vanished).push(workshopId);
      });
      if (vanished.length > 0) {
        throw new InvalidChoice(
          choices
            .filter(([, workshopId]) => vanished.includes(workshopId))
            .map(([roundId, workshopId]) => ({ roundId, workshopId, reason: 'unknown-workshop' as const })),
        );
      }
      if (full.length > 0) throw new WorkshopFull({ workshopIds: full });
      for (const guard of [error.reasons[choices.length], error.reasons[earlierGuardIndex]]) {
        if (guard?.Code === 'ConditionalCheckFailed')
          throw await this.addressTaken(guard.Item?.registrationId?.S);
      }
      throw error;
    }
  }

  /** The address already has a registration of this event: a seat (AlreadyRegistered) or a wait (AlreadyWaiting). */
  private async addressTaken(registrationId: string | undefined): Promise<Error> {
    const holder = registrationId ? await this.getRegistration(registrationId) : undefined;
    return holder?.status === 'waiting' ? new AlreadyWaiting() : new AlreadyRegistered();
  }

  async getRegistration(registrationId: string): Promise<StoredRegistration | undefined> {
    const { Item } = await this.read(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: registrationKey(registrationId),
          ConsistentRead: true,
        }),
      ),
    );
    return Item?.type === 'registration' ? toStoredRegistration(Item) : undefined;
  }

  async changeChoices(
    current: StoredRegistration,
    choices: Choices,
    at: string,
    outbox?: OutboxEntry,
  ): Promise<StoredRegistration> {
    const moves = Object.entries(choices)
      .filter(([roundId, workshopId]) => ownValue(current.choices, roundId) !== workshopId)
      .map(([roundId, workshopId]) => ({
        roundId,
        from: ownValue(current.choices, roundId),
        to: workshopId,
      }));
    if (moves.length === 0) return current;

    const takes = moves.map(({ to }) => this.takeSeat(current.eventId, to));
    const releases = moves.flatMap(({ from }) => (from ? [this.releaseSeat(current.eventId, from)] : []));
    // Choosing the workshop waited for (a seat came free) ends that wait.
    const endedWaits = moves
      .filter(({ roundId, to }) => ownValue(current.waitingFor, roundId)?.includes(to))
      .map(({ roundId }) => roundId);
    const waitingFor = Object.fromEntries(
      Object.entries(current.waitingFor ?? {}).filter(([roundId]) => !endedWaits.includes(roundId)),
    );
    const next: StoredRegistration = {
      ...current,
      choices: { ...current.choices, ...choices },
      updatedAt: at,
      version: current.version + 1,
    };
    if (current.waitingFor) next.waitingFor = waitingFor;
    const items: TransactItem[] = [
      ...takes,
      ...releases,
      this.updateRegistration(
        current,
        `choices = :choices, updatedAt = :at, version = :next${outbox ? ', confirmation = :confirmation' : ''}` +
          `${endedWaits.length > 0 ? ', waitingFor = :waitingFor' : ''}`,
        {
          ':choices': next.choices,
          ':at': at,
          ...(outbox ? { ':confirmation': confirmationOf(outbox) } : {}),
          ...(endedWaits.length > 0 ? { ':waitingFor': waitingFor } : {}),
        },
      ),
      ...(outbox ? [outboxPut(this.tableName, outbox)] : []),
      ...endedWaits.map((roundId) =>
        waitingEntryDelete(this.tableName, current.eventId, preferenceEntryId(current.id, roundId)),
      ),
    ];
    try {
      await transactWrite(this.client, { TransactItems: items }, randomUUID(), this.retryPolicy);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.reasons[takes.length + releases.length]?.Code === 'ConditionalCheckFailed') {
        throw new RegistrationChanged();
      }
      const full: string[] = [];
      const vanished: { roundId: string; workshopId: string }[] = [];
      moves.forEach(({ roundId, to }, index) => {
        const reason = error.reasons[index];
        if (reason?.Code !== 'ConditionalCheckFailed') return;
        if (reason.Item) full.push(to);
        else vanished.push({ roundId, workshopId: to });
      });
      if (vanished.length > 0) {
        throw new InvalidChoice(
          vanished.map((choice) => ({ ...choice, reason: 'unknown-workshop' as const })),
        );
      }
      if (full.length > 0) throw new WorkshopFull({ workshopIds: full });
      throw error;
    }
  }

  async cancelRegistration(
    current: StoredRegistration,
    at: string,
    by: CancelledBy,
    outbox?: OutboxEntry,
  ): Promise<StoredRegistration> {
    const items: TransactItem[] = [
      this.updateRegistration(
        current,
        '#status = :cancelled, updatedAt = :at, cancelledAt = :at, cancelledBy = :by, version = :next ' +
          'REMOVE waitingFor',
        { ':cancelled': 'cancelled', ':at': at, ':by': by },
      ),
      ...Object.values(current.choices).map((workshopId) => this.releaseSeat(current.eventId, workshopId)),
      {
        // The guard goes with the registration, so the same person may register again.
        Delete: {
          TableName: this.tableName,
          Key: emailGuardKey(current.eventId, current.emailHash),
          ConditionExpression: 'attribute_not_exists(pk) OR registrationId = :id',
          ExpressionAttributeValues: { ':id': current.id },
        },
      },
      ...(outbox ? [outboxPut(this.tableName, outbox)] : []),
      // Off every waiting list: a cancelled registration waits for nothing.
      ...entryIdsOf(current).map((entryId) => waitingEntryDelete(this.tableName, current.eventId, entryId)),
    ];
    try {
      await transactWrite(this.client, { TransactItems: items }, randomUUID(), this.retryPolicy);
    } catch (error) {
      if (error instanceof TransactionCancelled && error.reasons[0]?.Code === 'ConditionalCheckFailed') {
        throw new RegistrationChanged();
      }
      throw error;
    }
    const { waitingFor: _waitingFor, ...withoutWaits } = current;
    return {
      ...withoutWaits,
      status: 'cancelled',
      updatedAt: at,
      cancelledAt: at,
      cancelledBy: by,
      version: current.version + 1,
    };
  }

  async removePersonalData(
    current: StoredRegistration,
    at: string,
    reason: RemovalReason,
    erasureEmail?: OutboxEntry,
  ): Promise<StoredRegistration> {
    const removed: StoredRegistration = {
      ...current,
      name: ERASED,
      email: ERASED,
      organisation: ERASED,
      jobTitle: undefined,
      emailHash: '',
      manageTokenHash: '',
      confirmation: undefined,
      personalDataRemoved: { at, reason },
      updatedAt: at,
      version: current.version + 1,
    };
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: registrationKey(current.id),
          UpdateExpression:
            'SET #name = :erased, email = :erased, organisation = :erased, emailHash = :empty, ' +
            'manageTokenHash = :empty, personalDataRemoved = :removed, updatedAt = :at, version = :next ' +
            'REMOVE jobTitle, confirmation, waitingFor, emailState, emailFeedback',
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':erased': ERASED,
            ':empty': '',
            ':removed': removed.personalDataRemoved,
            ':at': at,
            ':version': current.version,
            ':next': removed.version,
          },
        },
      },
      ...(current.emailHash
        ? [
            {
              Delete: {
                TableName: this.tableName,
                Key: emailGuardKey(current.eventId, current.emailHash),
                ConditionExpression: 'attribute_not_exists(pk) OR registrationId = :id',
                ExpressionAttributeValues: { ':id': current.id },
              },
            },
          ]
        : []),
      // Nobody left to promote or to tell: off every waiting list.
      ...entryIdsOf(current).map((entryId) => waitingEntryDelete(this.tableName, current.eventId, entryId)),
      // The erasure confirmation, with the address until it is sent; never kept past the records' lifetime.
      ...(erasureEmail
        ? [outboxPut(this.tableName, erasureEmail, epochSeconds(new Date(at)) + ERASURE_EMAIL_SECONDS)]
        : []),
    ];
    try {
      await transactWrite(this.client, { TransactItems: items }, randomUUID(), this.retryPolicy);
    } catch (error) {
      if (error instanceof TransactionCancelled && error.reasons[0]?.Code === 'ConditionalCheckFailed') {
        throw new RegistrationChanged();
      }
      throw error;
    }
    const {
      jobTitle: _jobTitle,
      confirmation: _confirmation,
      waitingFor: _waitingFor,
      emailState: _emailState,
      emailFeedback: _emailFeedback,
      ...withoutRemoved
    } = removed;
    return withoutRemoved;
  }

  async replaceManageToken(registrationId: string, manageTokenHash: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: registrationKey(registrationId),
        UpdateExpression: 'SET manageTokenHash = :hash',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':hash': manageTokenHash },
      }),
    );
  }

  private takeSeat(eventId: string, workshopId: string): TransactItem {
    return takeSeat(this.tableName, eventId, workshopId);
  }

  private releaseSeat(eventId: string, workshopId: string): TransactItem {
    return releaseSeat(this.tableName, eventId, workshopId);
  }

  private updateRegistration(
    current: StoredRegistration,
    assignments: string,
    values: Record<string, unknown>,
  ): TransactItem {
    return registrationUpdate(this.tableName, current, `SET ${assignments}`, values);
  }
}

const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'expiresAt'];

function toStoredRegistration(item: Record<string, unknown>): StoredRegistration {
  const registration = { ...item };
  for (const attribute of INTERNAL_ATTRIBUTES) delete registration[attribute];
  return registration as StoredRegistration;
}
