import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CSV_CONTENT_TYPE, registrationsCsv } from '../adapters/csv/registrations-csv.js';
import { registrationsXlsx, XLSX_CONTENT_TYPE } from '../adapters/xlsx/registrations-xlsx.js';
import { cursorKey, dependencies } from '../composition.js';
import { ValidationFailed } from '../domain/errors.js';
import { eventDefinitionSchema, idSchema } from '../domain/event-definition.js';
import type { Locale } from '../domain/registration.js';
import { authorizeAdminRoute } from '../http/admin-auth.js';
import { httpHandler, type RequestContext } from '../http/http-handler.js';
import { entryIdParameter, eventIdParameter, registrationIdParameter } from '../http/path-parameters.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { type RouteActions, router } from '../http/router.js';
import type { Actor, IdSource } from '../ports.js';
import { listAudit } from '../use-cases/admin/audit-log.js';
import { type CheckInDeps, checkIn, searchForCheckIn, undoCheckIn } from '../use-cases/admin/check-in.js';
import { CursorCodec, type CursorKind } from '../use-cases/admin/cursor.js';
import { eventSummary } from '../use-cases/admin/event-summary.js';
import { exportRegistrations, exportWorkbook } from '../use-cases/admin/export-registrations.js';
import { eventDefinition, listEvents } from '../use-cases/admin/list-events.js';
import { listRegistrations } from '../use-cases/admin/list-registrations.js';
import {
  cancelAndPromote,
  cancelBatchAndPromote,
  eraseOnRequest,
  type OrganiserDeps,
  previewPutEvent,
  promoteByHandAndWalk,
  putEventAndPromote,
  removeFromListAndTell,
} from '../use-cases/admin/organiser-actions.js';
import { resendConfirmation } from '../use-cases/admin/resend-confirmation.js';
import { listWaiting } from '../use-cases/admin/waiting-lists.js';
import { MESSAGE_ROUTES } from './admin-messages.js';

/**
 * One function for every admin route (DESIGN.md, admin table), dispatching on the API Gateway resource and
 * method. Every request is authorised first: claims from the Cognito authorizer (or the local gateway),
 * group `ADMIN_GROUP`. Each route parses and validates with zod, calls one use case and maps the result.
 */

const deps = dependencies();

/**
 * The admin routes' query and body schemas, built on the first request that parses one instead of at cold start
 * (with the response schemas beside them, which only the OpenAPI document uses): the bundle runs a module that
 * is reached only by `import()` when it is first imported. Measured with `npm run bench -- --only=cold-start`.
 */
const adminSchemas = () => import('../http/admin-schemas.js');
const checkInSchemas = () => import('../http/check-in-schemas.js');

/** Read once at cold start: the stage's cursor signing secret (composition.ts). */
const cursors = new CursorCodec(await cursorKey());
const ids: IdSource = { newId: () => randomUUID() };

/** Event definitions are larger than registrations; DynamoDB keeps at most 400 KB per item. */
const MAX_EVENT_BODY_BYTES = 256 * 1024;

/** Every admin route knows who acts: the organiser from the authorizer's claims. */
type OrganiserRequest = RequestContext & { actor: Actor };

/** The organisers' changes and what follows their commits (emails, promotion), with the audit log's ids. */
const organiser: OrganiserDeps = {
  ...deps.followUp,
  events: deps.store,
  registrations: deps.store,
  registry: deps.adminQueries,
  audit: deps.adminQueries,
  outbox: deps.outbox,
  ids,
  index: deps.adminQueries,
};

const CURSOR_MESSAGES: Record<Locale, string> = {
  nl: 'ongeldige cursor: gebruik de nextCursor van een eerdere pagina van deze lijst',
  en: 'invalid cursor: use the nextCursor of an earlier page of this listing',
};

function query(event: APIGatewayProxyEvent): Record<string, string | undefined> {
  return event.queryStringParameters ?? {};
}

function decodeCursor(
  cursor: string | undefined,
  expected: { kind: CursorKind; eventId: string },
  locale: Locale,
): string | undefined {
  if (cursor === undefined) return undefined;
  const position = cursors.decode(cursor, expected);
  if (position === undefined)
    throw new ValidationFailed([{ path: 'cursor', message: CURSOR_MESSAGES[locale] }]);
  return position;
}

/** A download: not cached anywhere, never sniffed into something else, saved under its own name. */
function download(contentType: string, filename: string) {
  return {
    'Content-Type': contentType,
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}

function exportFilename(eventId: string, workshopId: string | undefined, extension: string): string {
  return workshopId
    ? `${eventId}-${workshopId}-attendance.${extension}`
    : `${eventId}-registrations.${extension}`;
}

function encodeCursor(position: string | undefined, kind: CursorKind, eventId: string): string | null {
  return position === undefined ? null : cursors.encode({ kind, eventId, position });
}

/** Checking in: what door staff may use too (lambdas/http/admin-auth.ts, DOOR_ROUTES). */
const checkIns: CheckInDeps = {
  events: deps.store,
  registrations: deps.store,
  index: deps.adminQueries,
  checkIns: deps.checkIns,
  audit: deps.adminQueries,
  clock: deps.clock,
  ids,
};

const CHECK_IN_ROUTES = {
  'POST /admin/events/{eventId}/check-ins': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const body = parseInput((await checkInSchemas()).checkInBodySchema, readJsonBody(event), locale);
    return jsonResponse(200, { checkIn: await checkIn({ eventId, ...body }, checkIns) });
  },

  'DELETE /admin/events/{eventId}/check-ins/{registrationId}': async (event, { locale, actor }) => {
    const eventId = eventIdParameter(event);
    const { workshopId } = parseInput((await checkInSchemas()).checkInPlaceQuerySchema, query(event), locale);
    return jsonResponse(
      200,
      await undoCheckIn(
        { eventId, registrationId: registrationIdParameter(event), workshopId, actor },
        checkIns,
      ),
    );
  },

  'GET /admin/events/{eventId}/check-ins': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await checkInSchemas()).checkInSearchQuerySchema, query(event), locale);
    return jsonResponse(200, await searchForCheckIn({ eventId, ...params }, checkIns));
  },
} satisfies RouteActions<OrganiserRequest>;

/** `<method> <resource>`, exactly as in the route table (lambdas/routes.ts). */
export const ADMIN_ROUTES = {
  'GET /admin/events': async () =>
    jsonResponse(200, { items: await listEvents({ registry: deps.adminQueries, events: deps.store }) }),

  'GET /admin/events/{eventId}': async (event) =>
    jsonResponse(200, await eventDefinition(eventIdParameter(event), { events: deps.store })),

  'PUT /admin/events/{eventId}': async (event, { locale, actor }) => {
    const eventId = idSchema.safeParse(event.pathParameters?.eventId);
    const raw = readJsonBody(event, { maxBytes: MAX_EVENT_BODY_BYTES });
    // The id of an event to create is input like the body: an unusable one is a validation error, not a 404.
    if (!eventId.success) {
      throw new ValidationFailed([
        { path: 'eventId', message: eventId.error.issues[0]?.message ?? 'invalid' },
      ]);
    }
    const definition = parseInput(eventDefinitionSchema, raw, locale);
    const flags = parseInput((await adminSchemas()).putEventQuerySchema, query(event), locale);
    const command = { eventId: eventId.data, definition, actor, notify: flags.notify !== 'false' };
    if (flags.dryRun === 'true') return jsonResponse(200, await previewPutEvent(command, organiser));
    const result = await putEventAndPromote(command, organiser);
    return jsonResponse(result.created ? 201 : 200, {
      ...result.event,
      created: result.created,
      notified: result.notified,
    });
  },

  'GET /admin/events/{eventId}/registrations': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await adminSchemas()).listQuerySchema, query(event), locale);
    const after = decodeCursor(params.cursor, { kind: 'registrations', eventId }, locale);
    const page = await listRegistrations(
      {
        eventId,
        filter: { workshopId: params.workshopId, status: params.status, q: params.q || undefined },
        limit: params.limit,
        after,
      },
      { events: deps.store, index: deps.adminQueries },
    );
    return jsonResponse(200, {
      items: page.items,
      nextCursor: encodeCursor(page.nextPosition, 'registrations', eventId),
    });
  },

  'GET /admin/events/{eventId}/registrations.csv': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await adminSchemas()).exportQuerySchema, query(event), locale);
    const result = await exportRegistrations(
      { eventId, workshopId: params.workshopId },
      { events: deps.store, index: deps.adminQueries, checkIns: deps.checkIns },
    );
    return {
      statusCode: 200,
      headers: download(CSV_CONTENT_TYPE, exportFilename(eventId, params.workshopId, 'csv')),
      body: registrationsCsv(result.definition, result.registrations, {
        checkInColumn: params.workshopId !== undefined,
      }),
    };
  },

  'GET /admin/events/{eventId}/registrations.xlsx': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await adminSchemas()).exportQuerySchema, query(event), locale);
    const workbook = await exportWorkbook(
      { eventId, workshopId: params.workshopId },
      { events: deps.store, index: deps.adminQueries, checkIns: deps.checkIns },
    );
    // Binary through API Gateway: base64 here, decoded by the gateway (the type is one of its binary media types).
    return {
      statusCode: 200,
      headers: download(XLSX_CONTENT_TYPE, exportFilename(eventId, params.workshopId, 'xlsx')),
      body: (await registrationsXlsx(workbook)).toString('base64'),
      isBase64Encoded: true,
    };
  },

  'GET /admin/events/{eventId}/summary': async (event) =>
    jsonResponse(
      200,
      await eventSummary(eventIdParameter(event), {
        events: deps.store,
        index: deps.adminQueries,
        waiting: deps.waitingList,
        attendance: { checkIns: deps.checkIns, clock: deps.clock },
      }),
    ),

  'DELETE /admin/events/{eventId}/registrations/{registrationId}': async (event, { actor }) => {
    const eventId = eventIdParameter(event);
    const registrationId = registrationIdParameter(event);
    return jsonResponse(200, {
      registration: await cancelAndPromote({ eventId, registrationId, actor }, organiser),
    });
  },

  'POST /admin/events/{eventId}/registrations/cancel-batch': async (event, { locale, actor }) => {
    const eventId = eventIdParameter(event);
    const body = parseInput((await adminSchemas()).cancelBatchBodySchema, readJsonBody(event), locale);
    return jsonResponse(
      200,
      await cancelBatchAndPromote(
        { eventId, registrationIds: body.registrationIds, dryRun: body.dryRun, actor },
        organiser,
      ),
    );
  },

  'GET /admin/events/{eventId}/audit': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await adminSchemas()).auditQuerySchema, query(event), locale);
    const before = decodeCursor(params.cursor, { kind: 'audit', eventId }, locale);
    const page = await listAudit(
      { eventId, limit: params.limit, before, registrationId: params.registrationId },
      { events: deps.store, audit: deps.adminQueries },
    );
    return jsonResponse(200, {
      items: page.items,
      nextCursor: encodeCursor(page.nextPosition, 'audit', eventId),
    });
  },

  'DELETE /admin/events/{eventId}/registrations/{registrationId}/personal-data': async (event, { actor }) => {
    const eventId = eventIdParameter(event);
    const registrationId = registrationIdParameter(event);
    return jsonResponse(200, {
      registration: await eraseOnRequest({ eventId, registrationId, actor }, organiser),
    });
  },

  'POST /admin/events/{eventId}/registrations/{registrationId}/resend-confirmation': async (
    event,
    { actor },
  ) => {
    const eventId = eventIdParameter(event);
    const registrationId = registrationIdParameter(event);
    return jsonResponse(200, {
      registration: await resendConfirmation({ eventId, registrationId, actor }, organiser),
    });
  },

  'GET /admin/events/{eventId}/waiting-list': async (event, { locale }) => {
    const eventId = eventIdParameter(event);
    const params = parseInput((await adminSchemas()).waitingListQuerySchema, query(event), locale);
    return jsonResponse(
      200,
      await listWaiting(
        { eventId, workshopId: params.workshopId },
        { events: deps.store, registrations: deps.store, waiting: deps.waitingList },
      ),
    );
  },

  'DELETE /admin/events/{eventId}/waiting-list/{entryId}': async (event, { actor }) => {
    const eventId = eventIdParameter(event);
    return jsonResponse(200, {
      registration: await removeFromListAndTell(
        { eventId, entryId: entryIdParameter(event), actor },
        organiser,
      ),
    });
  },

  'POST /admin/events/{eventId}/waiting-list/{entryId}/promote': async (event, { actor }) => {
    const eventId = eventIdParameter(event);
    return jsonResponse(200, {
      registration: await promoteByHandAndWalk(
        { eventId, entryId: entryIdParameter(event), actor },
        organiser,
      ),
    });
  },

  ...MESSAGE_ROUTES,
  ...CHECK_IN_ROUTES,
} satisfies RouteActions<OrganiserRequest>;

const dispatch = router(ADMIN_ROUTES);

export const handler = httpHandler(async (event, request) =>
  // Authorised before anything else is looked at, even whether the route exists: door staff only on theirs.
  dispatch(event, {
    ...request,
    actor: authorizeAdminRoute(event, `${event.httpMethod} ${event.resource}`),
  }),
);
