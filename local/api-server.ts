import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorBody } from '../lambdas/http/error-mapper.js';
import { fieldMessages } from '../lambdas/http/field-messages.js';
import { localeFrom } from '../lambdas/http/messages.js';
import type { FunctionName, Route } from '../lambdas/routes.js';

/**
 * The local API Gateway: matches a request against the shared route table, builds the same REST
 * proxy event API Gateway would send, invokes the very same handler module, and writes its result back.
 */

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export type ApiServerOptions = {
  routes: readonly Route[];
  handlers: Record<FunctionName, LambdaHandler>;
  /** Static files served for GET requests that match no route (the web form). */
  staticDir?: string;
  /** The bearer token that stands in for an organiser's Cognito sign-in on `admin` routes. */
  adminToken?: string;
  /** The bearer token that stands in for door staff (Cognito group `door`): the function allows check-in only. */
  doorToken?: string;
  /**
   * Settles once every function in `handlers` is loaded. Until then every request waits (so the 200 of
   * `GET /health` means every function answers) instead of failing; 503 if loading fails.
   */
  whenReady?: Promise<unknown>;
  /**
   * `POST /local/schedules/{name}` (local stack only, admin token): runs a scheduled function now. Undefined
   * for a name that is no schedule (404).
   */
  runSchedule?: (name: string) => Promise<unknown> | undefined;
};

/** Claims of the local organiser, in the shape the Cognito authorizer puts in `requestContext.authorizer.claims`. */
export const LOCAL_ORGANISER_CLAIMS = {
  sub: 'local-organiser',
  'cognito:username': 'local-organiser',
  'cognito:groups': 'organisers',
};

/** Claims of the local door staff member: group `door`, which the admin function allows only the check-in routes. */
export const LOCAL_DOOR_CLAIMS = {
  sub: 'local-door',
  'cognito:username': 'local-door',
  'cognito:groups': 'door',
};

function matchesToken(authorization: string | undefined, token: string | undefined): boolean {
  if (!token || !authorization?.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice('Bearer '.length).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Like API Gateway's Cognito authorizer: the claims of whoever the credential belongs to, or undefined (no
 * invocation: 401 in the contract's shape). Which routes a group may use is the function's to decide.
 */
function claimsFor(
  authorization: string | undefined,
  options: Pick<ApiServerOptions, 'adminToken' | 'doorToken'>,
): Record<string, string> | undefined {
  if (matchesToken(authorization, options.adminToken)) return LOCAL_ORGANISER_CLAIMS;
  if (matchesToken(authorization, options.doorToken)) return LOCAL_DOOR_CLAIMS;
  return undefined;
}

/** API Gateway itself refuses bodies over 10 MB; the handlers apply the contract's own, lower limit. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

type CompiledRoute = Route & { pattern: RegExp; paramNames: string[] };

function compile(route: Route): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), paramNames };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** A path with a broken percent-encoding (`/events/%ZZ`): the client's mistake, answered 400 in the error shape. */
class MalformedPath extends Error {}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPath();
  }
}

/**
 * What a failing function leaves in the log, as Lambda would: one JSON line with the error's name and stack
 * frames. Not its message, which may quote input (a name, an address).
 */
function logFunctionFailure(functionName: string, requestId: string, error: unknown): void {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  console.error(
    JSON.stringify({
      level: 'ERROR',
      message: 'function failed',
      function: functionName,
      requestId,
      errorName: error instanceof Error ? error.name : typeof error,
      stack: stack
        .split('\n')
        .filter((line) => /^\s+at /.test(line))
        .map((line) => line.trim()),
    }),
  );
}

async function serveStatic(staticDir: string, url: URL, res: ServerResponse): Promise<boolean> {
  const urlPath = url.pathname;
  // A directory's page, as CloudFront serves it: `/` and `/admin/` are their index.html.
  const relative = decodePathSegment(urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
  const file = path.resolve(staticDir, `.${relative}`);
  if (!file.startsWith(path.resolve(staticDir) + path.sep)) return false;
  // …and `/admin` is sent to `/admin/` with its query string, as the CloudFront Function does.
  if (!urlPath.endsWith('/') && (await isFile(path.join(file, 'index.html')))) {
    res.writeHead(301, { Location: `${urlPath}/${url.search}`, 'Cache-Control': 'no-cache' });
    res.end();
    return true;
  }
  try {
    const content = await readFile(file);
    res.writeHead(200, {
      'Content-Type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    res.end(content);
    return true;
  } catch {
    return false;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The local stack's own route to run a schedule now; it does not exist in AWS (not in lambdas/routes.ts). */
const LOCAL_SCHEDULE_PATH = /^\/local\/schedules\/([^/]+)$/;

export function createApiServer(options: ApiServerOptions): Server {
  const compiled = options.routes.map(compile);
  let ready = options.whenReady === undefined;
  // Failing to load is the stack's own start failure; requests waiting for it are answered 503.
  const whenReady = (options.whenReady ?? Promise.resolve()).then(
    () => {
      ready = true;
      return true;
    },
    () => false,
  );

  return createServer(async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const locale = localeFrom(req.headers['accept-language']);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const schedule = LOCAL_SCHEDULE_PATH.exec(url.pathname);
      if (schedule && options.runSchedule) {
        if (!matchesToken(req.headers.authorization, options.adminToken)) {
          return sendJson(res, 401, errorBody('UNAUTHORIZED', locale));
        }
        if (method !== 'POST') {
          return sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', locale), { Allow: 'POST' });
        }
        if (!ready && !(await whenReady)) {
          return sendJson(res, 503, errorBody('TRY_AGAIN', locale), { 'Retry-After': '1' });
        }
        const name = decodePathSegment(schedule[1] ?? '');
        const run = options.runSchedule(name);
        if (run === undefined) return sendJson(res, 404, errorBody('NOT_FOUND', locale));
        return sendJson(res, 200, { schedule: name, result: (await run) ?? null });
      }
      const candidates = compiled
        .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
        .filter((candidate) => candidate.match !== null);
      const found = candidates.find((candidate) => candidate.route.method === method);
      if (!found?.match) {
        if (method === 'GET' && options.staticDir && (await serveStatic(options.staticDir, url, res))) return;
        if (candidates.length > 0) {
          // Admin routes reveal nothing, not even their methods, before the credential is checked.
          const admin = candidates.some((candidate) => candidate.route.auth === 'admin');
          if (admin && !claimsFor(req.headers.authorization, options)) {
            return sendJson(res, 401, errorBody('UNAUTHORIZED', locale));
          }
          const allowed = candidates.map((candidate) => candidate.route.method).join(', ');
          return sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', locale), { Allow: allowed });
        }
        return sendJson(res, 404, errorBody('NOT_FOUND', locale));
      }

      const claims = found.route.auth === 'admin' ? claimsFor(req.headers.authorization, options) : undefined;
      if (found.route.auth === 'admin' && !claims) {
        return sendJson(res, 401, errorBody('UNAUTHORIZED', locale));
      }

      const body = await readBody(req);
      if (body === 'too-large') return sendJson(res, 413, errorBody('PAYLOAD_TOO_LARGE', locale));

      const pathParameters = Object.fromEntries(
        found.route.paramNames.map((name, index) => [
          name,
          decodePathSegment(found.match?.[index + 1] ?? ''),
        ]),
      );
      const headers: Record<string, string> = {};
      const multiValueHeaders: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        const values = Array.isArray(value) ? value : [value];
        headers[name] = values.join(', ');
        multiValueHeaders[name] = values;
      }
      const query: Record<string, string> = {};
      const multiQuery: Record<string, string[]> = {};
      for (const [name, value] of url.searchParams) {
        query[name] = value;
        multiQuery[name] = [...(multiQuery[name] ?? []), value];
      }
      const requestId = randomUUID();
      const hasQuery = Object.keys(query).length > 0;
      const event: APIGatewayProxyEvent = {
        resource: found.route.path,
        path: url.pathname,
        httpMethod: method,
        headers,
        multiValueHeaders,
        queryStringParameters: hasQuery ? query : null,
        multiValueQueryStringParameters: hasQuery ? multiQuery : null,
        pathParameters: found.route.paramNames.length > 0 ? pathParameters : null,
        stageVariables: null,
        body: body.length > 0 ? body.toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          authorizer: claims ? { claims } : null,
          httpMethod: method,
          identity: {
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          } as APIGatewayProxyEvent['requestContext']['identity'],
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          requestId,
          requestTimeEpoch: Date.now(),
          resourceId: 'local',
          resourcePath: found.route.path,
          stage: 'local',
        },
      };

      // Every request waits until every function is loaded, /health too: its 200 means all of them answer.
      if (!ready && !(await whenReady)) {
        return sendJson(res, 503, errorBody('TRY_AGAIN', locale), { 'Retry-After': '1' });
      }
      const functionName = found.route.functionName;
      let result: APIGatewayProxyResult;
      try {
        result = await options.handlers[functionName](event, lambdaContext(functionName, requestId));
      } catch (error) {
        logFunctionFailure(functionName, requestId, error);
        throw error;
      }
      const responseHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name] = String(value);
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
        responseHeaders[name] = values.map(String);
      }
      res.writeHead(result.statusCode, responseHeaders);
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      if (error instanceof MalformedPath && !res.headersSent) {
        return sendJson(
          res,
          400,
          errorBody('VALIDATION_FAILED', locale, [
            { path: 'path', message: fieldMessages['malformed-path'][locale] },
          ]),
        );
      }
      // What API Gateway answers when the integration itself fails.
      if (!res.headersSent) sendJson(res, 502, errorBody('INTERNAL_ERROR', locale));
      else res.destroy();
    }
  });
}
