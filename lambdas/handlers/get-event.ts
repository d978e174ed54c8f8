import { dependencies } from '../composition.js';
import { EventNotFound } from '../domain/errors.js';
import { idSchema } from '../domain/event-definition.js';
import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/responses.js';
import { getPublicEvent } from '../use-cases/get-event.js';

const deps = dependencies();

export const handler = httpHandler(async (event) => {
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  // An id that cannot exist is simply not found.
  if (!eventId.success) throw new EventNotFound();
  const publicEvent = await getPublicEvent(eventId.data, {
    events: deps.store,
    clock: deps.clock,
    waiting: deps.waitingList,
  });
  return jsonResponse(200, publicEvent);
});
