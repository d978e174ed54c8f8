import { dependencies } from '../composition.js';
import { httpHandler } from '../http/http-handler.js';
import { eventIdParameter } from '../http/path-parameters.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';
import { getPublicEvent } from '../use-cases/get-event.js';

const deps = dependencies();

export const EVENT_CACHE_CONTROL = 'public, max-age=1';

export const EVENT_ROUTES = {
  'GET /events/{eventId}': async (event) =>
    jsonResponse(
      200,
      await getPublicEvent(eventIdParameter(event), {
        events: deps.store,
        clock: deps.clock,
        waiting: deps.waitingList,
      }),
      // Everyone watching seats asks this: a second of caching (API Gateway's stage cache, browsers) spares
      // the table; the registration itself (POST) is the only truth about a seat.
      { 'Cache-Control': EVENT_CACHE_CONTROL },
    ),
} satisfies RouteActions;

export const handler = httpHandler(router(EVENT_ROUTES));
