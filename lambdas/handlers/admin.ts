import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { CSV_CONTENT_TYPE, registrationsCsv } from '../adapters/csv/registrations-csv.js';
import { dependencies } from '../composition.js';
import { toAdminRegistration } from '../domain/admin-registration.js';
import {
  EventNotFound,
  MalformedJson,
  PayloadTooLarge,
  RegistrationNotFound,
  RouteNotFound,
  UnsupportedMediaType,
  ValidationFailed,
  WaitingEntryNotFound,
} from '../domain/errors.js';
import { eventDefinitionSchema, idSchema } from '../domain/event-definition.js';
import type { Locale } from '../domain/registration.js';
import { emailDependencies } from '../email-composition.js';
import { authorizeOrganiser } from '../http/admin-auth.js';
import {
  auditQuerySchema,
  cancelBatchBodySchema,
  exportQuerySchema,
  listQuerySchema,
  waitingListQuerySchema,
} from '../http/admin-schemas.js';
import { header } from '../http/headers.js';
import { httpHandler, type RequestContext } from '../http/http-handler.js';
import { parseInput, readJsonBody } from '../http/request.js';
import { jsonResponse } from '../http/responses.js';
import { logDelivery } from '../observability.js';
import type { Actor, IdSource } from '../ports.js';
import { listAudit } from '../use-cases/admin/audit-log.js';
import { cancelBatch } from '../use-cases/admin/cancel-batch.js';
import { cancelOnBehalf } from '../use-cases/admin/cancel-on-behalf.js';
import { CursorCodec, type CursorKind } from '../use-cases/admin/cursor.js';
import { eventSummary } from '../use-cases/admin/event-summary.js';
import { exportRegistrations } from '../use-cases/admin/export-registrations.js';
import { listRegistrations } from '../use-cases/admin/list-registrations.js';
import { putEvent } from '../use-cases/admin/put-event.js';
import { listWaiting, promoteByHand, removeFromWaitingList } from '../use-cases/admin/waiting-lists.js';
import { deliverNoticeNow } from '../use-cases/deliver-email.js';
import { erasePersonalData } from '../use-cases/erase-personal-data.js';
import { notifyPromotions, promoteAndNotify, promotionDeps } from '../waiting-list-runtime.js';

/**
 * One function for every admin route (DESIGN.md, admin table), dispatching on the API Gateway resource and
 * method. Every request is authorised first: claims from the Cognito authorizer (or the local gateway),
 * group `ADMIN_GROUP`. Each route parses and validates with zod, calls one use case and maps the result.
 */

const deps = dependencies();
const mail = emailDependencies();

/** Read once at cold start. Cursors are signed with CURSOR_SECRET when the deployment provides one. */
const cursors = new CursorCodec(process.env.CURSOR_SECRET || `vol-is-vol:${deps.config.tableName}`);
const ids: IdSource = { newId: () => randomUUID() };

/** Event definitions are larger than registrations; DynamoDB keeps at most 400 KB per item. */
const MAX_EVENT_BODY_BYTES = 256 * 1024;

type AdminRoute = (
  event: APIGatewayProxyEvent,
  request: RequestContext,
  actor: Actor,
) => Promise<APIGatewayProxyResult>;

const CURSOR_MESSAGES: Record<Locale, string> = {
  nl: 'ongeldige cursor: gebruik de nextCursor van een eerdere pagina van deze lijst',
  en: 'invalid cursor: use the nextCursor of an earlier page of this listing',
};

/** An id that cannot exist is simply not found. */
function existingEventId(event: APIGatewayProxyEvent): string {
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  if (!eventId.success) throw new EventNotFound();
  return eventId.data;
}

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

function encodeCursor(position: string | undefined, kind: CursorKind, eventId: string): string | null {
  return position === undefined ? null : cursors.encode({ kind, eventId, position });
}

/** Like `readJsonBody`, with room for an event definition: size, then media type, then syntax. */
function readEventBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_EVENT_BODY_BYTES) throw new PayloadTooLarge();
  const mediaType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    mediaType !== '' &&
    mediaType !== 'application/json' &&
    !/^application\/[\w.-]+\+json$/.test(mediaType)
  ) {
    throw new UnsupportedMediaType();
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedJson();
  }
}

const putEventRoute: AdminRoute = async (event, request, actor) => {
  const eventId = idSchema.safeParse(event.pathParameters?.eventId);
  const raw = readEventBody(event);
  if (!eventId.success) {
    throw new ValidationFailed([{ path: 'eventId', message: eventId.error.issues[0]?.message ?? 'invalid' }]);
  }
  const definition = parseInput(eventDefinitionSchema, raw, request.locale);
  const result = await putEvent(
    { eventId: eventId.data, definition, actor },
    { events: deps.store, audit: deps.adminQueries, registry: deps.adminQueries, clock: deps.clock, ids },
  );
  // A raised capacity frees seats for the people waiting.
  if (!result.created) await promoteAndNotify(eventId.data);
  return jsonResponse(result.created ? 201 : 200, { ...result.event, created: result.created });
};

const listRoute: AdminRoute = async (event, request) => {
  const eventId = existingEventId(event);
  const params = parseInput(listQuerySchema, query(event), request.locale);
  const after = decodeCursor(params.cursor, { kind: 'registrations', eventId }, request.locale);
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
};

const csvRoute: AdminRoute = async (event, request) => {
  const eventId = existingEventId(event);
  const params = parseInput(exportQuerySchema, query(event), request.locale);
  const result = await exportRegistrations(
    { eventId, workshopId: params.workshopId },
    { events: deps.store, index: deps.adminQueries },
  );
  const filename = params.workshopId
    ? `${eventId}-${params.workshopId}-attendance.csv`
    : `${eventId}-registrations.csv`;
  return {
    statusCode: 200,
    headers: {
      'Content-Type': CSV_CONTENT_TYPE,
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body: registrationsCsv(result.definition, result.registrations),
  };
};

const summaryRoute: AdminRoute = async (event) => {
  const eventId = existingEventId(event);
  return jsonResponse(
    200,
    await eventSummary(eventId, { events: deps.store, index: deps.adminQueries, waiting: deps.waitingList }),
  );
};

/** An id that cannot be a registration is simply not found. */
function registrationIdParam(event: APIGatewayProxyEvent): string {
  const registrationId = z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w-]+$/)
    .safeParse(event.pathParameters?.registrationId);
  if (!registrationId.success) throw new RegistrationNotFound();
  return registrationId.data;
}

const cancelRoute: AdminRoute = async (event, _request, actor) => {
  const eventId = existingEventId(event);
  const registrationId = registrationIdParam(event);
  const { registration, email } = await cancelOnBehalf(
    { eventId, registrationId, actor },
    { registrations: deps.store, audit: deps.adminQueries, clock: deps.clock, ids },
  );
  if (email) {
    logDelivery(await deliverNoticeNow(email.outbox, email.registration, { ...mail, events: deps.store }));
    await promoteAndNotify(eventId);
  }
  return jsonResponse(200, { registration });
};

const cancelBatchRoute: AdminRoute = async (event, request, actor) => {
  const eventId = existingEventId(event);
  const body = parseInput(cancelBatchBodySchema, readJsonBody(event), request.locale);
  const { emails, ...result } = await cancelBatch(
    { eventId, registrationIds: body.registrationIds, dryRun: body.dryRun, actor },
    { registrations: deps.store, audit: deps.adminQueries, clock: deps.clock, ids },
  );
  for (const email of emails) {
    logDelivery(await deliverNoticeNow(email.outbox, email.registration, { ...mail, events: deps.store }));
  }
  // The freed seats go to the people waiting, in one walk for the whole batch.
  if (emails.length > 0) await promoteAndNotify(eventId);
  return jsonResponse(200, result);
};

const eraseRoute: AdminRoute = async (event, _request, actor) => {
  const eventId = existingEventId(event);
  const registrationId = registrationIdParam(event);
  const { registration, erasedNow } = await erasePersonalData(
    { registrationId, by: 'organiser', eventId },
    {
      registrations: deps.store,
      events: deps.store,
      mailer: mail.mailer,
      outbox: mail.outbox,
      clock: deps.clock,
    },
  );
  if (erasedNow) {
    await deps.adminQueries.append({
      id: ids.newId(),
      at: deps.clock.now().toISOString(),
      actor,
      action: 'registration.erased',
      eventId,
      registrationId: registration.id,
      details: { reason: 'request' },
    });
    await promoteAndNotify(eventId);
  }
  return jsonResponse(200, { registration: toAdminRegistration(registration) });
};

const auditRoute: AdminRoute = async (event, request) => {
  const eventId = existingEventId(event);
  const params = parseInput(auditQuerySchema, query(event), request.locale);
  const before = decodeCursor(params.cursor, { kind: 'audit', eventId }, request.locale);
  const page = await listAudit(
    { eventId, limit: params.limit, before },
    { events: deps.store, audit: deps.adminQueries },
  );
  return jsonResponse(200, {
    items: page.items,
    nextCursor: encodeCursor(page.nextPosition, 'audit', eventId),
  });
};

/** Entry ids are `<registrationId>.<roundId>` or `<registrationId>.event`; anything else cannot exist. */
function entryIdParam(event: APIGatewayProxyEvent): string {
  const entryId = z
    .string()
    .max(140)
    .regex(/^[\w-]+\.[\w-]+$/)
    .safeParse(event.pathParameters?.entryId);
  if (!entryId.success) throw new WaitingEntryNotFound();
  return entryId.data;
}

const waitingListRoute: AdminRoute = async (event, request) => {
  const eventId = existingEventId(event);
  const params = parseInput(waitingListQuerySchema, query(event), request.locale);
  return jsonResponse(
    200,
    await listWaiting(
      { eventId, workshopId: params.workshopId },
      { events: deps.store, registrations: deps.store, waiting: deps.waitingList },
    ),
  );
};

const removeWaitingRoute: AdminRoute = async (event, _request, actor) => {
  const eventId = existingEventId(event);
  const { registration, outbox } = await removeFromWaitingList(
    { eventId, entryId: entryIdParam(event), actor },
    {
      registrations: deps.store,
      waiting: deps.waitingList,
      clock: deps.clock,
      audit: deps.adminQueries,
      ids,
    },
  );
  if (outbox) {
    logDelivery(await deliverNoticeNow(outbox, registration, { ...mail, events: deps.store }));
  }
  return jsonResponse(200, { registration: toAdminRegistration(registration) });
};

const promoteRoute: AdminRoute = async (event, _request, actor) => {
  const eventId = existingEventId(event);
  const promotion = await promoteByHand(
    { eventId, entryId: entryIdParam(event), actor },
    { ...promotionDeps(), audit: deps.adminQueries, ids },
  );
  await notifyPromotions([promotion]);
  // A preference's seat was released: it may be what the next person waits for.
  await promoteAndNotify(eventId);
  return jsonResponse(200, { registration: toAdminRegistration(promotion.registration) });
};

/** `<method> <resource>`, exactly as in the route table (lambdas/routes.ts). */
export const ADMIN_ROUTES: Record<string, AdminRoute> = {
  'PUT /admin/events/{eventId}': putEventRoute,
  'GET /admin/events/{eventId}/registrations': listRoute,
  'GET /admin/events/{eventId}/registrations.csv': csvRoute,
  'GET /admin/events/{eventId}/summary': summaryRoute,
  'DELETE /admin/events/{eventId}/registrations/{registrationId}': cancelRoute,
  'POST /admin/events/{eventId}/registrations/cancel-batch': cancelBatchRoute,
  'GET /admin/events/{eventId}/audit': auditRoute,
  'DELETE /admin/events/{eventId}/registrations/{registrationId}/personal-data': eraseRoute,
  'GET /admin/events/{eventId}/waiting-list': waitingListRoute,
  'DELETE /admin/events/{eventId}/waiting-list/{entryId}': removeWaitingRoute,
  'POST /admin/events/{eventId}/waiting-list/{entryId}/promote': promoteRoute,
};

export const handler = httpHandler(async (event, request) => {
  // Authorised before anything else is looked at.
  const actor = authorizeOrganiser(event);
  const route = ADMIN_ROUTES[`${event.httpMethod} ${event.resource}`];
  if (!route) throw new RouteNotFound();
  return route(event, request, actor);
});
