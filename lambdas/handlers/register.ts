import { dependencies } from '../composition.js';
import { EventNotFound } from '../domain/errors.js';
import { idSchema } from '../domain/event-definition.js';
import { httpHandler } from '../http/http-handler.js';
import { localeFrom } from '../http/messages.js';
import { registrationView } from '../http/public-views.js';
import { header, parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { registrationBodySchema } from '../http/schemas.js';
import { register } from '../use-cases/register.js';

const deps = dependencies();

export const handler = httpHandler(async (event, request) => {
  const raw = readJsonBody(event);
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  if (!eventId.success) throw new EventNotFound();
  const body = parseInput(registrationBodySchema, raw, request.locale);

  const { registration } = await register(
    {
      eventId: eventId.data,
      name: body.name,
      email: body.email,
      organisation: body.organisation,
      jobTitle: body.jobTitle || undefined,
      choices: body.choices,
      locale: body.locale ?? localeFrom(header(event, 'accept-language')),
    },
    { events: deps.store, registrations: deps.store, clock: deps.clock, secrets: deps.secrets },
  );
  return jsonResponse(
    201,
    { registration: registrationView(registration) },
    {
      Location: `/registrations/${registration.id}`,
    },
  );
});
