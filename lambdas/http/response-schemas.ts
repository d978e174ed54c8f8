import * as z from 'zod/mini';

/**
 * The bodies the API answers with, as zod schemas: the OpenAPI document (`http/openapi.ts`) is generated from
 * them and from the request schemas, the web pages take their types from them, and the integration tests
 * check every response against the document. Public shapes are closed (no field beyond these); what
 * organisers see of a registration is open, because it shows every stored field.
 */

export const timestampSchema = z.iso.datetime({ offset: true });
/** Round id → workshop id. */
export const choicesViewSchema = z.record(z.string(), z.string());
/** Round id → workshop ids, in order of preference. */
export const waitingForViewSchema = z.record(z.string(), z.array(z.string()));

export const localeSchema = z.enum(['nl', 'en']);
export const registrationStatusSchema = z.enum(['confirmed', 'cancelled', 'waiting']);
export const windowStatusSchema = z.enum(['open', 'not-yet-open', 'closed']);

/** `{ "error": { "code", "message", "details"? } }`; the document lists the codes of each operation. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().check(z.meta({ description: 'UPPER_SNAKE, stable: clients branch on it' })),
    message: z
      .string()
      .check(z.meta({ description: 'for people: Dutch, or English with Accept-Language: en' })),
    details: z.optional(z.unknown()),
  }),
});

export const healthSchema = z.object({ status: z.literal('ok') });

export const publicWorkshopSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  speakers: z.array(z.string()),
  notice: z.optional(z.string()),
  capacity: z.int(),
  seatsLeft: z.int(),
  full: z.boolean(),
  /** How many waiting-list entries would accept this workshop. */
  waiting: z.int(),
});

export const publicEventSchema = z.object({
  id: z.string(),
  title: z.string(),
  date: z.iso.date(),
  timezone: z.string(),
  venue: z.optional(z.string()),
  description: z.optional(z.string()),
  notice: z.optional(z.string()),
  registration: z.object({
    status: windowStatusSchema,
    opensAt: z.optional(timestampSchema),
    closesAt: z.optional(timestampSchema),
  }),
  privacy: z.object({
    statementUrl: z.string(),
    version: z.string(),
    controller: z.optional(z.string()),
    retentionDays: z.optional(z.int()),
  }),
  rounds: z.array(z.object({ id: z.string(), title: z.string(), workshops: z.array(publicWorkshopSchema) })),
});

/** A registration as its owner sees it (`http/public-views.ts`): never the hashes or internal keys. */
export const registrationViewSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  name: z.string(),
  email: z.string(),
  organisation: z.string(),
  jobTitle: z.optional(z.string()),
  choices: choicesViewSchema,
  waitingFor: z.optional(waitingForViewSchema),
  /** Workshop id → 1-based place in that workshop's line. */
  waitingPositions: z.optional(z.record(z.string(), z.number().check(z.int(), z.positive()))),
  status: registrationStatusSchema,
  locale: localeSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  cancelledAt: z.optional(timestampSchema),
  consent: z.optional(z.object({ givenAt: timestampSchema, statementVersion: z.string() })),
  personalDataRemoved: z.optional(
    z.object({ at: timestampSchema, reason: z.enum(['request', 'retention']) }),
  ),
});

export const registrationResponseSchema = z.object({ registration: registrationViewSchema });

/** Everything stored about a registration (right of access): as stored, the hashes explained. */
export const personalDataExportSchema = z.object({
  exportedAt: timestampSchema,
  registration: z.looseObject({ id: z.string(), eventId: z.string() }),
  /** When the person was checked in at the entrance and per workshop id (once checked in anywhere). */
  checkIns: z.optional(
    z.object({ entranceAt: z.optional(timestampSchema), workshops: z.record(z.string(), timestampSchema) }),
  ),
  derived: z.record(z.string(), z.object({ value: z.unknown(), explanation: z.string() })),
});

export type HealthResponse = z.output<typeof healthSchema>;
export type PublicEvent = z.output<typeof publicEventSchema>;
export type PublicWorkshop = z.output<typeof publicWorkshopSchema>;
export type RegistrationView = z.output<typeof registrationViewSchema>;
export type RegistrationResponse = z.output<typeof registrationResponseSchema>;
export type ErrorResponse = z.output<typeof errorResponseSchema>;
