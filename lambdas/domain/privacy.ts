import { type EventDefinition, privacyStatementOf } from './event-definition.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What stands in for a person's name, email address and organisation once they are removed. */
export const ERASED = '(verwijderd)';

export type RemovalReason = 'request' | 'retention';

/**
 * When a registration's personal data is due for removal: the retention period counted from the end of the
 * event day, or from the registration itself when that is later (someone who registers for an event whose
 * date has passed, like the seed event, still gets the whole period).
 */
export function personalDataExpiry(definition: EventDefinition, createdAt: string): Date {
  const endOfEventDay = Date.parse(`${definition.date}T23:59:59Z`);
  const start = Math.max(endOfEventDay, Date.parse(createdAt));
  return new Date(start + privacyStatementOf(definition).retentionDays * DAY_MS);
}

/** DynamoDB TTL wants epoch seconds. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
