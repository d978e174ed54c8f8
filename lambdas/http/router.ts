import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MethodNotAllowed, RouteNotFound } from '../domain/errors.js';
import type { HttpMethod } from '../routes.js';
import type { RequestContext } from './http-handler.js';

/** `<METHOD> <resource>`: API Gateway's `httpMethod` and `resource`, exactly as lambdas/routes.ts lists them. */
export type RouteKey = `${HttpMethod} /${string}`;

export type RouteAction<Context extends RequestContext = RequestContext> = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** A function's routes: every key a route of lambdas/routes.ts that this function serves. */
export type RouteActions<Context extends RequestContext = RequestContext> = Readonly<
  Partial<Record<RouteKey, RouteAction<Context>>>
>;

/**
 * The one way a function dispatches. API Gateway (or the local gateway) has already matched the request to
 * a resource of the route table, so the action is found by method and resource, with no path matching of
 * its own. A resource served with other methods is 405 METHOD_NOT_ALLOWED with `Allow`; anything else is
 * 404 NOT_FOUND. Both go through the one error mapper. (Powertools' event-handler Router matches paths itself,
 * from a Web Request it builds, with its own error shapes, for about 26 KB more per minified bundle.)
 */
export function router<Context extends RequestContext>(actions: RouteActions<Context>): RouteAction<Context> {
  const keys = Object.keys(actions) as RouteKey[];
  return async (event, context) => {
    const action = actions[`${event.httpMethod} ${event.resource}` as RouteKey];
    if (action) return action(event, context);
    const allowed = keys
      .filter((key) => key.slice(key.indexOf(' ') + 1) === event.resource)
      .map((key) => key.slice(0, key.indexOf(' ')));
    if (allowed.length > 0) throw new MethodNotAllowed(allowed);
    throw new RouteNotFound();
  };
}
