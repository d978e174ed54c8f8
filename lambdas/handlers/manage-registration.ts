import type { APIGatewayProxyEvent } from 'aws-lambda';
import { dependencies } from '../composition.js';
import { ownCheckInCode } from '../domain/check-in.js';
import { RegistrationNotFound } from '../domain/errors.js';
import { bearerToken } from '../http/bearer.js';
import { httpHandler } from '../http/http-handler.js';
import { registrationIdParameter } from '../http/path-parameters.js';
import { personalDataExport, registrationView } from '../http/public-views.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';
import { changeBodySchema, joinWaitingListBodySchema } from '../http/schemas.js';
import type { RegistrationInLine } from '../use-cases/follow-up.js';
import {
  cancelOwnRegistration,
  changeOwnChoices,
  eraseOwnPersonalData,
  joinListAndConfirm,
  leaveListAndConfirm,
  type OwnRegistrationDeps,
  viewOwnRegistration,
} from '../use-cases/own-registration.js';
import { findOwnRegistration } from '../use-cases/registration-access.js';

const deps = dependencies();
const ownDeps: OwnRegistrationDeps = {
  ...deps.followUp,
  registrations: deps.store,
  events: deps.store,
  outbox: deps.outbox,
};

/**
 * The registration of the path, with the manage token from the confirmation email as bearer credential. No
 * token, a wrong token and an unknown id are the same 404.
 */
function own(event: APIGatewayProxyEvent) {
  const registrationId = registrationIdParameter(event);
  const manageToken = bearerToken(event);
  if (!manageToken) throw new RegistrationNotFound();
  return { registrationId, manageToken };
}

const shown = ({ registration, waitingPositions }: RegistrationInLine) =>
  jsonResponse(200, { registration: registrationView(registration, waitingPositions) });

/**
 * GET, PATCH and DELETE /registrations/{registrationId}, its personal data and its waiting lists. Whatever
 * frees a seat is followed by promotion of the people waiting for it (in the use cases).
 */
export const MANAGE_ROUTES = {
  'GET /registrations/{registrationId}': async (event) => {
    const { registration, waitingPositions } = await viewOwnRegistration(own(event), ownDeps);
    const code = ownCheckInCode(registration);
    return jsonResponse(200, {
      registration: registrationView(registration, waitingPositions),
      ...(code ? { checkIn: { code } } : {}),
    });
  },
  'PATCH /registrations/{registrationId}': async (event, request) => {
    const ref = own(event);
    const { choices } = parseInput(changeBodySchema, readJsonBody(event), request.locale);
    return shown(await changeOwnChoices({ ...ref, choices }, ownDeps));
  },
  'DELETE /registrations/{registrationId}': async (event) =>
    jsonResponse(200, { registration: registrationView(await cancelOwnRegistration(own(event), ownDeps)) }),
  'GET /registrations/{registrationId}/personal-data': async (event) => {
    const { registrationId, manageToken } = own(event);
    const registration = await findOwnRegistration(registrationId, manageToken, ownDeps);
    const checkIns = await deps.checkIns.checkInsOf(registration.eventId, registration.id);
    return jsonResponse(200, personalDataExport(registration, deps.clock.now().toISOString(), checkIns), {
      'Content-Disposition': `attachment; filename="registration-${registration.id}.json"`,
    });
  },
  'DELETE /registrations/{registrationId}/personal-data': async (event) =>
    jsonResponse(200, { registration: registrationView(await eraseOwnPersonalData(own(event), ownDeps)) }),
  'POST /registrations/{registrationId}/waiting-list': async (event, request) => {
    const ref = own(event);
    const { workshopId } = parseInput(joinWaitingListBodySchema, readJsonBody(event), request.locale);
    return shown(await joinListAndConfirm({ ...ref, workshopId }, ownDeps));
  },
  'DELETE /registrations/{registrationId}/waiting-list/{roundId}': async (event) =>
    shown(
      await leaveListAndConfirm({ ...own(event), roundId: event.pathParameters?.roundId ?? '' }, ownDeps),
    ),
} satisfies RouteActions;

export const handler = httpHandler(router(MANAGE_ROUTES));
