import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { dependencies } from '../composition.js';
import type { Locale } from '../domain/registration.js';
import { idempotencyKeySchema } from '../http/header-schemas.js';
import { header } from '../http/headers.js';
import { httpHandler, type RequestContext } from '../http/http-handler.js';
import { eventIdParameter } from '../http/path-parameters.js';
import { registrationView } from '../http/public-views.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';
import {
  type RegistrationBody,
  registrationBodySchema,
  type WaitingListBody,
  waitingListBodySchema,
} from '../http/schemas.js';
import { idempotentRegistration } from '../idempotency-composition.js';
import type { RegistrationInLine } from '../use-cases/follow-up.js';
import type { PersonDetails } from '../use-cases/registration-steps.js';
import { registerAndConfirm, replaySignUp, signUpAndConfirm } from '../use-cases/sign-up.js';

const deps = dependencies();
const idempotent = idempotentRegistration();
const signUpDeps = {
  ...deps.followUp,
  events: deps.store,
  registrations: deps.store,
  clock: deps.clock,
  secrets: deps.secrets,
};

/** Validates the body (before any key is looked at) and returns the sign-up, to run at most once. */
type PrepareSignUp = (eventId: string, raw: unknown, locale: Locale) => () => Promise<RegistrationInLine>;

/** Who signs up, as both forms send it; the form's language unless the body names one. */
function person(eventId: string, body: RegistrationBody | WaitingListBody, locale: Locale): PersonDetails {
  return {
    eventId,
    name: body.name,
    email: body.email,
    organisation: body.organisation,
    jobTitle: body.jobTitle || undefined,
    locale: body.locale ?? locale,
  };
}

/**
 * POST /events/{eventId}/registrations and POST /events/{eventId}/waiting-list: both create a registration
 * (one with seats, one waiting for a place), both take an Idempotency-Key.
 */
export const REGISTER_ROUTES = {
  'POST /events/{eventId}/registrations': once((eventId, raw, locale) => {
    const body = parseInput(registrationBodySchema, raw, locale);
    const command = {
      ...person(eventId, body, locale),
      choices: body.choices,
      alternatives: body.alternatives,
      waitFor: body.waitFor,
    };
    return () => registerAndConfirm(command, signUpDeps);
  }),
  'POST /events/{eventId}/waiting-list': once((eventId, raw, locale) => {
    const body = parseInput(waitingListBodySchema, raw, locale);
    const command = { ...person(eventId, body, locale), accepts: body.accepts };
    return () => signUpAndConfirm(command, signUpDeps);
  }),
} satisfies RouteActions;

export const handler = httpHandler(router(REGISTER_ROUTES));

/**
 * Reads the request and, with an Idempotency-Key, signs up at most once per key. The key is scoped to the
 * event and the route; the body must be the same as the first time. The record remembers only the
 * registration id: a replay reads the registration as it is now, so nothing personal stays behind in it after
 * an erasure, and a cancelled registration is not replayed as confirmed.
 */
function once(prepare: PrepareSignUp) {
  return async (event: APIGatewayProxyEvent, request: RequestContext): Promise<APIGatewayProxyResult> => {
    const raw = readJsonBody(event);
    const eventId = eventIdParameter(event);
    const signUp = prepare(eventId, raw, request.locale);
    const idempotencyKey = header(event, 'idempotency-key');
    if (idempotencyKey === undefined) return created(await signUp());
    const key = parseInput(
      z.object({ 'Idempotency-Key': idempotencyKeySchema }),
      { 'Idempotency-Key': idempotencyKey },
      request.locale,
    );
    let firstAnswer: APIGatewayProxyResult | undefined;
    const remembered = await idempotent(
      {
        key: `${eventId}#${key['Idempotency-Key']}`,
        payload: { eventId, resource: event.resource, body: raw },
      },
      request.lambdaContext,
      async () => {
        const shown = await signUp();
        firstAnswer = created(shown);
        return { registrationId: shown.registration.id };
      },
    );
    return firstAnswer ?? created(await replaySignUp(remembered, signUpDeps));
  };
}

/** 201 with the registration as its holder sees it (places in line included) and its address. */
function created({ registration, waitingPositions }: RegistrationInLine): APIGatewayProxyResult {
  return jsonResponse(
    201,
    { registration: registrationView(registration, waitingPositions) },
    { Location: `/registrations/${registration.id}` },
  );
}
