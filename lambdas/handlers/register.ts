import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { dependencies } from '../composition.js';
import { EventNotFound } from '../domain/errors.js';
import { idSchema } from '../domain/event-definition.js';
import type { Locale, StoredRegistration } from '../domain/registration.js';
import { emailDependencies } from '../email-composition.js';
import { idempotencyKeySchema } from '../http/header-schemas.js';
import { header } from '../http/headers.js';
import { httpHandler } from '../http/http-handler.js';
import { localeFrom } from '../http/messages.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import {
  type RegistrationBody,
  registrationBodySchema,
  type WaitingListBody,
  waitingListBodySchema,
} from '../http/schemas.js';
import { logDelivery } from '../observability.js';
import { deliverNow } from '../use-cases/deliver-email.js';
import { type RegisterResult, register } from '../use-cases/register.js';
import { type RememberedRegistration, replayRegistration } from '../use-cases/replay-registration.js';
import { signUpForPlace } from '../use-cases/waiting-list.js';
import { promoteAndNotify, registrationWithPositions, reread } from '../waiting-list-runtime.js';

const deps = dependencies();
const email = emailDependencies();

/**
 * POST /events/{eventId}/registrations and POST /events/{eventId}/waiting-list: both create a registration
 * (one with seats, one waiting for a place), both take an Idempotency-Key.
 */
export const handler = httpHandler(async (event, request) => {
  const raw = readJsonBody(event);
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  if (!eventId.success) throw new EventNotFound();
  const preferredLocale = localeFrom(header(event, 'accept-language'));
  const registerOnce =
    event.resource === '/events/{eventId}/waiting-list'
      ? signUpAndRespond(
          eventId.data,
          parseInput(waitingListBodySchema, raw, request.locale),
          preferredLocale,
        )
      : registerAndRespond(
          eventId.data,
          parseInput(registrationBodySchema, raw, request.locale),
          preferredLocale,
        );
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey === undefined) return (await registerOnce()).response;
  const key = parseInput(
    z.object({ 'Idempotency-Key': idempotencyKeySchema }),
    { 'Idempotency-Key': idempotencyKey },
    request.locale,
  );
  // The key is scoped to the event and the route; the validated body must be the same as the first time.
  // The record remembers only the registration id: a replay reads the registration as it is now, so nothing
  // personal stays behind in it after an erasure, and a cancelled registration is not replayed as confirmed.
  let firstAnswer: APIGatewayProxyResult | undefined;
  const remembered = await deps.idempotentRegistration(
    {
      key: `${eventId.data}#${key['Idempotency-Key']}`,
      payload: { eventId: eventId.data, resource: event.resource, body: raw },
    },
    request.lambdaContext,
    async (): Promise<RememberedRegistration> => {
      const created = await registerOnce();
      firstAnswer = created.response;
      return { registrationId: created.registrationId };
    },
  );
  if (firstAnswer) return firstAnswer;
  return createdAnswer(await replayRegistration(remembered, { registrations: deps.store }));
});

const registerAndRespond = (eventId: string, body: RegistrationBody, preferredLocale: Locale) => async () => {
  const { registration, manageToken, outbox, event } = await register(
    {
      eventId,
      name: body.name,
      email: body.email,
      organisation: body.organisation,
      jobTitle: body.jobTitle || undefined,
      choices: body.choices,
      waitFor: body.waitFor,
      locale: body.locale ?? preferredLocale,
    },
    { events: deps.store, registrations: deps.store, clock: deps.clock, secrets: deps.secrets },
  );
  const response = await respondCreated({ registration, manageToken, outbox, event });
  // A list joined with the registration: a seat may have come free since the event was read.
  if (registration.waitingFor) await promoteAndNotify(eventId);
  return { registrationId: registration.id, response };
};

const signUpAndRespond = (eventId: string, body: WaitingListBody, preferredLocale: Locale) => async () => {
  const result = await signUpForPlace(
    {
      eventId,
      name: body.name,
      email: body.email,
      organisation: body.organisation,
      jobTitle: body.jobTitle || undefined,
      accepts: body.accepts,
      locale: body.locale ?? preferredLocale,
    },
    { events: deps.store, registrations: deps.store, clock: deps.clock, secrets: deps.secrets },
  );
  const response = await respondCreated(result);
  const registrationId = result.registration.id;
  // Seats may have come free since the event was read: the walk promotes this signup if it can.
  const promoted = await promoteAndNotify(eventId);
  if (!promoted.some((promotion) => promotion.registration.id === registrationId)) {
    return { registrationId, response };
  }
  return { registrationId, response: await createdAnswer(await reread(result.registration)) };
};

/** 201 with the registration as its holder sees it (places in line included) and its address. */
async function createdAnswer(registration: StoredRegistration) {
  return jsonResponse(
    201,
    { registration: await registrationWithPositions(registration) },
    { Location: `/registrations/${registration.id}` },
  );
}

/** The first email goes out with the token this request has; the answer shows places in line. */
async function respondCreated({ registration, manageToken, outbox, event }: RegisterResult) {
  const view = await registrationWithPositions(registration);
  logDelivery(
    await deliverNow(
      outbox,
      { event, registration, manageToken, waitingPositions: view.waitingPositions },
      email,
    ),
  );
  return jsonResponse(201, { registration: view }, { Location: `/registrations/${registration.id}` });
}
