import * as z from 'zod/mini';
import { idSchema } from '../domain/event-definition.js';
import type { AuditAction } from '../ports.js';
import { MAX_BATCH_SIZE } from '../use-cases/admin/cancel-batch.js';
import {
  choicesViewSchema,
  localeSchema,
  publicEventSchema,
  registrationStatusSchema,
  timestampSchema,
  waitingForViewSchema,
} from './response-schemas.js';

/** Query strings of the admin routes, and the bodies they answer with (see `response-schemas.ts`). */

/** Empty query parameters (`?workshopId=&status=`) mean "not given". */
const blankAsMissing = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    schema,
  );

const limitSchema = blankAsMissing(
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 50),
);
const cursorSchema = blankAsMissing(z.optional(z.string()));

export const listQuerySchema = z.object({
  workshopId: blankAsMissing(z.optional(idSchema)),
  status: blankAsMissing(z.optional(z.enum(['confirmed', 'cancelled']))),
  q: blankAsMissing(z.optional(z.string().check(z.trim(), z.maxLength(200)))),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const exportQuerySchema = z.object({ workshopId: blankAsMissing(z.optional(idSchema)) });

/** A registration id as the API hands them out (22 letters and digits; older ones nanoid's `A-Za-z0-9_-`). */
const registrationIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'use registration ids'));

export const auditQuerySchema = z.object({
  /** Only this registration's entries (an unknown id: none). */
  registrationId: blankAsMissing(z.optional(registrationIdSchema)),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const waitingListQuerySchema = z.object({ workshopId: blankAsMissing(z.optional(idSchema)) });

/** The next page's cursor, or null on the last page. */
const nextCursor = z.nullable(z.string());

/** Every stored field of a registration except keys, hashes and counters: open to fields added later. */
export const adminRegistrationSchema = z.looseObject({
  id: z.string(),
  eventId: z.string(),
  name: z.string(),
  email: z.string(),
  organisation: z.string(),
  choices: choicesViewSchema,
  status: registrationStatusSchema,
  locale: localeSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  /** Set by SES feedback: the address bounced for good, or the person marked an email as spam. */
  emailState: z.optional(z.enum(['bounced', 'complained'])),
});

export const adminRegistrationResponseSchema = z.object({ registration: adminRegistrationSchema });

export const registrationsPageSchema = z.object({ items: z.array(adminRegistrationSchema), nextCursor });

export const putEventResponseSchema = z.extend(publicEventSchema, {
  /** True when this request created the event (201), false for an update (200). */
  created: z.boolean(),
  /** Confirmed registrations emailed the updated programme (0 for a new event, or with `notify=false`). */
  notified: z.int(),
});

/** `PUT /admin/events/{eventId}?notify=false&dryRun=true` (issue 16). */
const booleanFlag = blankAsMissing(z.optional(z.enum(['true', 'false'])));
export const putEventQuerySchema = z.object({ notify: booleanFlag, dryRun: booleanFlag });

/** A dry run of an event update: how many registrations it would email; nothing changed. */
export const putEventDryRunSchema = z.object({
  dryRun: z.literal(true),
  created: z.boolean(),
  notified: z.int(),
});

/** What an update answers with 200: the event, or with `dryRun=true` the dry run. */
export const putEventUpdateAnswerSchema = z.union([putEventResponseSchema, putEventDryRunSchema]);

const workshopSummarySchema = z.object({
  id: z.string(),
  workshopId: z.string(),
  roundId: z.string(),
  title: z.string(),
  capacity: z.int(),
  taken: z.int(),
  seatsLeft: z.int(),
  holders: z.int(),
  confirmed: z.int(),
  consistent: z.boolean(),
  waiting: z.int(),
  /** Holders checked in at this workshop's room. */
  present: z.optional(z.int()),
  /** After the event day: holders not checked in at this workshop. */
  noShows: z.optional(z.int()),
});

export const summarySchema = z.object({
  eventId: z.string(),
  title: z.string(),
  consistent: z.boolean(),
  totals: z.object({
    registrations: z.int(),
    confirmed: z.int(),
    cancelled: z.int(),
    waiting: z.int(),
    emailsPending: z.int(),
    emailsFailed: z.int(),
    emailsBounced: z.int(),
    emailsComplained: z.int(),
    /** Confirmed registrations checked in anywhere (the entrance or a workshop room). */
    present: z.optional(z.int()),
    /** After the event day: confirmed registrations checked in nowhere. */
    noShows: z.optional(z.int()),
  }),
  retention: z.object({ retentionDays: z.int(), personalDataRemovedFrom: timestampSchema }),
  rounds: z.array(z.object({ id: z.string(), title: z.string(), workshops: z.array(workshopSummarySchema) })),
  workshops: z.array(workshopSummarySchema),
});

/** Every audit action (a new one fails the type check until it is listed here, and so in the document). */
const AUDIT_ACTIONS: Record<AuditAction, true> = {
  'event.created': true,
  'event.updated': true,
  'registration.cancelled': true,
  'registration.erased': true,
  'registration.confirmation-resent': true,
  'waiting-list.removed': true,
  'waiting-list.promoted': true,
  'message.sent': true,
  'check-in.undone': true,
};

export const auditPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: timestampSchema,
      actor: z.object({ sub: z.string(), username: z.string() }),
      action: z.enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]),
      eventId: z.string(),
      registrationId: z.optional(z.string()),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor,
});

export const waitingListSchema = z.object({
  items: z.array(
    z.object({
      position: z.number().check(z.int(), z.positive()),
      entryId: z.string(),
      kind: z.enum(['preference', 'place']),
      registrationId: z.string(),
      name: z.string(),
      email: z.string(),
      organisation: z.string(),
      choices: choicesViewSchema,
      wants: waitingForViewSchema,
      joinedAt: timestampSchema,
    }),
  ),
});

/** The body of `POST /admin/events/{eventId}/registrations/cancel-batch`. */
export const cancelBatchBodySchema = z.object({
  registrationIds: z.array(registrationIdSchema).check(z.minLength(1), z.maxLength(MAX_BATCH_SIZE)),
  /** List what would be cancelled, change nothing. */
  dryRun: z._default(z.boolean(), false),
});

const batchOutcomeSchema = z.enum(['cancelled', 'would-cancel', 'already-cancelled', 'not-found']);

export const cancelBatchResponseSchema = z.object({
  dryRun: z.boolean(),
  /** Shared by the audit entries of the cancellations; absent for a dry run. */
  batchId: z.optional(z.string()),
  items: z.array(
    z.object({
      registrationId: z.string(),
      outcome: batchOutcomeSchema,
      registration: z.optional(adminRegistrationSchema),
    }),
  ),
  counts: z.object({
    cancelled: z.int(),
    'would-cancel': z.int(),
    'already-cancelled': z.int(),
    'not-found': z.int(),
  }),
});

export const eventListSchema = z.object({
  items: z.array(z.object({ id: z.string(), title: z.string(), date: z.string(), timezone: z.string() })),
});
