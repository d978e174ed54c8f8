import { dependencies } from '../composition.js';
import { MethodNotAllowed, RegistrationNotFound } from '../domain/errors.js';
import { emailDependencies } from '../email-composition.js';
import { bearerToken } from '../http/bearer.js';
import { httpHandler } from '../http/http-handler.js';
import { personalDataExport, registrationView } from '../http/public-views.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { changeBodySchema, joinWaitingListBodySchema } from '../http/schemas.js';
import { logDelivery } from '../observability.js';
import { cancelRegistration } from '../use-cases/cancel-registration.js';
import { changeChoices } from '../use-cases/change-choices.js';
import { deliverNoticeNow, deliverNow } from '../use-cases/deliver-email.js';
import { erasePersonalData } from '../use-cases/erase-personal-data.js';
import { findOwnRegistration } from '../use-cases/registration-access.js';
import { joinWaitingList, leaveWaitingList } from '../use-cases/waiting-list.js';
import { promoteAndNotify, registrationWithPositions, reread } from '../waiting-list-runtime.js';

const deps = dependencies();
const email = emailDependencies();
const useCaseDeps = {
  registrations: deps.store,
  events: deps.store,
  waiting: deps.waitingList,
  clock: deps.clock,
};
const deliveryDeps = { ...email, events: deps.store };

/** Registration ids are nanoids; anything else cannot exist. */
const REGISTRATION_ID = /^[A-Za-z0-9_-]{10,64}$/;

/**
 * GET, PATCH and DELETE /registrations/{registrationId}, its personal data and its waiting lists, with the
 * manage token from the confirmation email as bearer credential. No token, a wrong token and an unknown id
 * are the same 404. Whatever frees a seat is followed by promotion of the people waiting for it.
 */
export const handler = httpHandler(async (event, request) => {
  const registrationId = event.pathParameters?.registrationId ?? '';
  const manageToken = bearerToken(event);
  if (!REGISTRATION_ID.test(registrationId) || !manageToken) throw new RegistrationNotFound();

  if (event.resource === '/registrations/{registrationId}/personal-data') {
    if (event.httpMethod === 'DELETE') {
      const { registration } = await erasePersonalData(
        { registrationId, manageToken, by: 'attendee' },
        { ...useCaseDeps, mailer: email.mailer, outbox: email.outbox },
      );
      await promoteAndNotify(registration.eventId);
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    const registration = await findOwnRegistration(registrationId, manageToken, useCaseDeps);
    return jsonResponse(200, personalDataExport(registration, deps.clock.now().toISOString()), {
      'Content-Disposition': `attachment; filename="registration-${registration.id}.json"`,
    });
  }

  if (event.resource === '/registrations/{registrationId}/waiting-list') {
    const { workshopId } = parseInput(joinWaitingListBodySchema, readJsonBody(event), request.locale);
    const joined = await joinWaitingList({ registrationId, manageToken, workshopId }, useCaseDeps);
    const view = await registrationWithPositions(joined.registration);
    logDelivery(
      await deliverNow(
        joined.outbox,
        { event: joined.event, registration: joined.registration, waitingPositions: view.waitingPositions },
        email,
      ),
    );
    // A seat may have come free since the event was read: then this wait ends at once.
    const promoted = await promoteAndNotify(joined.registration.eventId);
    if (!promoted.some((promotion) => promotion.registration.id === registrationId)) {
      return jsonResponse(200, { registration: view });
    }
    return jsonResponse(200, {
      registration: await registrationWithPositions(await reread(joined.registration)),
    });
  }

  if (event.resource === '/registrations/{registrationId}/waiting-list/{roundId}') {
    const roundId = event.pathParameters?.roundId ?? '';
    const { registration, outbox } = await leaveWaitingList(
      { registrationId, manageToken, roundId },
      useCaseDeps,
    );
    if (outbox) logDelivery(await deliverNoticeNow(outbox, registration, deliveryDeps));
    return jsonResponse(200, { registration: await registrationWithPositions(registration) });
  }

  switch (event.httpMethod) {
    case 'GET': {
      const registration = await findOwnRegistration(registrationId, manageToken, useCaseDeps);
      return jsonResponse(200, { registration: await registrationWithPositions(registration) });
    }
    case 'PATCH': {
      const body = parseInput(changeBodySchema, readJsonBody(event), request.locale);
      const {
        registration,
        outbox,
        event: definition,
      } = await changeChoices({ registrationId, manageToken, choices: body.choices }, useCaseDeps);
      if (outbox) {
        logDelivery(await deliverNow(outbox, { event: definition, registration, manageToken }, email));
        // The seats left behind go to the people waiting for them.
        await promoteAndNotify(registration.eventId);
      }
      return jsonResponse(200, { registration: await registrationWithPositions(registration) });
    }
    case 'DELETE': {
      const { registration, outbox } = await cancelRegistration(
        { registrationId, manageToken, by: 'attendee' },
        useCaseDeps,
      );
      if (outbox) {
        logDelivery(await deliverNoticeNow(outbox, registration, deliveryDeps));
        await promoteAndNotify(registration.eventId);
      }
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    default:
      throw new MethodNotAllowed();
  }
});
