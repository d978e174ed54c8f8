import { dependencies } from '../composition.js';
import { httpHandler } from '../http/http-handler.js';
import { eventIdParameter } from '../http/path-parameters.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';
import { getPublicEvent } from '../use-cases/get-event.js';

const deps = dependencies();

export const EVENT_ROUTES = {
  'GET /events/{eventId}': async (event) =>
    jsonResponse(
      200,
      await getPublicEvent(eventIdParameter(event), {
        events: deps.store,
        clock: deps.clock,
        waiting: deps.waitingList,
      }),
    ),
} satisfies RouteActions;

export const handler = httpHandler(router(EVENT_ROUTES));
