import { z } from 'zod';

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
    code: z.string().meta({ description: 'UPPER_SNAKE, stable: clients branch on it' }),
    message: z.string().meta({ description: 'for people: Dutch, or English with Accept-Language: en' }),
    details: z.unknown().optional(),
  }),
});

export const healthSchema = z.object({ status: z.literal('ok') });

export const publicWorkshopSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  speakers: z.array(z.string()),
  notice: z.string().optional(),
  capacity: z.number().int(),
  seatsLeft: z.number().int(),
  full: z.boolean(),
  /** How many waiting-list entries would accept this workshop. */
  waiting: z.number().int(),
});

export const publicEventSchema = z.object({
  id: z.string(),
  title: z.string(),
  date: z.iso.date(),
  timezone: z.string(),
  venue: z.string().optional(),
  description: z.string().optional(),
  notice: z.string().optional(),
  registration: z.object({
    status: windowStatusSchema,
    opensAt: timestampSchema.optional(),
    closesAt: timestampSchema.optional(),
  }),
  privacy: z.object({
    statementUrl: z.string(),
    version: z.string(),
    controller: z.string().optional(),
    retentionDays: z.number().int().optional(),
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
  jobTitle: z.string().optional(),
  choices: choicesViewSchema,
  waitingFor: waitingForViewSchema.optional(),
  /** Workshop id → 1-based place in that workshop's line. */
  waitingPositions: z.record(z.string(), z.number().int().positive()).optional(),
  status: registrationStatusSchema,
  locale: localeSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  cancelledAt: timestampSchema.optional(),
  consent: z.object({ givenAt: timestampSchema, statementVersion: z.string() }).optional(),
  personalDataRemoved: z.object({ at: timestampSchema, reason: z.enum(['request', 'retention']) }).optional(),
});

export const registrationResponseSchema = z.object({ registration: registrationViewSchema });

/** Everything stored about a registration (right of access): as stored, the hashes explained. */
export const personalDataExportSchema = z.object({
  exportedAt: timestampSchema,
  registration: z.looseObject({ id: z.string(), eventId: z.string() }),
  derived: z.record(z.string(), z.object({ value: z.unknown(), explanation: z.string() })),
});

export type HealthResponse = z.output<typeof healthSchema>;
export type PublicEvent = z.output<typeof publicEventSchema>;
export type PublicWorkshop = z.output<typeof publicWorkshopSchema>;
export type RegistrationView = z.output<typeof registrationViewSchema>;
export type RegistrationResponse = z.output<typeof registrationResponseSchema>;
export type ErrorResponse = z.output<typeof errorResponseSchema>;
