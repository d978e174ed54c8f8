import type { AdminRegistration } from './domain/admin-registration.js';
import type { CheckInPlace, CheckInRecord } from './domain/check-in.js';
import type { EmailFeedback, OutboxEntry, OutgoingEmail } from './domain/email.js';
import type { EventDefinition } from './domain/event-definition.js';
import type { MessageRecord, OrganiserMessage } from './domain/message.js';
import type { RemovalReason } from './domain/privacy.js';
import type { OwedNotices } from './domain/programme-notice.js';
import type {
  Alternatives,
  CancelledBy,
  Choices,
  EventWithSeats,
  Registration,
  StoredRegistration,
} from './domain/registration.js';
import type { WaitingEntry } from './domain/waiting-list.js';

/**
 * The small interfaces the use cases depend on. Adapters (DynamoDB, clocks, id sources) implement them;
 * tests substitute them. Nothing here knows HTTP or AWS.
 */

export interface EventCatalog {
  /** The event with live seat counters, or undefined when it does not exist. */
  getEvent(eventId: string): Promise<EventWithSeats | undefined>;
  /**
   * The definition alone, for a registration: may be up to a second old (a change made elsewhere), because
   * the transaction's conditions decide the seats; undefined when the event does not exist. With
   * `{ current: true }` it is the definition as stored now (an email must show the programme as it is).
   */
  getDefinition(eventId: string, options?: { current?: boolean }): Promise<EventDefinition | undefined>;
  /**
   * Creates or updates an event; throws CapacityBelowTaken when a capacity would drop below what is taken.
   * `notices`: the programme-change notices the update owes, stored as lists in the same transaction (issue 16).
   */
  putEventDefinition(eventId: string, definition: EventDefinition, notices?: OwedNotices): Promise<void>;
}

export type NewRegistration = {
  /** `choices`: per round the workshop chosen; the one taken may be an alternative (below). */
  registration: Registration;
  /** Round → workshops of that round to take, in order of preference, when the one chosen is full. */
  alternatives?: Alternatives;
  /** sha256 of the normalised email: the key of the one-active-registration-per-email guard. */
  emailHash: string;
  /** The guard key of the same address under the earlier rule, when it differs: it must not exist either. */
  earlierEmailHash?: string;
  /** sha256 of the manage token; the token itself is never stored. */
  manageTokenHash: string;
  /** When the email guard and the outbox entry expire (DynamoDB TTL): the end of the retention period. */
  personalDataExpiresAt?: Date;
  /**
   * The confirmation email this registration owes, written in the same transaction. The use cases always
   * pass it; store-level tests and benchmarks that measure seats alone may leave it out.
   */
  outbox?: OutboxEntry;
  /** Waiting lists joined with the registration (a preference, or the place of a `waiting` registration). */
  waitingEntries?: WaitingEntry[];
};

export interface RegistrationStore {
  /**
   * Takes every chosen seat, the email guard and the registration in one transaction: all or nothing. In a
   * round whose choice is full it takes the first alternative with room; answers the workshops taken.
   * Throws WorkshopFull (naming the full workshops), AlreadyRegistered, InvalidChoice (workshop vanished)
   * or TryAgain (conflicts or throttling persisted).
   */
  createRegistration(input: NewRegistration): Promise<Choices>;

  /** Strongly consistent read; undefined when there is no such registration. */
  getRegistration(registrationId: string): Promise<StoredRegistration | undefined>;

  /**
   * Moves the seats of the rounds whose choice differs, in one transaction conditioned on the version read:
   * old seats released, new ones taken under `taken < capacity`. Throws WorkshopFull, InvalidChoice,
   * RegistrationChanged (someone else changed it first) or TryAgain.
   */
  changeChoices(
    current: StoredRegistration,
    choices: Choices,
    at: string,
    outbox?: OutboxEntry,
  ): Promise<StoredRegistration>;

  /**
   * Cancels in one transaction conditioned on the version read: status `cancelled`, every seat released
   * once, the email guard removed. Throws RegistrationChanged when the registration changed meanwhile.
   */
  cancelRegistration(
    current: StoredRegistration,
    at: string,
    by: CancelledBy,
    outbox?: OutboxEntry,
  ): Promise<StoredRegistration>;

  /**
   * Removes name, email address, organisation and job title (and the email guard and manage token), keeping
   * status and choices so that the counts stay right. Conditioned on the version read.
   */
  removePersonalData(
    current: StoredRegistration,
    at: string,
    reason: RemovalReason,
    /** The erasure confirmation's outbox entry, committed with the removal (an erasure on request). */
    erasureEmail?: OutboxEntry,
  ): Promise<StoredRegistration>;

  /**
   * Replaces the manage token's hash (a retried email carries a fresh token: the old one was never delivered), with
   * the check-in code's rotation, on the status and token read (read again when another write moved first).
   * Throws RegistrationErased once the person is erased, RegistrationChanged when it keeps changing.
   */
  replaceManageToken(registrationId: string, manageTokenHash: string): Promise<void>;

  /**
   * Owes the registration its confirmation again, with a fresh manage link: the new token's hash and the outbox
   * entry in one transaction conditioned on the version read (the earlier links stop working). Throws
   * RegistrationChanged when it changed meanwhile.
   */
  resendConfirmation(
    current: StoredRegistration,
    manageTokenHash: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration>;
}

/** One promotion: the entry, its registration as read, and the seats it takes (round id → workshop id). */
export type PromotionInput = {
  entry: WaitingEntry;
  current: StoredRegistration;
  takes: Choices;
  at: string;
  /** The promotion email carries a fresh manage link; only its hash is stored. */
  manageTokenHash: string;
  outbox: OutboxEntry;
};

export interface WaitingListStore {
  /** An event's queue in join order. Reads the index, so an entry of the last moment may be missing. */
  queue(eventId: string): Promise<WaitingEntry[]>;
  getEntry(eventId: string, entryId: string): Promise<WaitingEntry | undefined>;
  /**
   * Puts a preference entry and the registration's `waitingFor` in one transaction conditioned on the version
   * read. Throws AlreadyWaiting or RegistrationChanged.
   */
  joinPreference(
    current: StoredRegistration,
    entry: WaitingEntry,
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration>;
  /** Removes the preference entries of these rounds with the registration's `waitingFor`, in one transaction. */
  leavePreferences(
    current: StoredRegistration,
    roundIds: readonly string[],
    at: string,
    outbox: OutboxEntry,
  ): Promise<StoredRegistration>;
  /**
   * One promotion in one transaction: new seats under `taken < capacity`, the held seat of a preference
   * released, the registration updated (conditioned on its version), the entry deleted, the email owed.
   * Throws WorkshopFull (seats went meanwhile) or RegistrationChanged (the registration or entry changed).
   */
  promote(input: PromotionInput): Promise<StoredRegistration>;
  /**
   * Removes an entry that no longer stands for its registration (cancelled, anonymised, already seated), if it
   * is still the same entry (same `joinedAt`).
   */
  dropEntry(entry: WaitingEntry): Promise<void>;
}

/**
 * One walker per event at a time. Everyone who freed seats first asks for a walk (`requestWalk`), then tries
 * to take the lease; whoever holds it walks until no request came in during its last walk. So concurrent
 * cancellations do not race each other through the same queue, and no request for a walk is ever lost.
 */
export interface PromotionLease {
  requestWalk(eventId: string): Promise<void>;
  /** The number of walk requests so far when taken; undefined when another walker holds an unexpired lease. */
  tryAcquire(eventId: string, owner: string, now: Date, until: Date): Promise<number | undefined>;
  /**
   * Gives the lease back if no walk was requested since `requestsSeen`; otherwise keeps it and returns the new
   * count (walk again). Undefined also when the lease is no longer this owner's (it expired and was taken).
   */
  release(eventId: string, owner: string, requestsSeen: number): Promise<number | undefined>;
  /** Gives the lease back whatever was requested (a walker that stops; the sweep picks up the rest). */
  abandon(eventId: string, owner: string): Promise<void>;
}

/** The emails registrations owe, until sent or given up. */
export interface EmailOutbox {
  /** Entries whose time has come, oldest first. */
  due(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** Writes an entry unless one with its id exists (sent or not): false when it did. */
  addOnce(entry: OutboxEntry): Promise<boolean>;
  /** Takes the next attempt of an entry for this sender; undefined when another sender took it first. */
  claim(entry: OutboxEntry, leaseUntil: Date): Promise<OutboxEntry | undefined>;
  /** Marks the entry sent; a copy of an organisers' message is counted after, or left due for `countSent`. */
  markSent(entry: OutboxEntry, at: Date): Promise<void>;
  /** Counts a sent copy in its message's `sent` once, however often it is called (the sweep after the sender). */
  countSent(entry: OutboxEntry): Promise<void>;
  markRetry(entry: OutboxEntry, at: Date, retryAt: Date, reason: string): Promise<void>;
  markGaveUp(entry: OutboxEntry, at: Date, reason: string): Promise<void>;
  /** The entries still owed (pending) to one registration. */
  owedTo(registrationId: string): Promise<OutboxEntry[]>;
  /**
   * Removes a pending entry that nobody can receive any more (the address was erased): not sent, and not a
   * failure either. An entry that was sent or settled meanwhile is left as it is.
   */
  discard(entry: OutboxEntry): Promise<void>;
}

/**
 * Check-ins at the door and in the workshop rooms. The code lookup items are written by the registration and
 * waiting-list stores with each new manage token and removed with the personal data.
 */
export interface CheckInStore {
  /** The registration a check-in code was issued to; it may have been replaced since (compare the code). */
  registrationIdForCode(eventId: string, code: string): Promise<string | undefined>;
  /**
   * Records the check-in at a place unless there is one: one conditional write, so two scans at once count
   * once. `alreadyCheckedInAt` (and `at`) is the first check-in's time when there was one.
   */
  checkIn(
    eventId: string,
    registrationId: string,
    place: CheckInPlace,
    at: string,
  ): Promise<{ at: string; alreadyCheckedInAt?: string }>;
  /** Removes the check-in at a place; false when there was none. */
  undoCheckIn(eventId: string, registrationId: string, place: CheckInPlace): Promise<boolean>;
  /** One registration's check-ins (strongly consistent). */
  checkInsOf(eventId: string, registrationId: string): Promise<CheckInRecord | undefined>;
  /** Every check-in of an event, from the index (a scan of the last second may be missing). */
  checkInsAt(eventId: string): Promise<CheckInRecord[]>;
}

/** Bounces and complaints, kept on the registration the email was for. */
export interface EmailFeedbackStore {
  /**
   * Sets the registration's `emailState` and `emailFeedback`, unless a state that outranks it stands
   * (`OUTRANKING_EMAIL_STATES`). False when nothing changed: that, no such registration, or its personal data
   * was removed.
   */
  markEmailFeedback(feedback: EmailFeedback): Promise<boolean>;
}

export interface Mailer {
  /** Throws PermanentDeliveryFailure or TransientDeliveryFailure. */
  send(email: OutgoingEmail): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface SecretSource {
  newRegistrationId(): string;
  /** A manage token of at least 128 bits from a cryptographic source. */
  newManageToken(): string;
}

// The organisers' side: the admin API's use cases and scheduled jobs.

/** Who did it, for the audit log: the user pool's subject and user name, nothing else about the person. */
export type Actor = { sub: string; username: string };

/** A registration with its place in the event's listing order (createdAt, then id). */
export type IndexedRegistration = { position: string; registration: AdminRegistration };

export interface RegistrationIndex {
  /**
   * Every registration of an event in listing order (createdAt, then id), starting after `after` (a position
   * from an earlier item). Lazy: reads only as far as the caller iterates. Reads the event index, which is
   * eventually consistent: a registration of the last second may be missing.
   */
  registrationsOf(
    eventId: string,
    options?: { after?: string; pageSizeHint?: number },
  ): AsyncIterable<IndexedRegistration>;
}

export type AuditAction =
  | 'event.created'
  | 'event.updated'
  | 'registration.cancelled'
  | 'registration.erased'
  | 'registration.confirmation-resent'
  | 'waiting-list.removed'
  | 'waiting-list.promoted'
  | 'message.sent'
  /** A mistaken check-in undone (door staff or an organiser). */
  | 'check-in.undone';

export type AuditEntry = {
  id: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: Actor;
  action: AuditAction;
  eventId: string;
  /** The only reference to an attendee an audit entry may hold. */
  registrationId?: string;
  details: Record<string, unknown>;
};

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /**
   * Newest first, starting before `before` (a position from an earlier page); with `registrationId` only that
   * registration's entries.
   */
  entries(
    eventId: string,
    options: { before?: string; limit: number; registrationId?: string },
  ): Promise<{ items: AuditEntry[]; nextPosition?: string }>;
}

/** The ids of every event the admin API has written, so scheduled jobs can visit them without a table scan. */
export interface EventRegistry {
  add(eventId: string): Promise<void>;
  eventIds(): Promise<string[]>;
}

export interface IdSource {
  newId(): string;
}

/** What the business counts, one at a time: how many, never who (no ids, no event, no person). */
export type BusinessEvent =
  /** A registration with seats committed (not a replay of the same Idempotency-Key). */
  | 'RegistrationsConfirmed'
  /** A registration refused because a chosen workshop was full. */
  | 'RegistrationsRefusedFull'
  /** A signup for a place on the waiting list committed. */
  | 'WaitingListSignups'
  /** Someone waiting got a seat. */
  | 'Promotions'
  /** An email accepted by the sender. */
  | 'EmailsSent'
  /** An email given up on (rejected address, last attempt failed, or its registration gone). */
  | 'EmailsFailed'
  /** An attempt failed and the email waits for its next attempt. */
  | 'EmailsDeferred';

export interface BusinessMetrics {
  record(event: BusinessEvent): void;
}

/** The organisers' messages to registrants (issue 16): stored with their recipient lists, fanned out later. */
export interface MessageStore {
  /** The message and its recipient lists (registration ids) in one transaction; the lists feed the fan-out. */
  createMessage(message: OrganiserMessage, recipientIds: readonly string[]): Promise<void>;
  /** Newest first, with the counts the fan-out and the sender keep. */
  messagesOf(eventId: string): Promise<MessageRecord[]>;
  /** One message (its texts, for the sender); undefined when there is none. */
  getMessage(eventId: string, messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Writes each entry unless it exists (a retried fan-out writes nothing twice), then adds the list's size to
   * the message's `queued` once, however often the list is fanned out. Returns how many entries were new.
   */
  queueCopies(list: RecipientList, entries: readonly OutboxEntry[]): Promise<number>;
}

/** One stored list of a message's recipients (`listId` names it within the message). */
export type RecipientList = {
  eventId: string;
  messageId: string;
  listId: string;
  registrationIds: string[];
};

/** How fast the mail service lets this account send (SES `SendQuota.MaxSendRate`, emails per second). */
export interface SendQuota {
  maxSendRate(): Promise<number>;
}

/** The "updated programme" emails of an event update (issue 16). */
export interface ProgrammeNotices {
  /**
   * Raises the registration's version (so the `.ics` SEQUENCE grows) and writes its programme-change email in
   * one transaction, conditioned on the version read, on it being confirmed and on the entry not existing yet:
   * `exists` when an earlier run of the same list wrote it, `changed` when the registration changed meanwhile.
   */
  notify(current: StoredRegistration, entry: OutboxEntry): Promise<'written' | 'exists' | 'changed'>;
}
