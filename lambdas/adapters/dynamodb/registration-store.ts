import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../domain/email.js';
import {
  AlreadyRegistered,
  AlreadyWaiting,
  RegistrationChanged,
  RegistrationErased,
  RegistrationNotFound,
} from '../../domain/errors.js';
import { ERASED, epochSeconds, type RemovalReason } from '../../domain/privacy.js';
import {
  type CancelledBy,
  type Choices,
  ownValue,
  type StoredRegistration,
} from '../../domain/registration.js';
import { entryIdsOf, preferenceEntryId } from '../../domain/waiting-list.js';
import type { NewRegistration, RegistrationStore } from '../../ports.js';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '../aws-sdk.js';
import { checkInCodeDelete, checkInCodeRotation, checkInsDelete, onManageTokenRead } from './check-ins.js';
import { registrationKey } from './keys.js';
import { confirmationOf } from './outbox.js';
import { type SeatItems, SeatShardWriter, type SeatTaken } from './seat-shards.js';
import {
  emailGuardAbsent,
  emailGuardDelete,
  emailGuardPut,
  outboxPut,
  personalDataRemoval,
  registrationPut,
  registrationUpdate,
  type TransactItem,
  waitingEntryDelete,
  waitingEntryPut,
} from './transaction-items.js';
import { AddressInUse, type PlannedItem, planned, writeTransaction } from './transaction-refusals.js';
import { defaultRetryPolicy, type RetryPolicy, readOrTryAgain } from './transactions.js';

/** Round → workshop of the seats a write took in rounds. */
function choicesOf(taken: readonly SeatTaken[]): Choices {
  return Object.fromEntries(
    taken.flatMap(({ roundId, workshopId }) => (roundId === undefined ? [] : [[roundId, workshopId]])),
  );
}

/**
 * Registrations in the single table, each in its own partition. Every change is one transaction with the seats,
 * the email guard, the waiting-list entries and the email it owes, conditioned on the version read.
 */
export class DynamoRegistrationStore implements RegistrationStore {
  private readonly seats: SeatShardWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retryPolicy: RetryPolicy = defaultRetryPolicy,
  ) {
    this.seats = new SeatShardWriter(client, tableName, retryPolicy);
  }

  async createRegistration({
    registration,
    alternatives = {},
    emailHash,
    earlierEmailHash,
    manageTokenHash,
    outbox,
    personalDataExpiresAt,
    waitingEntries = [],
  }: NewRegistration): Promise<Choices> {
    // The guard and the outbox entry hold personal data and have no role in the counts: TTL removes them.
    const expiresAt = personalDataExpiresAt ? epochSeconds(personalDataExpiresAt) : undefined;
    const addressInUse = { kind: 'address-in-use' } as const;
    const takes = Object.entries(registration.choices).map(([roundId, workshopId]) => ({
      roundId,
      workshopId,
      alternatives: ownValue(alternatives, roundId) ?? [],
    }));
    const plan = (seats: SeatItems, taken: readonly SeatTaken[]): PlannedItem[] => [
      ...taken.map(({ roundId, workshopId }) => seats.take(workshopId, roundId)),
      planned(emailGuardPut(this.tableName, registration, emailHash, expiresAt), addressInUse),
      planned(
        registrationPut(
          this.tableName,
          { ...registration, choices: choicesOf(taken) },
          {
            version: 1,
            emailHash,
            manageTokenHash,
            ...(outbox ? { confirmation: confirmationOf(outbox) } : {}),
          },
        ),
      ),
      // After the registration, so that the reasons of the items before keep their documented positions.
      ...(outbox ? [planned(outboxPut(this.tableName, outbox, expiresAt))] : []),
      ...waitingEntries.map((entry) => planned(waitingEntryPut(this.tableName, entry))),
      // Last, so the positions above stay as documented: a guard written under the earlier rule for this address.
      ...(earlierEmailHash
        ? [planned(emailGuardAbsent(this.tableName, registration.eventId, earlierEmailHash), addressInUse)]
        : []),
      // A confirmed registration's check-in code (after everything that can refuse).
      ...checkInCodeRotation(this.tableName, registration, undefined, { ...registration, manageTokenHash }),
    ];
    try {
      // The registration id is the token: every conflict retry of this one registration is the same request (a
      // try on another seat shard, after a refusal that wrote nothing, is another).
      const taken = await this.seats.write(
        registration.eventId,
        { takes, releases: [] },
        plan,
        registration.id,
      );
      return choicesOf(taken);
    } catch (error) {
      if (error instanceof AddressInUse) throw await this.addressTaken(error.registrationId);
      throw error;
    }
  }

  /** The address already has a registration of this event: a seat (AlreadyRegistered) or a wait (AlreadyWaiting). */
  private async addressTaken(registrationId: string | undefined): Promise<Error> {
    const holder = registrationId ? await this.getRegistration(registrationId) : undefined;
    return holder?.status === 'waiting' ? new AlreadyWaiting() : new AlreadyRegistered();
  }

  async getRegistration(registrationId: string): Promise<StoredRegistration | undefined> {
    const { Item } = await readOrTryAgain(() =>
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
    const takes = moves.map(({ roundId, to }) => ({ roundId, workshopId: to }));
    const releases = moves.flatMap(({ from }) => (from ? [from] : []));
    await this.writeSeats(current.eventId, { takes, releases }, (seats) => [
      ...takes.map(({ roundId, workshopId }) => seats.take(workshopId, roundId)),
      ...releases.map((workshopId) => seats.release(workshopId)),
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
      ...(outbox ? [planned(outboxPut(this.tableName, outbox))] : []),
      ...endedWaits.map((roundId) =>
        planned(waitingEntryDelete(this.tableName, current.eventId, preferenceEntryId(current.id, roundId))),
      ),
    ]);
    return next;
  }

  async cancelRegistration(
    current: StoredRegistration,
    at: string,
    by: CancelledBy,
    outbox?: OutboxEntry,
  ): Promise<StoredRegistration> {
    const releases = Object.values(current.choices);
    await this.writeSeats(current.eventId, { takes: [], releases }, (seats) => [
      this.updateRegistration(
        current,
        '#status = :cancelled, updatedAt = :at, cancelledAt = :at, cancelledBy = :by, version = :next ' +
          'REMOVE waitingFor',
        { ':cancelled': 'cancelled', ':at': at, ':by': by },
      ),
      ...releases.map((workshopId) => seats.release(workshopId)),
      // The guard goes with the registration, so the same person may register again.
      planned(emailGuardDelete(this.tableName, current)),
      ...(outbox ? [planned(outboxPut(this.tableName, outbox))] : []),
      // Off every waiting list: a cancelled registration waits for nothing.
      ...this.waitingEntryDeletes(current),
    ]);
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
    await this.write([
      // On the token read too: the code lookup removed below is the one the registration has.
      planned(
        onManageTokenRead(personalDataRemoval(this.tableName, current, removed), current.manageTokenHash),
        {
          kind: 'registration-changed',
        },
      ),
      ...(current.emailHash ? [planned(emailGuardDelete(this.tableName, current))] : []),
      // Nobody left to promote or to tell: off every waiting list.
      ...this.waitingEntryDeletes(current),
      // The check-in code stops working and the check-ins go with the person.
      ...checkInCodeDelete(this.tableName, current.eventId, current.manageTokenHash),
      checkInsDelete(this.tableName, current.eventId, current.id),
      // The erasure confirmation, with the address until it is sent; never kept past the records' lifetime.
      ...(erasureEmail
        ? [
            planned(
              outboxPut(this.tableName, erasureEmail, epochSeconds(new Date(at)) + ERASURE_EMAIL_SECONDS),
            ),
          ]
        : []),
    ]);
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
    // No new version (a use case's write based on the version read goes through): conditioned on the status and
    // token read instead, so the check-in code that rotates out is the one the registration has.
    for (let tries = 1; ; tries++) {
      const current = await this.getRegistration(registrationId);
      if (!current) throw new RegistrationNotFound();
      // Erased meanwhile: nobody left to give a token (or a code) to.
      if (current.personalDataRemoved) throw new RegistrationErased();
      const replace = onManageTokenRead(
        {
          Update: {
            TableName: this.tableName,
            Key: registrationKey(registrationId),
            UpdateExpression: 'SET manageTokenHash = :hash',
            ConditionExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':hash': manageTokenHash, ':status': current.status },
          },
        },
        current.manageTokenHash,
      );
      // The check-in code rotates with the token: the new one's lookup in, the old one's out, together.
      const rotation = checkInCodeRotation(this.tableName, current, current, {
        status: current.status,
        manageTokenHash,
      });
      try {
        if (rotation.length === 0) {
          const update = replace.Update as NonNullable<TransactItem['Update']>;
          await this.client.send(new UpdateCommand(update));
        } else {
          await this.write([planned(replace, { kind: 'registration-changed' }), ...rotation]);
        }
        return;
      } catch (error) {
        const changed =
          error instanceof RegistrationChanged || error instanceof ConditionalCheckFailedException;
        if (!changed || tries >= TOKEN_REPLACEMENT_TRIES) throw error;
      }
    }
  }

  async resendConfirmation(
    current: StoredRegistration,
    manageTokenHash: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration> {
    await this.write([
      // A new version, so the entry has an id of its own; the content of the registration stays as it was.
      this.updateRegistration(
        current,
        'manageTokenHash = :hash, confirmation = :confirmation, version = :next',
        { ':hash': manageTokenHash, ':confirmation': confirmationOf(outbox) },
        { tokenRead: true },
      ),
      planned(outboxPut(this.tableName, outbox)),
      // The check-in code rotates with the token, as on every new manage link.
      ...checkInCodeRotation(this.tableName, current, current, { ...current, manageTokenHash }),
    ]);
    return {
      ...current,
      manageTokenHash,
      confirmation: confirmationOf(outbox),
      version: current.version + 1,
    };
  }

  private write(plan: PlannedItem[]): Promise<void> {
    return writeTransaction(this.client, plan, randomUUID(), this.retryPolicy);
  }

  private async writeSeats(
    eventId: string,
    seats: Parameters<SeatShardWriter['write']>[1],
    plan: (items: SeatItems) => PlannedItem[],
  ): Promise<void> {
    await this.seats.write(eventId, seats, plan, randomUUID());
  }

  /** An update conditioned on the version read (and with `tokenRead` on the manage token read too). */
  private updateRegistration(
    current: StoredRegistration,
    assignments: string,
    values: Record<string, unknown>,
    { tokenRead = false } = {},
  ): PlannedItem {
    const update = registrationUpdate(this.tableName, current, `SET ${assignments}`, values);
    return planned(tokenRead ? onManageTokenRead(update, current.manageTokenHash) : update, {
      kind: 'registration-changed',
    });
  }

  private waitingEntryDeletes(current: StoredRegistration): PlannedItem[] {
    return entryIdsOf(current).map((entryId) =>
      planned(waitingEntryDelete(this.tableName, current.eventId, entryId)),
    );
  }
}

/** Reads and writes of a replaced manage token while other writes keep changing the registration. */
const TOKEN_REPLACEMENT_TRIES = 3;

/** An erasure email that SES never took is removed with its address after this long (TTL). */
const ERASURE_EMAIL_SECONDS = 30 * 24 * 60 * 60;

const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'expiresAt'];

function toStoredRegistration(item: Record<string, unknown>): StoredRegistration {
  const registration = { ...item };
  for (const attribute of INTERNAL_ATTRIBUTES) delete registration[attribute];
  return registration as StoredRegistration;
}
