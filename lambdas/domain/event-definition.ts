import { z } from 'zod';

/**
 * Names of JavaScript's object machinery: an id like these would read an inherited property wherever ids key a
 * plain object. Lookups use own properties only (`ownValue`), and event definitions refuse them outright.
 */
export const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Ids appear in keys and URLs: short, lower case, no `#` (the key separator), not a reserved name. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens')
  .refine((id) => !RESERVED_IDS.has(id), {
    message: 'this id is reserved (like __proto__, constructor, prototype); choose another',
    // `parseInput` puts the message in the client's language.
    params: { messageKey: 'reserved-id' },
  });

export const MAX_WORKSHOPS_PER_EVENT = 98;

const isoDateTime = z.iso.datetime({ offset: true });

const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

export const workshopDefinitionSchema = z.object({
  id: idSchema,
  title: z.string().min(1).max(200),
  description: z.string().max(5000).default(''),
  speakers: z.array(z.string().min(1).max(200)).max(20).default([]),
  capacity: z.number().int().min(0).max(100_000),
  /** True while the capacity is a placeholder the organisers still have to confirm. */
  capacityIsPlaceholder: z.boolean().optional(),
  /** A notice shown with the workshop (for example that it replaces an earlier announced programme item). */
  notice: z.string().max(1000).optional(),
});

export const roundDefinitionSchema = z.object({
  id: idSchema,
  title: z.string().min(1).max(200),
  workshops: z.array(workshopDefinitionSchema).min(1).max(50),
});

/** The event definition of DESIGN.md, as stored in `events/*.json` and sent to `PUT /admin/events/{eventId}`. */
export const eventDefinitionSchema = z
  .object({
    title: z.string().min(1).max(300),
    date: z.iso.date(),
    timezone: timeZoneSchema,
    /** Local start and end time of the day (HH:MM in `timezone`), used in emails and the calendar entry. */
    startTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM')
      .optional(),
    endTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM')
      .optional(),
    venue: z.string().max(500).optional(),
    description: z.string().max(5000).optional(),
    notice: z.string().max(1000).optional(),
    /** The privacy statement attendees consent to; its version is recorded with every registration. */
    privacy: z
      .object({
        statementUrl: z.string().min(1).max(500).default('/privacy.html'),
        version: z.string().min(1).max(50).default('1'),
        /** The controller: organisation and how to reach its privacy contact. */
        controller: z.string().max(500).optional(),
        /** Days after the event that personal data is kept; then it is removed, counts stay. */
        retentionDays: z.number().int().min(1).max(3650).optional(),
      })
      .optional(),
    registration: z.object({ opensAt: isoDateTime.optional(), closesAt: isoDateTime.optional() }).default({}),
    rounds: z.array(roundDefinitionSchema).min(1).max(10),
  })
  .superRefine((event, ctx) => {
    const { opensAt, closesAt } = event.registration;
    if (opensAt && closesAt && Date.parse(opensAt) >= Date.parse(closesAt)) {
      ctx.addIssue({ code: 'custom', path: ['registration', 'closesAt'], message: 'must be after opensAt' });
    }
    // An event is written in one transaction of at most 100 items: the event, the registry and its workshops.
    const workshopCount = event.rounds.reduce((sum, round) => sum + round.workshops.length, 0);
    if (workshopCount > MAX_WORKSHOPS_PER_EVENT) {
      ctx.addIssue({
        code: 'custom',
        path: ['rounds'],
        message: `at most ${MAX_WORKSHOPS_PER_EVENT} workshops per event`,
      });
    }
    if (event.startTime && event.endTime && event.startTime >= event.endTime) {
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'must be after startTime' });
    }
    const roundIds = new Set<string>();
    const workshopIds = new Set<string>();
    event.rounds.forEach((round, roundIndex) => {
      if (roundIds.has(round.id)) {
        ctx.addIssue({ code: 'custom', path: ['rounds', roundIndex, 'id'], message: 'duplicate round id' });
      }
      roundIds.add(round.id);
      round.workshops.forEach((workshop, workshopIndex) => {
        // Workshop ids are unique per event, so a choice names one workshop without its round.
        if (workshopIds.has(workshop.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rounds', roundIndex, 'workshops', workshopIndex, 'id'],
            message: 'duplicate workshop id',
          });
        }
        workshopIds.add(workshop.id);
      });
    });
  });

export type EventDefinition = z.infer<typeof eventDefinitionSchema>;
export type RoundDefinition = z.infer<typeof roundDefinitionSchema>;
export type WorkshopDefinition = z.infer<typeof workshopDefinitionSchema>;

/** Personal data is kept this many days after the event unless the event says otherwise. */
export const DEFAULT_RETENTION_DAYS = 90;

/** The event's privacy statement, or the form's own statement (version 1) when the event names none. */
export function privacyStatementOf(definition: EventDefinition): {
  statementUrl: string;
  version: string;
  controller?: string;
  retentionDays: number;
} {
  const privacy = definition.privacy ?? { statementUrl: '/privacy.html', version: '1' };
  return { ...privacy, retentionDays: privacy.retentionDays ?? DEFAULT_RETENTION_DAYS };
}
