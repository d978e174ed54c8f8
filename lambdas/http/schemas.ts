import { z } from 'zod';
import { idSchema } from '../domain/event-definition.js';

/** Control characters (CR, LF, tab, …) have no place in a name and could only try to break emails or CSV files. */
const noControlCharacters = (value: string) => !/\p{Cc}/u.test(value);

/** Fields a person types: trimmed, non-empty, bounded, single-line. */
const personText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(noControlCharacters, { message: 'no line breaks or control characters' });

/** A form that is submitted faster than this after it was shown was not filled in by a person. */
export const MIN_FORM_FILL_MS = 3_000;

/** Round id → workshop id, as in the registration body. */
const choicesSchema = z
  .record(z.string().min(1).max(64), idSchema)
  .refine((choices) => Object.keys(choices).length <= 10, { message: 'too many rounds' });

/** Who is registering, as the form sends it; the same for a registration and a waiting-list signup. */
const personFields = {
  name: personText(200),
  email: z.string().trim().max(254).pipe(z.email()),
  organisation: personText(200),
  jobTitle: z
    .string()
    .trim()
    .max(200)
    .refine(noControlCharacters, { message: 'no line breaks or control characters' })
    .optional(),
  consent: z.literal(true),
  locale: z.enum(['nl', 'en']).optional(),
  website: z.string().max(0, 'must be empty').optional(),
  formStartedAt: z.number().int().positive().optional(),
};

function notTooQuick(body: { formStartedAt?: number }, ctx: z.RefinementCtx) {
  if (body.formStartedAt !== undefined && Date.now() - body.formStartedAt < MIN_FORM_FILL_MS) {
    ctx.addIssue({ code: 'custom', path: ['formStartedAt'], message: 'form submitted too quickly' });
  }
}

/**
 * The body of `POST /events/{eventId}/registrations`. Unknown fields are stripped (never stored); ids,
 * status and timestamps are the server's. `website` (a honeypot that must stay empty) and `formStartedAt`
 * (when the form was shown, epoch ms) are optional so any API client works without them. `waitFor` (round
 * id → a full workshop) joins those waiting lists with the registration.
 */
export const registrationBodySchema = z
  .object({ ...personFields, choices: choicesSchema, waitFor: choicesSchema.optional() })
  .superRefine(notTooQuick);

/**
 * The body of `POST /events/{eventId}/waiting-list`: the same person, and per round the workshops they would
 * accept, in their order of preference.
 */
export const waitingListBodySchema = z
  .object({
    ...personFields,
    accepts: z
      .record(z.string().min(1).max(64), z.array(idSchema).min(1).max(20))
      .refine((accepts) => Object.keys(accepts).length <= 10, { message: 'too many rounds' }),
  })
  .superRefine(notTooQuick);

export type WaitingListBody = z.output<typeof waitingListBodySchema>;

/** The body of `POST /registrations/{registrationId}/waiting-list`. */
export const joinWaitingListBodySchema = z.object({ workshopId: idSchema });

export type RegistrationBody = z.output<typeof registrationBodySchema>;

/** The body of `PATCH /registrations/{registrationId}`: the rounds to change, each with its new workshop. */
export const changeBodySchema = z.object({
  choices: choicesSchema.refine((choices) => Object.keys(choices).length > 0, {
    message: 'choose at least one round',
  }),
});
