import * as z from 'zod/mini';
import { XLSX_CONTENT_TYPE } from '../adapters/xlsx/registrations-xlsx.js';
import {
  AlreadyRegistered,
  AlreadyWaiting,
  type AppError,
  CapacityBelowTaken,
  CheckInCodeUnknown,
  EventNotFound,
  IdempotencyKeyReused,
  InvalidChoice,
  NotFull,
  NotRegisteredForWorkshop,
  RegistrationCancelled,
  RegistrationClosed,
  RegistrationErased,
  RegistrationNotFound,
  RegistrationWaiting,
  RequestInProgress,
  WaitingEntryNotFound,
  WorkshopFull,
  WorkshopInUse,
} from '../domain/errors.js';
import { eventDefinitionSchema } from '../domain/event-definition.js';
import {
  adminRegistrationResponseSchema,
  auditPageSchema,
  auditQuerySchema,
  cancelBatchBodySchema,
  cancelBatchResponseSchema,
  eventListSchema,
  exportQuerySchema,
  listQuerySchema,
  putEventQuerySchema,
  putEventResponseSchema,
  putEventUpdateAnswerSchema,
  registrationsPageSchema,
  summarySchema,
  waitingListQuerySchema,
  waitingListSchema,
} from './admin-schemas.js';
import {
  checkInBodySchema,
  checkInListSchema,
  checkInPlaceQuerySchema,
  checkInResponseSchema,
  checkInSearchQuerySchema,
  checkInUndoneSchema,
  ownRegistrationResponseSchema,
} from './check-in-schemas.js';
import { messageAcceptedSchema, messageBodySchema, messageListSchema } from './message-schemas.js';
import {
  healthSchema,
  personalDataExportSchema,
  publicEventSchema,
  registrationResponseSchema,
} from './response-schemas.js';
import {
  changeBodySchema,
  joinWaitingListBodySchema,
  registrationBodySchema,
  waitingListBodySchema,
} from './schemas.js';

/**
 * The per-route documentation of the OpenAPI document (lambdas/http/openapi.ts generates it): for every route
 * of lambdas/routes.ts its operation id, summary, request schemas, successes and own refusals.
 */

export type ErrorClass = new () => AppError;
export type ZodType = z.ZodMiniType;

/** What GET /openapi.json answers with: this document (checked by Redocly, not by itself). */
export const openApiDocumentSchema = z.looseObject({ openapi: z.string() });

type Success = {
  status: number;
  description: string;
  /** JSON body; absent for a CSV download. */
  body?: ZodType;
  csv?: true;
  /** A binary download of this media type (API Gateway's binary media types carry it). */
  binary?: string;
  headers?: readonly ('Location' | 'Content-Disposition')[];
};

export type Operation = {
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
    summary:
      'Register: one workshop per round, all seats or none; `alternatives` are taken instead of a full choice; `waitFor` joins full workshops’ lists',
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
    summary: 'Your registration, with its check-in code while confirmed',
    success: [{ status: 200, description: 'The registration', body: ownRegistrationResponseSchema }],
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
  'GET /admin/events': {
    operationId: 'listEvents',
    summary: 'The events to choose from (every event written through the API or loaded), by date',
    success: [{ status: 200, description: 'The events', body: eventListSchema }],
    errors: [],
  },
  'GET /admin/events/{eventId}': {
    operationId: 'getEventDefinition',
    summary: 'The event definition as stored (the shape PUT takes), for editing',
    success: [{ status: 200, description: 'The definition', body: eventDefinitionSchema }],
    errors: [EventNotFound],
  },
  'PUT /admin/events/{eventId}': {
    operationId: 'putEvent',
    summary:
      'Create or update an event definition (as in events/*.json); an update emails the registrations whose programme changed',
    body: eventDefinitionSchema,
    query: putEventQuerySchema,
    success: [
      {
        status: 200,
        description: 'Updated (or, with dryRun=true, what would be emailed)',
        body: putEventUpdateAnswerSchema,
      },
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
  'GET /admin/events/{eventId}/registrations.xlsx': {
    operationId: 'exportRegistrationsXlsx',
    summary:
      'Registrations as an Excel workbook: a sheet of every registration and an attendance sheet per workshop; with workshopId only that workshop’s attendance sheet',
    query: exportQuerySchema,
    success: [
      {
        status: 200,
        description: 'XLSX with Dutch headers, a frozen header row, dates in the event’s time zone',
        binary: XLSX_CONTENT_TYPE,
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
    summary: 'The audit log, newest first; with registrationId only that registration’s entries',
    query: auditQuerySchema,
    success: [{ status: 200, description: 'A page of audit entries', body: auditPageSchema }],
    errors: [EventNotFound],
  },
  'POST /admin/events/{eventId}/messages': {
    operationId: 'sendMessage',
    summary: 'Send a plain-text message to registrants (audited); dryRun counts the recipients',
    body: messageBodySchema,
    success: [
      {
        status: 202,
        description: 'Accepted: fanned out and sent after the answer',
        body: messageAcceptedSchema,
      },
      {
        status: 200,
        description: 'Dry run: the recipients counted, nothing sent',
        body: messageAcceptedSchema,
      },
    ],
    errors: [EventNotFound],
  },
  'GET /admin/events/{eventId}/messages': {
    operationId: 'listMessages',
    summary: 'Messages sent, newest first, with copies sent, pending and failed',
    success: [{ status: 200, description: 'The messages', body: messageListSchema }],
    errors: [EventNotFound],
  },
  'DELETE /admin/events/{eventId}/registrations/{registrationId}/personal-data': {
    operationId: 'erasePersonalDataOnRequest',
    summary: 'Erase a person’s data on request (audited)',
    success: organiserRegistrationOk('The anonymised registration'),
    errors: [EventNotFound, RegistrationNotFound],
  },
  'POST /admin/events/{eventId}/registrations/{registrationId}/resend-confirmation': {
    operationId: 'resendConfirmation',
    summary:
      'Send the confirmation again through the outbox, with a fresh manage link (earlier links stop working; audited)',
    success: organiserRegistrationOk('The registration, its confirmation pending'),
    errors: [EventNotFound, RegistrationNotFound, RegistrationCancelled, RegistrationErased],
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
  'POST /admin/events/{eventId}/check-ins': {
    operationId: 'checkIn',
    summary:
      'Check in by code or registration id, at the entrance or a workshop (door staff too); a repeat counts once',
    body: checkInBodySchema,
    success: [
      {
        status: 200,
        description: 'Checked in (or already: `alreadyCheckedInAt`)',
        body: checkInResponseSchema,
      },
    ],
    errors: [
      EventNotFound,
      CheckInCodeUnknown,
      RegistrationCancelled,
      RegistrationWaiting,
      NotRegisteredForWorkshop,
    ],
  },
  'GET /admin/events/{eventId}/check-ins': {
    operationId: 'searchCheckIns',
    summary: 'Confirmed attendees by name or organisation, with their check-in at the place (door staff too)',
    query: checkInSearchQuerySchema,
    success: [{ status: 200, description: 'Up to 100 attendees, by name', body: checkInListSchema }],
    errors: [EventNotFound],
  },
  'DELETE /admin/events/{eventId}/check-ins/{registrationId}': {
    operationId: 'undoCheckIn',
    summary:
      'Undo a mistaken check-in at the entrance or, with workshopId, a workshop (audited; door staff too)',
    query: checkInPlaceQuerySchema,
    success: [
      { status: 200, description: 'Undone, or there was none (`undone: false`)', body: checkInUndoneSchema },
    ],
    errors: [EventNotFound, RegistrationNotFound],
  },
};
