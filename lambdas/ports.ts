import type { EventDefinition } from './domain/event-definition.js';
import type {
  CancelledBy,
  Choices,
  EventWithSeats,
  Registration,
  StoredRegistration,
} from './domain/registration.js';

/**
 * The small interfaces the use cases depend on. Adapters (DynamoDB, clocks, id sources) implement them;
 * tests substitute them. Nothing here knows HTTP or AWS.
 */

export interface EventCatalog {
  /** The event with live seat counters, or undefined when it does not exist. */
  getEvent(eventId: string): Promise<EventWithSeats | undefined>;
  /** Creates or updates an event; throws CapacityBelowTaken when a capacity would drop below what is taken. */
  putEventDefinition(eventId: string, definition: EventDefinition): Promise<void>;
}

export type NewRegistration = {
  registration: Registration;
  /** sha256 of the normalised email: the key of the one-active-registration-per-email guard. */
  emailHash: string;
  /** sha256 of the manage token; the token itself is never stored. */
  manageTokenHash: string;
};

export interface RegistrationStore {
  /**
   * Takes every chosen seat, the email guard and the registration in one transaction: all or nothing.
   * Throws WorkshopFull (naming the full workshops), AlreadyRegistered, InvalidChoice (workshop vanished)
   * or TryAgain (conflicts or throttling persisted).
   */
  createRegistration(input: NewRegistration): Promise<void>;

  /** Strongly consistent read; undefined when there is no such registration. */
  getRegistration(registrationId: string): Promise<StoredRegistration | undefined>;

  /**
   * Moves the seats of the rounds whose choice differs, in one transaction conditioned on the version read:
   * old seats released, new ones taken under `taken < capacity`. Throws WorkshopFull, InvalidChoice,
   * RegistrationChanged (someone else changed it first) or TryAgain.
   */
  changeChoices(current: StoredRegistration, choices: Choices, at: string): Promise<StoredRegistration>;

  /**
   * Cancels in one transaction conditioned on the version read: status `cancelled`, every seat released
   * once, the email guard removed. Throws RegistrationChanged when the registration changed meanwhile.
   */
  cancelRegistration(current: StoredRegistration, at: string, by: CancelledBy): Promise<StoredRegistration>;
}

export interface Clock {
  now(): Date;
}

export interface SecretSource {
  newRegistrationId(): string;
  /** A manage token of at least 128 bits from a cryptographic source. */
  newManageToken(): string;
}
