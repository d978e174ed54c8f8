import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readAllowedOrigins } from '../config.js';
import type { Locale } from '../domain/registration.js';
import { logger, withBusinessMetrics } from '../observability.js';
import { errorToResponse, isKnownError } from './error-mapper.js';
import { header } from './headers.js';
import { localeFrom } from './messages.js';

/**
 * Browsers call the API from the form's origin (CloudFront) in AWS: answers carry CORS headers for the
 * configured origins only. Read once at cold start; empty locally, where the form is same-origin.
 */
const allowedOrigins = new Set(readAllowedOrigins());

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin || !allowedOrigins.has(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Retry-After, Date, Location',
    Vary: 'Origin',
  };
}

export type RequestContext = {
  locale: Locale;
  /** The Lambda context when invoked by Lambda (or the local gateway). */
  lambdaContext?: Context;
};

export type RouteHandler = (
  event: APIGatewayProxyEvent,
  request: RequestContext,
) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route handler: one structured log line per request (ids, status, duration, error code; never
 * personal data), the one error mapper for everything thrown, and the business metrics it counted.
 */
export function httpHandler(routeHandler: RouteHandler) {
  return withBusinessMetrics(async (event: APIGatewayProxyEvent, context?: Context) => {
    const startedAt = performance.now();
    const locale = localeFrom(header(event, 'accept-language'));
    if (context) logger.addContext(context);
    let response: APIGatewayProxyResult;
    let errorCode: string | undefined;
    try {
      response = await routeHandler(event, { locale, lambdaContext: context });
    } catch (error) {
      response = errorToResponse(error, locale);
      if (isKnownError(error)) {
        errorCode = error.code;
      } else {
        errorCode = 'INTERNAL_ERROR';
        logger.error('unhandled error', {
          errorName: error instanceof Error ? error.name : typeof error,
          error,
        });
      }
    }
    response.headers = { ...response.headers, ...corsHeaders(header(event, 'origin')) };
    logger.info('request', {
      method: event.httpMethod,
      resource: event.resource,
      status: response.statusCode,
      errorCode,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return response;
  });
}
