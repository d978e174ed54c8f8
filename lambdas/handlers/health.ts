import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';

/** Liveness only: it touches no table, so it needs no permissions and cannot leak anything. */
export const HEALTH_ROUTES = {
  'GET /health': async () => jsonResponse(200, { status: 'ok' }),
} satisfies RouteActions;

export const handler = httpHandler(router(HEALTH_ROUTES));
