import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { errorMessages } from '../lambdas/http/messages.js';

/**
 * Answers that API Gateway (and WAF) give before any function runs, in the project's error shape
 * `{"error":{"code":"…","message":"…"}}` with Dutch text, so that a client sees one error format whoever refused.
 */

export type GatewayErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'VALIDATION_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'INTERNAL_ERROR';

/** Dutch text per code: the functions' own text where the code is theirs too (lambdas/http/messages.ts). */
const FALLBACK_MESSAGES: Record<GatewayErrorCode, string> = {
  UNAUTHORIZED: 'U bent niet ingelogd, of uw inlog is verlopen.',
  FORBIDDEN: 'U heeft geen toegang tot deze functie.',
  NOT_FOUND: 'Deze pagina of dit adres bestaat niet.',
  PAYLOAD_TOO_LARGE: 'De aanvraag is te groot.',
  TOO_MANY_REQUESTS: 'Te veel aanvragen in korte tijd. Wacht even en probeer het dan opnieuw.',
  VALIDATION_FAILED: 'Niet alle velden zijn goed ingevuld.',
  UNSUPPORTED_MEDIA_TYPE: 'Stuur de aanvraag als JSON (Content-Type: application/json).',
  BAD_REQUEST: 'De aanvraag kan niet worden verwerkt.',
  INTERNAL_ERROR: 'Er ging iets mis aan onze kant. Probeer het later opnieuw.',
};

export function gatewayMessage(code: GatewayErrorCode): string {
  return errorMessages[code]?.nl ?? FALLBACK_MESSAGES[code];
}

/** The JSON body of an error answer. Gateway templates are VTL: the text may hold no `$` or `#`. */
export function errorBody(code: GatewayErrorCode, message: string = gatewayMessage(code)): string {
  if (/[$#\\]/.test(message)) throw new Error(`Gateway message for ${code} may not contain $, # or \\.`);
  return JSON.stringify({ error: { code, message } });
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type GatewayResponseSpec = {
  /** The API Gateway response type, as its name (`UNAUTHORIZED`, `DEFAULT_4XX`, …). */
  readonly type: keyof typeof apigateway.ResponseType & string;
  /** Status to send; undefined keeps the type's own (for the DEFAULT_* catch-alls). */
  readonly statusCode?: number;
  readonly code: GatewayErrorCode;
  /** Text instead of the code's usual one. */
  readonly message?: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
};

const RETRY_AFTER_SECONDS = '5';

/**
 * Every response type with a meaning for this API, and the two catch-alls. API Gateway answers an unknown
 * path or method with MISSING_AUTHENTICATION_TOKEN (a 403 by default): here it is the 404 it really is.
 */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: 401,
    code: 'UNAUTHORIZED',
    extraHeaders: { 'WWW-Authenticate': 'Bearer' },
  },
  {
    type: 'EXPIRED_TOKEN',
    statusCode: 401,
    code: 'UNAUTHORIZED',
    extraHeaders: { 'WWW-Authenticate': 'Bearer' },
  },
  { type: 'ACCESS_DENIED', statusCode: 403, code: 'FORBIDDEN' },
  { type: 'INVALID_SIGNATURE', statusCode: 403, code: 'FORBIDDEN' },
  { type: 'INVALID_API_KEY', statusCode: 403, code: 'FORBIDDEN' },
  {
    type: 'WAF_FILTERED',
    statusCode: 403,
    code: 'FORBIDDEN',
    message: 'Uw aanvraag is geweigerd door de beveiliging van deze dienst.',
  },
  { type: 'MISSING_AUTHENTICATION_TOKEN', statusCode: 404, code: 'NOT_FOUND' },
  { type: 'RESOURCE_NOT_FOUND', statusCode: 404, code: 'NOT_FOUND' },
  { type: 'REQUEST_TOO_LARGE', statusCode: 413, code: 'PAYLOAD_TOO_LARGE' },
  { type: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { type: 'BAD_REQUEST_BODY', statusCode: 400, code: 'VALIDATION_FAILED' },
  { type: 'BAD_REQUEST_PARAMETERS', statusCode: 400, code: 'VALIDATION_FAILED' },
  {
    type: 'THROTTLED',
    statusCode: 429,
    code: 'TOO_MANY_REQUESTS',
    extraHeaders: { 'Retry-After': RETRY_AFTER_SECONDS },
  },
  {
    type: 'QUOTA_EXCEEDED',
    statusCode: 429,
    code: 'TOO_MANY_REQUESTS',
    extraHeaders: { 'Retry-After': RETRY_AFTER_SECONDS },
  },
  { type: 'DEFAULT_4XX', code: 'BAD_REQUEST' },
  { type: 'DEFAULT_5XX', code: 'INTERNAL_ERROR' },
];

/** Headers every refusal carries: JSON, readable by the form's origin, never cached, never sniffed. */
export function errorResponseHeaders(formOrigin: string): Record<string, string> {
  return {
    'Content-Type': JSON_CONTENT_TYPE,
    'Access-Control-Allow-Origin': formOrigin,
    Vary: 'Origin',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Adds the gateway responses to a REST API. Header values are static (quoted) strings. */
export function addGatewayResponses(api: apigateway.RestApi, formOrigin: string): void {
  for (const spec of GATEWAY_RESPONSES) {
    const headers = { ...errorResponseHeaders(formOrigin), ...spec.extraHeaders };
    api.addGatewayResponse(`GatewayResponse${pascal(spec.type)}`, {
      type: apigateway.ResponseType[spec.type] as apigateway.ResponseType,
      statusCode: spec.statusCode === undefined ? undefined : String(spec.statusCode),
      responseHeaders: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name, `'${value}'`]),
      ),
      templates: { 'application/json': errorBody(spec.code, spec.message) },
    });
  }
}

function pascal(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
