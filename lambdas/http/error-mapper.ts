import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  AlreadyRegistered,
  AlreadyWaiting,
  type AppError,
  CapacityBelowTaken,
  CheckInCodeUnknown,
  EventNotFound,
  Forbidden,
  IdempotencyKeyReused,
  InvalidChoice,
  MalformedJson,
  MethodNotAllowed,
  NotFull,
  NotRegisteredForWorkshop,
  PayloadTooLarge,
  RegistrationCancelled,
  RegistrationClosed,
  RegistrationErased,
  RegistrationNotFound,
  RegistrationWaiting,
  RequestInProgress,
  RouteNotFound,
  TryAgain,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
  WaitingEntryNotFound,
  WorkshopFull,
  WorkshopInUse,
} from '../domain/errors.js';
import type { Locale } from '../domain/registration.js';
import { errorMessages } from './messages.js';
import { jsonResponse } from './responses.js';

type ErrorClass = abstract new (...args: never[]) => AppError;

/** The one place where errors become HTTP: first matching class wins. */
const STATUS_BY_ERROR: [ErrorClass, number][] = [
  [ValidationFailed, 400],
  [MalformedJson, 400],
  [InvalidChoice, 400],
  [Unauthorized, 401],
  [Forbidden, 403],
  [EventNotFound, 404],
  [RegistrationNotFound, 404],
  [WaitingEntryNotFound, 404],
  [CheckInCodeUnknown, 404],
  [RouteNotFound, 404],
  [MethodNotAllowed, 405],
  [WorkshopFull, 409],
  [AlreadyRegistered, 409],
  [AlreadyWaiting, 409],
  [NotFull, 409],
  [RegistrationWaiting, 409],
  [RegistrationClosed, 409],
  [RegistrationCancelled, 409],
  [CapacityBelowTaken, 409],
  [RegistrationErased, 410],
  [WorkshopInUse, 409],
  [NotRegisteredForWorkshop, 409],
  [RequestInProgress, 409],
  [PayloadTooLarge, 413],
  [UnsupportedMediaType, 415],
  [IdempotencyKeyReused, 422],
  [TryAgain, 503],
];

export function errorBody(code: string, locale: Locale, details?: unknown) {
  const message = errorMessages[code]?.[locale] ?? code;
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** The status of a known error (the OpenAPI document reads it too); undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  return STATUS_BY_ERROR.find(([errorClass]) => error instanceof errorClass)?.[1];
}

/** Known errors get their status and code; anything else is a 500 that reveals nothing about the cause. */
export function errorToResponse(error: unknown, locale: Locale): APIGatewayProxyResult {
  const status = statusOf(error);
  if (status === undefined || !isKnownError(error)) {
    return jsonResponse(500, errorBody('INTERNAL_ERROR', locale));
  }
  const headers: Record<string, string> = {};
  if (error instanceof TryAgain) headers['Retry-After'] = String(error.retryAfterSeconds);
  if (error instanceof MethodNotAllowed && error.allowedMethods.length > 0) {
    headers.Allow = error.allowedMethods.join(', ');
  }
  return jsonResponse(status, errorBody(error.code, locale, error.details), headers);
}

export function isKnownError(error: unknown): error is AppError {
  return statusOf(error) !== undefined;
}
