import { z } from 'zod';
import { dependencies } from '../composition.js';
import { EventNotFound } from '../domain/errors.js';
import { idSchema } from '../domain/event-definition.js';
import type { Locale } from '../domain/registration.js';
import { emailDependencies } from '../email-composition.js';
import { header } from '../http/headers.js';
import { httpHandler } from '../http/http-handler.js';
import { localeFrom } from '../http/messages.js';
import { registrationView } from '../http/public-views.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { type RegistrationBody, registrationBodySchema } from '../http/schemas.js';
import { logDelivery } from '../observability.js';
import { deliverNow } from '../use-cases/deliver-email.js';
import { register } from '../use-cases/register.js';

const deps = dependencies();
const email = emailDependencies();

/** Printable ASCII without spaces, as clients generate (UUIDs, ULIDs, random strings). */
const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'use 1 to 200 printable characters');

export const handler = httpHandler(async (event, request) => {
  const raw = readJsonBody(event);
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  if (!eventId.success) throw new EventNotFound();
  const body = parseInput(registrationBodySchema, raw, request.locale);
  const idempotencyKey = header(event, 'idempotency-key');

  const registerOnce = () =>
    registerAndRespond(eventId.data, body, localeFrom(header(event, 'accept-language')));
  if (idempotencyKey === undefined) return registerOnce();
  const key = parseInput(
    z.object({ 'Idempotency-Key': idempotencyKeySchema }),
    { 'Idempotency-Key': idempotencyKey },
    request.locale,
  );
  // The key is scoped to the event; the validated body must be the same as the first time.
  return deps.idempotentRegistration(
    { key: `${eventId.data}#${key['Idempotency-Key']}`, payload: { eventId: eventId.data, body: raw } },
    request.lambdaContext,
    registerOnce,
  );
});

async function registerAndRespond(eventId: string, body: RegistrationBody, preferredLocale: Locale) {
  const { registration, manageToken, outbox, event } = await register(
    {
      eventId,
      name: body.name,
      email: body.email,
      organisation: body.organisation,
      jobTitle: body.jobTitle || undefined,
      choices: body.choices,
      locale: body.locale ?? preferredLocale,
    },
    { events: deps.store, registrations: deps.store, clock: deps.clock, secrets: deps.secrets },
  );
  logDelivery(await deliverNow(outbox, { event, registration, manageToken }, email));
  return jsonResponse(
    201,
    { registration: registrationView(registration) },
    {
      Location: `/registrations/${registration.id}`,
    },
  );
}
