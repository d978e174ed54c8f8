import type { APIGatewayProxyEvent } from 'aws-lambda';
import { EventNotFound, RegistrationNotFound, WaitingEntryNotFound } from '../domain/errors.js';
import { idSchema } from '../domain/event-definition.js';

/**
 * The path's ids, each checked once for what it can be: an id that cannot exist is simply not found (the
 * same 404 as an unknown one), before anything is read.
 */

/** Registration ids are 22 letters and digits (older ones: 21 nanoid characters of `A-Za-z0-9_-`); at most 64 such characters can be one. */
const REGISTRATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Entry ids are `<registrationId>.<roundId>` or `<registrationId>.event`. */
const ENTRY_ID = /^[\w-]+\.[\w-]+$/;
const MAX_ENTRY_ID_LENGTH = 140;

type WithPath = Pick<APIGatewayProxyEvent, 'pathParameters'>;

export function eventIdParameter(event: WithPath): string {
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  if (!eventId.success) throw new EventNotFound();
  return eventId.data;
}

export function registrationIdParameter(event: WithPath): string {
  const registrationId = event.pathParameters?.registrationId ?? '';
  if (!REGISTRATION_ID.test(registrationId)) throw new RegistrationNotFound();
  return registrationId;
}

export function entryIdParameter(event: WithPath): string {
  const entryId = event.pathParameters?.entryId ?? '';
  if (entryId.length > MAX_ENTRY_ID_LENGTH || !ENTRY_ID.test(entryId)) throw new WaitingEntryNotFound();
  return entryId;
}
