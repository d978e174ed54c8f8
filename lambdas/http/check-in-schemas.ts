import * as z from 'zod/mini';
import { idSchema } from '../domain/event-definition.js';
import { choicesViewSchema, registrationResponseSchema, timestampSchema } from './response-schemas.js';

/** Check-in: the owner's code, and the door's requests and answers (`POST/DELETE/GET …/check-ins`). */

/** The owner's check-in code, beside the registration in `GET /registrations/{registrationId}`. */
export const checkInCodeViewSchema = z.object({ code: z.string() });

export const ownRegistrationResponseSchema = z.extend(registrationResponseSchema, {
  /** Only while the registration is confirmed. */
  checkIn: z.optional(checkInCodeViewSchema),
});

/** Empty query parameters (`?workshopId=&q=`) mean "not given". */
const blankAsMissing = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    schema,
  );

/** `{ code }` (scanned or typed) or `{ registrationId }` (found by name), at the entrance or a workshop. */
export const checkInBodySchema = z
  .object({
    code: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    registrationId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    workshopId: z.optional(idSchema),
  })
  .check(
    z.refine((body) => (body.code === undefined) !== (body.registrationId === undefined), {
      message: 'geef code of registrationId (één van beide) / give code or registrationId (one of them)',
      path: ['code'],
    }),
  );

export const checkInPlaceQuerySchema = z.object({ workshopId: blankAsMissing(z.optional(idSchema)) });

export const checkInSearchQuerySchema = z.object({
  workshopId: blankAsMissing(z.optional(idSchema)),
  q: blankAsMissing(z.optional(z.string().check(z.trim(), z.maxLength(200)))),
});

/** What door staff see of a person: no email address, nothing else. */
export const checkInSchema = z.object({
  registrationId: z.string(),
  name: z.string(),
  organisation: z.string(),
  choices: choicesViewSchema,
  workshopId: z.optional(z.string()),
  at: timestampSchema,
  alreadyCheckedInAt: z.optional(timestampSchema),
});

export const checkInResponseSchema = z.object({ checkIn: checkInSchema });

/** The check-in undone: who, where, and when it had been. */
export const checkInUndoneSchema = z.object({
  registrationId: z.string(),
  workshopId: z.optional(z.string()),
  undone: z.boolean(),
});

export const checkInListSchema = z.object({
  items: z.array(
    z.object({
      registrationId: z.string(),
      name: z.string(),
      organisation: z.string(),
      choices: choicesViewSchema,
      /** When checked in at the place asked about (the entrance, or `workshopId`); absent: not yet. */
      checkedInAt: z.optional(timestampSchema),
    }),
  ),
});

export type CheckInView = z.output<typeof checkInSchema>;
export type CheckInList = z.output<typeof checkInListSchema>;
