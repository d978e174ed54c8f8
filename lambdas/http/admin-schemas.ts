import { z } from 'zod';
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
const blankAsMissing = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const limitSchema = blankAsMissing(z.coerce.number().int().min(1).max(500).default(50));
const cursorSchema = blankAsMissing(z.string().optional());

export const listQuerySchema = z.object({
  workshopId: blankAsMissing(idSchema.optional()),
  status: blankAsMissing(z.enum(['confirmed', 'cancelled']).optional()),
  q: blankAsMissing(z.string().trim().max(200).optional()),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const exportQuerySchema = z.object({ workshopId: blankAsMissing(idSchema.optional()) });

export const auditQuerySchema = z.object({ limit: limitSchema, cursor: cursorSchema });

export const waitingListQuerySchema = z.object({ workshopId: blankAsMissing(idSchema.optional()) });

/** The next page's cursor, or null on the last page. */
const nextCursor = z.string().nullable();

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
  emailState: z.enum(['bounced', 'complained']).optional(),
});

export const adminRegistrationResponseSchema = z.object({ registration: adminRegistrationSchema });

export const registrationsPageSchema = z.object({ items: z.array(adminRegistrationSchema), nextCursor });

export const putEventResponseSchema = publicEventSchema.extend({
  /** True when this request created the event (201), false for an update (200). */
  created: z.boolean(),
});

const workshopSummarySchema = z.object({
  id: z.string(),
  workshopId: z.string(),
  roundId: z.string(),
  title: z.string(),
  capacity: z.number().int(),
  taken: z.number().int(),
  seatsLeft: z.number().int(),
  holders: z.number().int(),
  confirmed: z.number().int(),
  consistent: z.boolean(),
  waiting: z.number().int(),
});

export const summarySchema = z.object({
  eventId: z.string(),
  title: z.string(),
  consistent: z.boolean(),
  totals: z.object({
    registrations: z.number().int(),
    confirmed: z.number().int(),
    cancelled: z.number().int(),
    waiting: z.number().int(),
    emailsPending: z.number().int(),
    emailsFailed: z.number().int(),
    emailsBounced: z.number().int(),
    emailsComplained: z.number().int(),
  }),
  retention: z.object({ retentionDays: z.number().int(), personalDataRemovedFrom: timestampSchema }),
  rounds: z.array(z.object({ id: z.string(), title: z.string(), workshops: z.array(workshopSummarySchema) })),
  workshops: z.array(workshopSummarySchema),
});

/** Every audit action (a new one fails the type check until it is listed here, and so in the document). */
const AUDIT_ACTIONS: Record<AuditAction, true> = {
  'event.created': true,
  'event.updated': true,
  'registration.cancelled': true,
  'registration.erased': true,
  'waiting-list.removed': true,
  'waiting-list.promoted': true,
};

export const auditPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: timestampSchema,
      actor: z.object({ sub: z.string(), username: z.string() }),
      action: z.enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]),
      eventId: z.string(),
      registrationId: z.string().optional(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor,
});

export const waitingListSchema = z.object({
  items: z.array(
    z.object({
      position: z.number().int().positive(),
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
  registrationIds: z
    .array(
      z
        .string()
        .min(1)
        .max(64)
        .regex(/^[\w-]+$/, 'use registration ids'),
    )
    .min(1)
    .max(MAX_BATCH_SIZE),
  /** List what would be cancelled, change nothing. */
  dryRun: z.boolean().default(false),
});

const batchOutcomeSchema = z.enum(['cancelled', 'would-cancel', 'already-cancelled', 'not-found']);

export const cancelBatchResponseSchema = z.object({
  dryRun: z.boolean(),
  /** Shared by the audit entries of the cancellations; absent for a dry run. */
  batchId: z.string().optional(),
  items: z.array(
    z.object({
      registrationId: z.string(),
      outcome: batchOutcomeSchema,
      registration: adminRegistrationSchema.optional(),
    }),
  ),
  counts: z.object({
    cancelled: z.number().int(),
    'would-cancel': z.number().int(),
    'already-cancelled': z.number().int(),
    'not-found': z.number().int(),
  }),
});
