import * as z from 'zod/mini';
import { idSchema } from '../domain/event-definition.js';
import { MESSAGE_LIMITS } from '../domain/message.js';
import { timestampSchema } from './response-schemas.js';
import { personText } from './schemas.js';

/** The bodies of `POST /admin/events/{eventId}/messages` and what both message routes answer (issue 16). */

/** Plain text: no HTML reaches an email (the templates escape it), trimmed, 1 to 10,000 characters. */
const bodyText = z.pipe(
  z.string().check(z.trim(), z.minLength(1), z.maxLength(MESSAGE_LIMITS.body)),
  z.transform((value: string) => value.normalize('NFC')),
);
/** A subject is one line (no line breaks, control or bidirectional characters). */
const subjectText = personText(MESSAGE_LIMITS.subject);

export const messageBodySchema = z.object({
  subject: z.object({ nl: subjectText, en: z.optional(subjectText) }),
  body: z.object({ nl: bodyText, en: z.optional(bodyText) }),
  audience: z._default(
    z.object({
      workshopIds: z.optional(z.array(idSchema).check(z.minLength(1), z.maxLength(100))),
      statuses: z._default(z.array(z.enum(['confirmed', 'waiting'])).check(z.minLength(1), z.maxLength(2)), [
        'confirmed',
      ]),
    }),
    { statuses: ['confirmed'] },
  ),
  /** Count the recipients, send nothing. */
  dryRun: z._default(z.boolean(), false),
});

const localisedSchema = z.object({ nl: z.string(), en: z.optional(z.string()) });
const messageStateSchema = z.enum(['accepted', 'sending', 'done']);

/** 202: accepted, fanned out after the answer; 200 for a dry run (`state: "dry-run"`, nothing stored). */
export const messageAcceptedSchema = z.object({
  message: z.object({
    id: z.nullable(z.string()),
    recipients: z.int(),
    state: z.enum(['accepted', 'dry-run']),
  }),
});

export const messageListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      createdAt: timestampSchema,
      subject: localisedSchema,
      body: localisedSchema,
      audience: z.object({
        workshopIds: z.optional(z.array(z.string())),
        statuses: z.array(z.enum(['confirmed', 'waiting'])),
      }),
      recipients: z.int(),
      state: messageStateSchema,
      counts: z.object({ sent: z.int(), pending: z.int(), failed: z.int() }),
    }),
  ),
});
