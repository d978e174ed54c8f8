import { personalDataExpiry } from '../domain/privacy.js';
import type { StoredRegistration } from '../domain/registration.js';
import type { Clock, EventCatalog, RegistrationStore } from '../ports.js';
import { withRetryOnChange } from './registration-access.js';

export type PurgeDeps = {
  /** Every event id (the registry). */
  eventIds: () => Promise<string[]>;
  /** Every registration id of an event. */
  registrationIdsOf: (eventId: string) => AsyncIterable<string>;
  /** The definition alone (its retention period): the purge needs no seat counts. */
  events: Pick<EventCatalog, 'getDefinition'>;
  registrations: Pick<RegistrationStore, 'getRegistration' | 'removePersonalData'>;
  clock: Clock;
};

export type PurgeResult = { eventsChecked: number; removed: number; kept: number };

/**
 * The retention period, enforced: every registration whose period has passed loses its personal data (name,
 * email address, organisation, job title). Status and choices stay, so counters and summaries stay right.
 * Runs on a schedule and does not rely on DynamoDB TTL, which may take days.
 */
export async function purgeExpiredPersonalData(deps: PurgeDeps): Promise<PurgeResult> {
  const now = deps.clock.now();
  const result: PurgeResult = { eventsChecked: 0, removed: 0, kept: 0 };
  for (const eventId of await deps.eventIds()) {
    const definition = await deps.events.getDefinition(eventId, { current: true });
    if (!definition) continue;
    result.eventsChecked += 1;
    for await (const registrationId of deps.registrationIdsOf(eventId)) {
      const removed = await withRetryOnChange(async () => {
        const registration = await deps.registrations.getRegistration(registrationId);
        if (!registration || !isDue(registration, definition, now)) return false;
        await deps.registrations.removePersonalData(registration, now.toISOString(), 'retention');
        return true;
      });
      if (removed) result.removed += 1;
      else result.kept += 1;
    }
  }
  return result;
}

function isDue(
  registration: StoredRegistration,
  definition: Parameters<typeof personalDataExpiry>[0],
  now: Date,
): boolean {
  return !registration.personalDataRemoved && personalDataExpiry(definition, registration.createdAt) <= now;
}
