import * as z from 'zod/mini';
import packageJson from '../../package.json' with { type: 'json' };
import {
  Forbidden,
  MalformedJson,
  PayloadTooLarge,
  RegistrationNotFound,
  TryAgain,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
} from '../domain/errors.js';
import { eventDefinitionSchema, idSchema } from '../domain/event-definition.js';
import { functionSpecs, type Route, routes } from '../routes.js';
import {
  adminRegistrationResponseSchema,
  adminRegistrationSchema,
  auditPageSchema,
  cancelBatchBodySchema,
  cancelBatchResponseSchema,
  eventListSchema,
  putEventDryRunSchema,
  putEventResponseSchema,
  putEventUpdateAnswerSchema,
  registrationsPageSchema,
  summarySchema,
  waitingListSchema,
} from './admin-schemas.js';
import {
  checkInBodySchema,
  checkInListSchema,
  checkInResponseSchema,
  checkInUndoneSchema,
  ownRegistrationResponseSchema,
} from './check-in-schemas.js';
import { statusOf } from './error-mapper.js';
import { idempotencyKeySchema } from './header-schemas.js';
import { messageAcceptedSchema, messageBodySchema, messageListSchema } from './message-schemas.js';
import {
  type ErrorClass,
  type Operation,
  openApiDocumentSchema,
  operations,
  type ZodType,
} from './openapi-operations.js';
import {
  errorResponseSchema,
  healthSchema,
  personalDataExportSchema,
  publicEventSchema,
  registrationResponseSchema,
  registrationViewSchema,
} from './response-schemas.js';
import {
  changeBodySchema,
  joinWaitingListBodySchema,
  registrationBodySchema,
  waitingListBodySchema,
} from './schemas.js';

export { operations } from './openapi-operations.js';

/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas that validate the requests and
 * describe the responses, and from the route table: no second copy of the contract. `npm run build:openapi`
 * writes it to docs/openapi.json, which `GET /openapi.json` serves.
 *
 * Adding a route to lambdas/routes.ts: add its operation to `operations` in ./openapi-operations.ts
 * (test/unit/openapi.test.ts fails until every route has one), then `npm run build:openapi`.
 */

/** The refusals every operation of a kind has, then the operation's own. */
function errorsOf(route: Route, operation: Operation): ErrorClass[] {
  const { tableAccess } = functionSpecs[route.functionName];
  const usesTable = tableAccess.readKeyPrefixes.length + tableAccess.writeKeyPrefixes.length > 0;
  return [
    ...(route.auth === 'admin' ? [Unauthorized, Forbidden] : []),
    ...(route.auth === 'manage-token' ? [RegistrationNotFound] : []),
    // A path parameter with a broken percent-encoding (`/events/%ZZ`).
    ...(route.path.includes('{') ? [ValidationFailed] : []),
    ...(operation.body ? [ValidationFailed, MalformedJson, PayloadTooLarge, UnsupportedMediaType] : []),
    ...(operation.query || operation.idempotencyKey ? [ValidationFailed] : []),
    ...operation.errors,
    ...(usesTable ? [TryAgain] : []),
  ];
}

const pathParameterSchemas: Record<string, ZodType> = {
  eventId: idSchema,
  registrationId: z.string().check(z.minLength(1), z.maxLength(64)),
  roundId: z.string().check(z.minLength(1), z.maxLength(64)),
  entryId: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(140),
      z.meta({ description: '`<registrationId>.<roundId>` or `<registrationId>.event`' }),
    ),
};

type JsonSchema = Record<string, unknown>;

/** Named schemas of `components.schemas`: request bodies as clients send them, responses as the API answers. */
const requestComponents = {
  RegistrationBody: registrationBodySchema,
  WaitingListBody: waitingListBodySchema,
  ChangeBody: changeBodySchema,
  JoinWaitingListBody: joinWaitingListBodySchema,
  EventDefinition: eventDefinitionSchema,
  CancelBatchBody: cancelBatchBodySchema,
  MessageBody: messageBodySchema,
  CheckInBody: checkInBodySchema,
};
const responseComponents = {
  Error: errorResponseSchema,
  Health: healthSchema,
  OpenApiDocument: openApiDocumentSchema,
  PublicEvent: publicEventSchema,
  RegistrationView: registrationViewSchema,
  RegistrationResponse: registrationResponseSchema,
  PersonalDataExport: personalDataExportSchema,
  AdminRegistration: adminRegistrationSchema,
  AdminRegistrationResponse: adminRegistrationResponseSchema,
  RegistrationsPage: registrationsPageSchema,
  PutEventResponse: putEventResponseSchema,
  Summary: summarySchema,
  AuditPage: auditPageSchema,
  WaitingList: waitingListSchema,
  CancelBatchResponse: cancelBatchResponseSchema,
  MessageAccepted: messageAcceptedSchema,
  PutEventDryRun: putEventDryRunSchema,
  PutEventUpdateAnswer: putEventUpdateAnswerSchema,
  MessageList: messageListSchema,
  EventList: eventListSchema,
  StoredEventDefinition: eventDefinitionSchema,
  OwnRegistrationResponse: ownRegistrationResponseSchema,
  CheckInResponse: checkInResponseSchema,
  CheckInUndone: checkInUndoneSchema,
  CheckInList: checkInListSchema,
};

/** Timestamps and dates say so with `format`; zod's long equivalent patterns would only add noise. */
function dropFormatPatterns({ jsonSchema }: { jsonSchema: JsonSchema }) {
  if (jsonSchema.format === 'date-time' || jsonSchema.format === 'date') delete jsonSchema.pattern;
}

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: dropFormatPatterns,
  }) as JsonSchema;
  return rest;
}

/** The components, each nested named schema a `$ref` to its own component. */
function componentSchemas(named: Record<string, ZodType>, io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    unrepresentable: 'any',
    override: dropFormatPatterns,
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}

function componentRef(named: Record<string, ZodType>, schema: ZodType) {
  const id = Object.entries(named).find(([, candidate]) => candidate === schema)?.[0];
  if (!id) throw new Error('A body schema of an operation has no name in the OpenAPI components');
  return { $ref: `#/components/schemas/${id}` };
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const responseHeaders = {
  Location: { description: 'The new registration', schema: { type: 'string' } },
  'Content-Disposition': { description: 'A download, with its file name', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
};

const errorDescriptions: Record<number, string> = {
  400: 'Bad request',
  401: 'No valid credential',
  403: 'Not an organiser',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Not JSON',
  422: 'Idempotency-Key used with another body',
  500: 'Unexpected failure (nothing about the cause is revealed)',
  503: 'Try again later',
};

function errorResponses(errorClasses: ErrorClass[]) {
  const codesByStatus = new Map<number, Set<string>>([[500, new Set(['INTERNAL_ERROR'])]]);
  for (const ErrorClass of errorClasses) {
    const error = new ErrorClass();
    const status = statusOf(error);
    if (status === undefined) throw new Error(`${error.code} has no status in the error mapper`);
    codesByStatus.set(status, (codesByStatus.get(status) ?? new Set()).add(error.code));
  }
  return Object.fromEntries(
    [...codesByStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `${errorDescriptions[status] ?? 'Refused'}: ${[...codes].join(', ')}`,
          ...(status === 503 ? { headers: { 'Retry-After': responseHeaders['Retry-After'] } } : {}),
          content: json({
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { properties: { error: { properties: { code: { enum: [...codes] } } } } },
            ],
          }),
        },
      ]),
  );
}

function parameters(route: Route, operation: Operation) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => {
    const schema = pathParameterSchemas[name];
    if (!schema) throw new Error(`No schema for the path parameter ${name} of ${route.path}`);
    return { name, in: 'path', required: true, schema: jsonSchema(schema, 'input') };
  });
  const queryShape = operation.query ? jsonSchema(operation.query, 'input') : undefined;
  const queryProperties = (queryShape?.properties ?? {}) as Record<string, JsonSchema>;
  const queryParameters = Object.entries(queryProperties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
  return [
    ...pathParameters,
    ...queryParameters,
    ...(operation.idempotencyKey
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'The same key and body within 24 hours return the first 201 and book nothing again',
            schema: jsonSchema(idempotencyKeySchema, 'input'),
          },
        ]
      : []),
    { $ref: '#/components/parameters/AcceptLanguage' },
  ];
}

const securityByAuth = { none: [], 'manage-token': [{ manageToken: [] }], admin: [{ cognito: [] }] };
const tagByAuth = { none: 'public', 'manage-token': 'manage', admin: 'admin' };

function operationObject(route: Route) {
  const key = `${route.method} ${route.path}`;
  const operation = operations[key];
  if (!operation) throw new Error(`No OpenAPI operation for ${key}: add it to lambdas/http/openapi.ts`);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [tagByAuth[route.auth]],
    security: securityByAuth[route.auth],
    parameters: parameters(route, operation),
    ...(operation.body
      ? { requestBody: { required: true, content: json(componentRef(requestComponents, operation.body)) } }
      : {}),
    responses: {
      ...Object.fromEntries(
        operation.success.map((success) => [
          String(success.status),
          {
            description: success.description,
            ...(success.headers
              ? { headers: Object.fromEntries(success.headers.map((name) => [name, responseHeaders[name]])) }
              : {}),
            content: success.csv
              ? { 'text/csv': { schema: { type: 'string' } } }
              : success.binary
                ? { [success.binary]: { schema: { type: 'string', format: 'binary' } } }
                : json(componentRef(responseComponents, success.body ?? z.never())),
          },
        ]),
      ),
      ...errorResponses(errorsOf(route, operation)),
    },
  };
}

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationObject(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vol-is-vol',
      version,
      summary: 'Registration for conferences with parallel workshop rounds. Vol is vol.',
      description:
        'Generated from the zod schemas that validate requests (lambdas/http/) and the route table ' +
        '(lambdas/routes.ts). Every error has the shape `{ "error": { "code", "message", "details"? } }`; ' +
        'messages are Dutch unless the client prefers English (`Accept-Language: en`).',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    servers: [{ url: '/', description: 'The API Gateway stage, or the local stack (npm start)' }],
    tags: [
      { name: 'public', description: 'The event and registering' },
      { name: 'manage', description: 'A registration, with the manage token from the confirmation email' },
      { name: 'admin', description: 'Organisers (Cognito group organisers)' },
    ],
    paths,
    components: {
      schemas: {
        ...componentSchemas(requestComponents, 'input'),
        ...componentSchemas(responseComponents, 'output'),
      },
      parameters: {
        AcceptLanguage: {
          name: 'Accept-Language',
          in: 'header',
          required: false,
          description: 'en for English messages and emails; Dutch otherwise',
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        cognito: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS: the Cognito user pool ID token of an organiser (group organisers), checked by the API ' +
            'Gateway authorizer. Local stack: `Bearer <ADMIN_TOKEN>`.',
          'x-amazon-apigateway-authtype': 'cognito_user_pools',
        },
        manageToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The manage token from the link in the confirmation email. A wrong or missing token is the ' +
            'same 404 as an unknown registration.',
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** The document as docs/openapi.json holds it. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(packageJson.version), null, 2)}\n`;
}
