import { dependencies } from '../composition.js';
import { MethodNotAllowed, RegistrationNotFound } from '../domain/errors.js';
import { emailDependencies } from '../email-composition.js';
import { bearerToken } from '../http/bearer.js';
import { httpHandler } from '../http/http-handler.js';
import { personalDataExport, registrationView } from '../http/public-views.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { changeBodySchema } from '../http/schemas.js';
import { logDelivery } from '../observability.js';
import { cancelRegistration } from '../use-cases/cancel-registration.js';
import { changeChoices } from '../use-cases/change-choices.js';
import { deliverCancellationNow, deliverNow } from '../use-cases/deliver-email.js';
import { erasePersonalData } from '../use-cases/erase-personal-data.js';
import { findOwnRegistration } from '../use-cases/registration-access.js';

const deps = dependencies();
const email = emailDependencies();
const useCaseDeps = { registrations: deps.store, events: deps.store, clock: deps.clock };

/** Registration ids are nanoids; anything else cannot exist. */
const REGISTRATION_ID = /^[A-Za-z0-9_-]{10,64}$/;

/**
 * GET, PATCH and DELETE /registrations/{registrationId}, with the manage token from the confirmation email
 * as bearer credential. No token, a wrong token and an unknown id are the same 404.
 */
export const handler = httpHandler(async (event, request) => {
  const registrationId = event.pathParameters?.registrationId ?? '';
  const manageToken = bearerToken(event);
  if (!REGISTRATION_ID.test(registrationId) || !manageToken) throw new RegistrationNotFound();

  if (event.resource === '/registrations/{registrationId}/personal-data') {
    if (event.httpMethod === 'DELETE') {
      const { registration } = await erasePersonalData(
        { registrationId, manageToken, by: 'attendee' },
        { ...useCaseDeps, mailer: email.mailer },
      );
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    const registration = await findOwnRegistration(registrationId, manageToken, useCaseDeps);
    return jsonResponse(200, personalDataExport(registration, deps.clock.now().toISOString()), {
      'Content-Disposition': `attachment; filename="registration-${registration.id}.json"`,
    });
  }

  switch (event.httpMethod) {
    case 'GET': {
      const registration = await findOwnRegistration(registrationId, manageToken, useCaseDeps);
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    case 'PATCH': {
      const body = parseInput(changeBodySchema, readJsonBody(event), request.locale);
      const {
        registration,
        outbox,
        event: definition,
      } = await changeChoices({ registrationId, manageToken, choices: body.choices }, useCaseDeps);
      if (outbox)
        logDelivery(await deliverNow(outbox, { event: definition, registration, manageToken }, email));
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    case 'DELETE': {
      const { registration, outbox } = await cancelRegistration(
        { registrationId, manageToken, by: 'attendee' },
        useCaseDeps,
      );
      if (outbox)
        logDelivery(await deliverCancellationNow(outbox, registration, { ...email, events: deps.store }));
      return jsonResponse(200, { registration: registrationView(registration) });
    }
    default:
      throw new MethodNotAllowed();
  }
});
