/**
 * The one error hierarchy. Use cases and adapters throw these; `http/error-mapper.ts` alone
 * turns them into HTTP responses (by `instanceof`). Messages for people live in `http/messages.ts`,
 * so nothing here needs a language and no internal detail can reach a response by accident.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  readonly details?: unknown;

  constructor(details?: unknown) {
    super(new.target.name);
    this.name = new.target.name;
    this.details = details;
  }
}

export type FieldIssue = { path: string; message: string };

export class ValidationFailed extends AppError {
  readonly code = 'VALIDATION_FAILED';
  declare readonly details: FieldIssue[];
}
export class MalformedJson extends AppError {
  readonly code = 'MALFORMED_JSON';
}
export type ChoiceIssue = {
  roundId: string;
  workshopId?: string;
  reason: 'missing' | 'unknown-round' | 'unknown-workshop' | 'wrong-round' | 'already-held';
};
export class InvalidChoice extends AppError {
  readonly code = 'INVALID_CHOICE';
  declare readonly details: ChoiceIssue[];
}
export class PayloadTooLarge extends AppError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}
export class UnsupportedMediaType extends AppError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}
export class EventNotFound extends AppError {
  readonly code = 'EVENT_NOT_FOUND';
}
export class RegistrationNotFound extends AppError {
  readonly code = 'REGISTRATION_NOT_FOUND';
}
export class RouteNotFound extends AppError {
  readonly code = 'NOT_FOUND';
}
/** The resource exists, with other methods: `allowedMethods` become the `Allow` header. */
export class MethodNotAllowed extends AppError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly allowedMethods: readonly string[];

  constructor(allowedMethods: readonly string[] = []) {
    super();
    this.allowedMethods = allowedMethods;
  }
}
export class WorkshopFull extends AppError {
  readonly code = 'WORKSHOP_FULL';
  declare readonly details: { workshopIds: string[] };
}
/** A cancelled registration cannot be changed; register again instead. */
export class RegistrationCancelled extends AppError {
  readonly code = 'REGISTRATION_CANCELLED';
}
/**
 * The registration's personal data was removed (on request or after the retention period): a repeated request
 * that made it gets nothing of it back.
 */
export class RegistrationErased extends AppError {
  readonly code = 'REGISTRATION_ERASED';
}
export class AlreadyRegistered extends AppError {
  readonly code = 'ALREADY_REGISTERED';
}
/** Already on this waiting list (or, for the email address, waiting for a place at the event). */
export class AlreadyWaiting extends AppError {
  readonly code = 'ALREADY_WAITING';
}
/** A seat is free: register or change instead of waiting. */
export class NotFull extends AppError {
  readonly code = 'NOT_FULL';
  declare readonly details: { workshopIds: string[] };
}
/** A registration waiting for a place holds no seats to change; leave the list or wait. */
export class RegistrationWaiting extends AppError {
  readonly code = 'REGISTRATION_WAITING';
}
export class WaitingEntryNotFound extends AppError {
  readonly code = 'WAITING_ENTRY_NOT_FOUND';
}
export class RegistrationClosed extends AppError {
  readonly code = 'REGISTRATION_CLOSED';
  declare readonly details: { status: 'not-yet-open' | 'closed'; opensAt?: string; closesAt?: string };
}
export class CapacityBelowTaken extends AppError {
  readonly code = 'CAPACITY_BELOW_TAKEN';
  declare readonly details: { workshopIds: string[] };
}
/** An event update would remove (or move to another round) workshops that registrations still hold. */
export class WorkshopInUse extends AppError {
  readonly code = 'WORKSHOP_IN_USE';
  declare readonly details: { workshopIds: string[] };
}
/** No confirmed registration of this event has this check-in code (or id): mistyped, another event's, erased. */
export class CheckInCodeUnknown extends AppError {
  readonly code = 'CHECK_IN_CODE_UNKNOWN';
}
/** Checking in at a workshop the person does not hold; `details` names the one they hold in that round. */
export class NotRegisteredForWorkshop extends AppError {
  readonly code = 'NOT_REGISTERED_FOR_WORKSHOP';
  declare readonly details: { roundId: string; workshopId?: string; title?: string };
}
/** No credential, or one that is not valid (admin routes). */
export class Unauthorized extends AppError {
  readonly code = 'UNAUTHORIZED';
}
/** A valid credential of someone outside the organisers group. */
export class Forbidden extends AppError {
  readonly code = 'FORBIDDEN';
}
/** The first request with this Idempotency-Key is still being processed. */
export class RequestInProgress extends AppError {
  readonly code = 'REQUEST_IN_PROGRESS';
}
/** The Idempotency-Key was used before with a different body. */
export class IdempotencyKeyReused extends AppError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
}
/**
 * Internal, never an HTTP answer on its own: the registration changed between read and write.
 * Use cases re-read and try again.
 */
export class RegistrationChanged extends Error {
  constructor() {
    super('RegistrationChanged');
    this.name = 'RegistrationChanged';
  }
}
/** The store could not complete in time (conflicts or throttling persisted): the client should retry later. */
export class TryAgain extends AppError {
  readonly code = 'TRY_AGAIN';
  constructor(readonly retryAfterSeconds = 1) {
    super();
  }
}
