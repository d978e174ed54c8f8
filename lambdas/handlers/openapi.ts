import document from '../../docs/openapi.json' with { type: 'json' };
import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';

/**
 * GET /openapi.json: the document `npm run build:openapi` wrote from the zod schemas. Served as it was
 * generated, so this bundle holds neither zod nor the generator; it changes only with a deployment.
 */
export const OPENAPI_ROUTES = {
  'GET /openapi.json': async () => jsonResponse(200, document, { 'Cache-Control': 'public, max-age=300' }),
} satisfies RouteActions;

export const handler = httpHandler(router(OPENAPI_ROUTES));
