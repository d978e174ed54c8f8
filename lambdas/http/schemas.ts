import * as z from 'zod/mini';
import { idSchema } from '../domain/event-definition.js';
import { type FieldMessageKey, fieldIssue } from './field-messages.js';

/**
 * What a single-line field a person types may not hold: control characters (CR, LF, tab, …), the Unicode
 * line and paragraph separators, bidirectional controls (which reorder what an organiser or an email shows)
 * and lone surrogates (not text at all). Each refusal has its own message key (see `fieldMessages`).
 */
const SINGLE_LINE_RULES: [RegExp, FieldMessageKey][] = [
  [/[\p{Cc}\u2028\u2029]/u, 'single-line'],
  [/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u, 'bidi-control'],
  [/\p{Cs}/u, 'lone-surrogate'],
];

/** Zero-width and other invisible characters that make a value look filled in while it shows nothing. */
const INVISIBLE =
  /\s|\u00ad|\u034f|\u115f|\u1160|\u17b4|\u17b5|\u180e|[\u200b-\u200d]|[\u2060-\u2064]|\u3164|\ufeff|\uffa0/gu;

/** A single-line text: refused with a field message when it breaks a rule, otherwise normalised to NFC. */
const singleLine = (schema: z.ZodMiniString<string>) =>
  z.pipe(
    schema.check(
      z.superRefine((value, ctx) => {
        for (const [pattern, messageKey] of SINGLE_LINE_RULES) {
          if (pattern.test(value)) ctx.addIssue(fieldIssue(messageKey));
        }
        if (value !== '' && value.replace(INVISIBLE, '') === '') {
          ctx.addIssue(fieldIssue('invisible-only'));
        }
      }),
    ),
    z.transform((value: string) => value.normalize('NFC')),
  );

/** Fields a person types: trimmed, non-empty, bounded, single-line, visible. */
export const personText = (max: number) =>
  singleLine(z.string().check(z.trim(), z.minLength(1), z.maxLength(max)));

/** A form that is submitted faster than this after it was shown was not filled in by a person. */
export const MIN_FORM_FILL_MS = 3_000;

/** At most ten rounds in a body keyed by round id. */
const atMostTenRounds = z.refine<Record<string, unknown>>((rounds) => Object.keys(rounds).length <= 10, {
  message: 'too many rounds',
});
const roundIdKey = z.string().check(z.minLength(1), z.maxLength(64));

/** Round id → workshop id, as in the registration body. */
const choicesSchema = z.record(roundIdKey, idSchema).check(atMostTenRounds);

/** Per round, workshops in order of preference (at least `min`, at most 20). */
const rankedWorkshopsSchema = (min: number) =>
  z.record(roundIdKey, z.array(idSchema).check(z.minLength(min), z.maxLength(20))).check(atMostTenRounds);

/** Who is registering, as the form sends it; the same for a registration and a waiting-list signup. */
const personFields = {
  name: personText(200),
  email: z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email()),
  organisation: personText(200),
  jobTitle: z.optional(singleLine(z.string().check(z.trim(), z.maxLength(200)))),
  consent: z.literal(true),
  locale: z.optional(z.enum(['nl', 'en'])),
  website: z.optional(z.string().check(z.maxLength(0, 'must be empty'))),
  formStartedAt: z.optional(z.number().check(z.int(), z.positive())),
};

const notTooQuick = z.superRefine((body: { formStartedAt?: number }, ctx) => {
  if (body.formStartedAt !== undefined && Date.now() - body.formStartedAt < MIN_FORM_FILL_MS) {
    ctx.addIssue({ code: 'custom', path: ['formStartedAt'], message: 'form submitted too quickly' });
  }
});

/**
 * The body of `POST /events/{eventId}/registrations`. Unknown fields are stripped (never stored); ids,
 * status and timestamps are the server's. `website` (a honeypot that must stay empty) and `formStartedAt`
 * (when the form was shown, epoch ms) are optional so any API client works without them. `waitFor` (round
 * id → a full workshop) joins those waiting lists with the registration; `alternatives` (round id → workshops in
 * order of preference) are taken instead of a full choice.
 */
export const registrationBodySchema = z
  .object({
    ...personFields,
    choices: choicesSchema,
    alternatives: z.optional(rankedWorkshopsSchema(0)),
    waitFor: z.optional(choicesSchema),
  })
  .check(notTooQuick);

/**
 * The body of `POST /events/{eventId}/waiting-list`: the same person, and per round the workshops they would
 * accept, in their order of preference.
 */
export const waitingListBodySchema = z
  .object({
    ...personFields,
    accepts: rankedWorkshopsSchema(1),
  })
  .check(notTooQuick);

export type WaitingListBody = z.output<typeof waitingListBodySchema>;

/** The body of `POST /registrations/{registrationId}/waiting-list`. */
export const joinWaitingListBodySchema = z.object({ workshopId: idSchema });

export type RegistrationBody = z.output<typeof registrationBodySchema>;

/** The body of `PATCH /registrations/{registrationId}`: the rounds to change, each with its new workshop. */
export const changeBodySchema = z.object({
  choices: z.record(roundIdKey, idSchema).check(
    atMostTenRounds,
    z.refine((choices) => Object.keys(choices).length > 0, { message: 'choose at least one round' }),
  ),
});
