import { EventNotFound } from '../../domain/errors.js';
import type { EventCatalog, EventRegistry, RegistrationIndex } from '../../ports.js';
import { eventSummary } from './event-summary.js';

/** A workshop whose seat counter differs from the number of confirmed registrations holding it. */
export type SeatCounterDrift = { eventId: string; workshopId: string; taken: number; holders: number };

export type CheckSeatCountersDeps = {
  registry: EventRegistry;
  events: EventCatalog;
  index: RegistrationIndex;
  /** The index trails writes by a moment: a drift is reported only when it is still there after this pause. */
  recheckDelayMs: number;
  sleep: (ms: number) => Promise<void>;
};

export type SeatCounterReport = {
  eventsChecked: number;
  drifts: SeatCounterDrift[];
  /** Events that could not be read (DynamoDB busy or failing); the others were still checked. */
  failedEventIds: string[];
};

async function driftsOf(eventId: string, deps: CheckSeatCountersDeps): Promise<SeatCounterDrift[]> {
  const summary = await eventSummary(eventId, deps);
  return summary.workshops
    .filter((workshop) => !workshop.consistent)
    .map(({ workshopId, taken, holders }) => ({ eventId, workshopId, taken, holders }));
}

/**
 * Compares every workshop counter of every registered event with the confirmed registrations holding it.
 * What looks inconsistent is looked at once more after a pause (an in-flight registration is not a drift);
 * what still differs is reported with the second reading.
 */
export async function checkSeatCounters(deps: CheckSeatCountersDeps): Promise<SeatCounterReport> {
  const drifts: SeatCounterDrift[] = [];
  const failedEventIds: string[] = [];
  let eventsChecked = 0;
  for (const eventId of await deps.registry.eventIds()) {
    try {
      const first = await driftsOf(eventId, deps);
      eventsChecked++;
      if (first.length === 0) continue;
      await deps.sleep(deps.recheckDelayMs);
      const suspects = new Set(first.map((drift) => drift.workshopId));
      const second = await driftsOf(eventId, deps);
      drifts.push(...second.filter((drift) => suspects.has(drift.workshopId)));
    } catch (error) {
      // An id in the registry whose event write never committed: nothing to check.
      if (error instanceof EventNotFound) continue;
      failedEventIds.push(eventId);
    }
  }
  return { eventsChecked, drifts, failedEventIds };
}
