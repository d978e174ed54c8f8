import * as z from 'zod/mini';

/**
 * Names of JavaScript's object machinery: an id like these would read an inherited property wherever ids key a
 * plain object. Lookups use own properties only (`ownValue`), and event definitions refuse them outright.
 */
export const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Ids appear in keys and URLs: short, lower case, no `#` (the key separator), not a reserved name. */
export const idSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens'),
  z.refine((id) => !RESERVED_IDS.has(id), {
    message: 'this id is reserved (like __proto__, constructor, prototype); choose another',
    // `parseInput` puts the message in the client's language.
    params: { messageKey: 'reserved-id' },
  }),
);

export const MAX_WORKSHOPS_PER_EVENT = 98;

const isoDateTime = z.iso.datetime({ offset: true });

const timeZoneSchema = z.string().check(
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone'),
);

/** A text of at least one character and at most `max`. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
/** A text of at most `max` characters, possibly empty. */
const upTo = (max: number) => z.string().check(z.maxLength(max));
const localTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM'));

export const workshopDefinitionSchema = z.object({
  id: idSchema,
  title: text(200),
  description: z._default(upTo(5000), ''),
  speakers: z._default(z.array(text(200)).check(z.maxLength(20)), []),
  capacity: z.number().check(z.int(), z.minimum(0), z.maximum(100_000)),
  /** True while the capacity is a placeholder the organisers still have to confirm. */
  capacityIsPlaceholder: z.optional(z.boolean()),
  /** A notice shown with the workshop (for example that it replaces an earlier announced programme item). */
  notice: z.optional(upTo(1000)),
});

export const roundDefinitionSchema = z.object({
  id: idSchema,
  title: text(200),
  workshops: z.array(workshopDefinitionSchema).check(z.minLength(1), z.maxLength(50)),
});

/** The event definition of DESIGN.md, as stored in `events/*.json` and sent to `PUT /admin/events/{eventId}`. */
export const eventDefinitionSchema = z
  .object({
    title: text(300),
    date: z.iso.date(),
    timezone: timeZoneSchema,
    /** Local start and end time of the day (HH:MM in `timezone`), used in emails and the calendar entry. */
    startTime: z.optional(localTime),
    endTime: z.optional(localTime),
    venue: z.optional(upTo(500)),
    description: z.optional(upTo(5000)),
    notice: z.optional(upTo(1000)),
    /** The privacy statement attendees consent to; its version is recorded with every registration. */
    privacy: z.optional(
      z.object({
        statementUrl: z._default(text(500), '/privacy.html'),
        version: z._default(text(50), '1'),
        /** The controller: organisation and how to reach its privacy contact. */
        controller: z.optional(upTo(500)),
        /** Days after the event that personal data is kept; then it is removed, counts stay. */
        retentionDays: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(3650))),
      }),
    ),
    /**
     * Reminder emails, sent from 09:00 event time on each of these days before the event (issue 16). Default
     * `[2]`; `[]`: none.
     */
    reminders: z.optional(
      z.object({
        daysBefore: z.array(z.number().check(z.int(), z.minimum(1), z.maximum(60))).check(z.maxLength(5)),
      }),
    ),
    registration: z._default(
      z.object({ opensAt: z.optional(isoDateTime), closesAt: z.optional(isoDateTime) }),
      {},
    ),
    rounds: z.array(roundDefinitionSchema).check(z.minLength(1), z.maxLength(10)),
  })
  .check(
    z.superRefine((event, ctx) => {
      const { opensAt, closesAt } = event.registration;
      if (opensAt && closesAt && Date.parse(opensAt) >= Date.parse(closesAt)) {
        ctx.addIssue({
          code: 'custom',
          path: ['registration', 'closesAt'],
          message: 'must be after opensAt',
        });
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
    }),
  );

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
