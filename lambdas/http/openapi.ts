import * as z from 'zod/mini';
import packageJson from '../../package.json' with { type: 'json' };
import {
  AlreadyRegistered,
  AlreadyWaiting,
  type AppError,
  CapacityBelowTaken,
  EventNotFound,
  Forbidden,
  IdempotencyKeyReused,
  InvalidChoice,
  MalformedJson,
  NotFull,
  PayloadTooLarge,
  RegistrationCancelled,
  RegistrationClosed,
  RegistrationErased,
  RegistrationNotFound,
  RegistrationWaiting,
  RequestInProgress,
  TryAgain,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
  WaitingEntryNotFound,
  WorkshopFull,
  WorkshopInUse,
} from '../domain/errors.js';
import { eventDefinitionSchema, idSchema } from '../domain/event-definition.js';
import { functionSpecs, type Route, routes } from '../routes.js';
import {
  adminRegistrationResponseSchema,
  adminRegistrationSchema,
  auditPageSchema,
  auditQuerySchema,
  cancelBatchBodySchema,
  cancelBatchResponseSchema,
  exportQuerySchema,
  listQuerySchema,
  putEventResponseSchema,
  registrationsPageSchema,
  summarySchema,
  waitingListQuerySchema,
  waitingListSchema,
} from './admin-schemas.js';
import { statusOf } from './error-mapper.js';
import { idempotencyKeySchema } from './header-schemas.js';
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

/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas that validate the requests and
 * describe the responses, and from the route table: no second copy of the contract. `npm run build:openapi`
 * writes it to docs/openapi.json, which `GET /openapi.json` serves.
 *
 * Adding a route to lambdas/routes.ts: add its operation to `operations` below (test/unit/openapi.test.ts
 * fails until every route has one), then `npm run build:openapi`.
 */

type ErrorClass = new () => AppError;
type ZodType = z.ZodMiniType;

/** What GET /openapi.json answers with: this document (checked by Redocly, not by itself). */
const openApiDocumentSchema = z.looseObject({ openapi: z.string() });

type Success = {
  status: number;
  description: string;
  /** JSON body; absent for a CSV download. */
  body?: ZodType;
  csv?: true;
  headers?: readonly ('Location' | 'Content-Disposition')[];
};

type Operation = {
  operationId: string;
  summary: string;
  body?: ZodType;
  query?: z.ZodMiniObject;
  idempotencyKey?: true;
  success: readonly Success[];
  /** Refusals of this operation beside the ones every operation of its kind has (see `errorsOf`). */
  errors: readonly ErrorClass[];
};

const registrationOk = (description: string): Success[] => [
  { status: 200, description, body: registrationResponseSchema },
];
const organiserRegistrationOk = (description: string): Success[] => [
  { status: 200, description, body: adminRegistrationResponseSchema },
];

/** Every operation of lambdas/routes.ts, keyed `<METHOD> <path>`. */
export const operations: Record<string, Operation> = {
  'GET /health': {
    operationId: 'getHealth',
    summary: 'Liveness',
    success: [
      { status: 200, description: 'The API runs (locally: every function is loaded)', body: healthSchema },
    ],
    errors: [],
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    success: [
      {
        status: 200,
        description: 'The OpenAPI 3.1 document of the API (cacheable)',
        body: openApiDocumentSchema,
      },
    ],
    errors: [],
  },
  'GET /events/{eventId}': {
    operationId: 'getEvent',
    summary: 'An event with its rounds, workshops, seats left and waiting counts',
    success: [{ status: 200, description: 'The event', body: publicEventSchema }],
    errors: [EventNotFound],
  },
  'POST /events/{eventId}/registrations': {
    operationId: 'register',
    summary: 'Register: one workshop per round, all seats or none; `waitFor` joins full workshops’ lists',
    body: registrationBodySchema,
    idempotencyKey: true,
    success: [
      {
        status: 201,
        description: 'Registered; a confirmation email goes out',
        body: registrationResponseSchema,
        headers: ['Location'],
      },
    ],
    errors: [
      InvalidChoice,
      EventNotFound,
      WorkshopFull,
      AlreadyRegistered,
      AlreadyWaiting,
      NotFull,
      RegistrationClosed,
      RequestInProgress,
      IdempotencyKeyReused,
      // A replay of a registration since cancelled, or whose personal data was removed.
      RegistrationCancelled,
      RegistrationErased,
    ],
  },
  'POST /events/{eventId}/waiting-list': {
    operationId: 'signUpForWaitingList',
    summary: 'Sign up for a place on the waiting list, with the workshops accepted per round',
    body: waitingListBodySchema,
    idempotencyKey: true,
    success: [
      {
        status: 201,
        description: 'On the waiting list (or confirmed at once if seats came free)',
        body: registrationResponseSchema,
        headers: ['Location'],
      },
    ],
    errors: [
      InvalidChoice,
      EventNotFound,
      NotFull,
      AlreadyRegistered,
      AlreadyWaiting,
      RegistrationClosed,
      RequestInProgress,
      IdempotencyKeyReused,
      RegistrationCancelled,
      RegistrationErased,
    ],
  },
  'GET /registrations/{registrationId}': {
    operationId: 'getRegistration',
    summary: 'Your registration',
    success: registrationOk('The registration'),
    errors: [],
  },
  'PATCH /registrations/{registrationId}': {
    operationId: 'changeRegistration',
    summary: 'Change workshops: only the rounds given; an updated confirmation goes out',
    body: changeBodySchema,
    success: registrationOk('The changed registration'),
    errors: [InvalidChoice, WorkshopFull, RegistrationClosed, RegistrationCancelled, RegistrationWaiting],
  },
  'DELETE /registrations/{registrationId}': {
    operationId: 'cancelRegistration',
    summary: 'Cancel: every seat released once; repeating it changes nothing',
    success: registrationOk('The cancelled registration'),
    errors: [],
  },
  'GET /registrations/{registrationId}/personal-data': {
    operationId: 'exportPersonalData',
    summary: 'Everything stored about the registration, as a JSON download',
    success: [
      {
        status: 200,
        description: 'The stored data',
        body: personalDataExportSchema,
        headers: ['Content-Disposition'],
      },
    ],
    errors: [],
  },
  'DELETE /registrations/{registrationId}/personal-data': {
    operationId: 'erasePersonalData',
    summary: 'Cancel if needed, confirm by email, then remove name, email, organisation and job title',
    success: registrationOk('The anonymised registration'),
    errors: [],
  },
  'POST /registrations/{registrationId}/waiting-list': {
    operationId: 'joinWaitingList',
    summary: 'Wait for a full workshop, keeping the seat held in its round',
    body: joinWaitingListBodySchema,
    success: registrationOk('The registration on the list'),
    errors: [
      InvalidChoice,
      NotFull,
      AlreadyWaiting,
      RegistrationCancelled,
      RegistrationClosed,
      RegistrationWaiting,
    ],
  },
  'DELETE /registrations/{registrationId}/waiting-list/{roundId}': {
    operationId: 'leaveWaitingList',
    summary: 'Leave the waiting list of a round (a registration waiting for a place: the list altogether)',
    success: registrationOk('The registration off that list'),
    errors: [],
  },
  'PUT /admin/events/{eventId}': {
    operationId: 'putEvent',
    summary: 'Create or update an event definition (as in events/*.json)',
    body: eventDefinitionSchema,
    success: [
      { status: 200, description: 'Updated', body: putEventResponseSchema },
      { status: 201, description: 'Created', body: putEventResponseSchema },
    ],
    errors: [CapacityBelowTaken, WorkshopInUse],
  },
  'GET /admin/events/{eventId}/registrations': {
    operationId: 'listRegistrations',
    summary: 'Registrations, filtered and paged',
    query: listQuerySchema,
    success: [{ status: 200, description: 'A page of registrations', body: registrationsPageSchema }],
    errors: [EventNotFound],
  },
  'GET /admin/events/{eventId}/registrations.csv': {
    operationId: 'exportRegistrationsCsv',
    summary: 'Registrations as CSV, or with workshopId the attendance list of that workshop',
    query: exportQuerySchema,
    success: [
      {
        status: 200,
        description: 'CSV with BOM and Dutch headers',
        csv: true,
        headers: ['Content-Disposition'],
      },
    ],
    errors: [EventNotFound],
  },
  'GET /admin/events/{eventId}/summary': {
    operationId: 'getSummary',
    summary: 'Seats taken, confirmed holders and waiting per workshop; totals; consistency',
    success: [{ status: 200, description: 'The summary', body: summarySchema }],
    errors: [EventNotFound],
  },
  'DELETE /admin/events/{eventId}/registrations/{registrationId}': {
    operationId: 'cancelOnBehalf',
    summary: 'Cancel on an attendee’s behalf (audited; the attendee is emailed)',
    success: organiserRegistrationOk('The cancelled registration'),
    errors: [EventNotFound, RegistrationNotFound],
  },
  'POST /admin/events/{eventId}/registrations/cancel-batch': {
    operationId: 'cancelBatch',
    summary: 'Cancel a batch of registrations judged abusive (audited per cancellation); dryRun lists it',
    body: cancelBatchBodySchema,
    success: [
      { status: 200, description: 'What was (or would be) cancelled', body: cancelBatchResponseSchema },
    ],
    errors: [EventNotFound],
  },
  'GET /admin/events/{eventId}/audit': {
    operationId: 'listAudit',
    summary: 'The audit log, newest first',
    query: auditQuerySchema,
    success: [{ status: 200, description: 'A page of audit entries', body: auditPageSchema }],
    errors: [EventNotFound],
  },
  'DELETE /admin/events/{eventId}/registrations/{registrationId}/personal-data': {
    operationId: 'erasePersonalDataOnRequest',
    summary: 'Erase a person’s data on request (audited)',
    success: organiserRegistrationOk('The anonymised registration'),
    errors: [EventNotFound, RegistrationNotFound],
  },
  'GET /admin/events/{eventId}/waiting-list': {
    operationId: 'listWaiting',
    summary: 'Who waits, in queue order (one workshop’s line with workshopId)',
    query: waitingListQuerySchema,
    success: [{ status: 200, description: 'The waiting list', body: waitingListSchema }],
    errors: [EventNotFound],
  },
  'DELETE /admin/events/{eventId}/waiting-list/{entryId}': {
    operationId: 'removeWaitingEntry',
    summary: 'Take an entry off the waiting list (audited; the person is emailed)',
    success: organiserRegistrationOk('The registration off the list'),
    errors: [EventNotFound, WaitingEntryNotFound],
  },
  'POST /admin/events/{eventId}/waiting-list/{entryId}/promote': {
    operationId: 'promoteWaitingEntry',
    summary: 'Promote out of turn, never beyond capacity (audited)',
    success: organiserRegistrationOk('The promoted registration'),
    errors: [EventNotFound, WaitingEntryNotFound, WorkshopFull],
  },
};

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
