/**
 * Capacity under the conflict model (issue 21): how many registrations per second one workshop, and one event
 * shaped like the seed event, confirm when demand never lets up. `concurrency` registrations at a time go
 * through the `register()` use case straight to the embedded DynamoDB (no HTTP, so the local API's own speed
 * is left out) for `durationMs`, every seat counter far from full: one event with a single workshop, then one
 * with the seed event's rounds and workshops, each person choosing at random per round. What caps them is the
 * model: a transaction holds its counters for its service time, and an overlapping one is cancelled and retried.
 */
import { cryptoSecrets, systemClock } from '../lambdas/adapters/system.js';
import type { EventDefinition } from '../lambdas/domain/event-definition.js';
import { register } from '../lambdas/use-cases/register.js';
import type { BenchContext } from './context.js';
import { benchEvent, person, progress, randomChoices, round1 } from './support.js';

export type CapacityOptions = { concurrency: number; durationMs: number };

export type CapacityResult = {
  /** Confirmed registrations per second for one workshop everyone wants. */
  perWorkshopPerSecond: number;
  /** Confirmed registrations per second for an event shaped like the seed event, choices spread at random. */
  perEventPerSecond: number;
  /** TransactionConflict cancellations per confirmed registration, over both measurements. */
  conflictsPerRegistration: number;
};

/** Confirmed registrations per second for `definition` under `concurrency` people registering non-stop. */
async function confirmedPerSecond(
  context: BenchContext,
  definition: EventDefinition,
  options: CapacityOptions,
): Promise<number> {
  const eventId = `capacity-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await context.store.putEventDefinition(eventId, definition);
  const deps = {
    events: context.store,
    registrations: context.store,
    clock: systemClock,
    secrets: cryptoSecrets,
  };
  let confirmed = 0;
  let n = 0;
  const failures = new Map<string, number>();
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < options.durationMs) {
      const body = person(`capacity-${eventId}`, n++, randomChoices(definition));
      await register({ ...body, eventId, locale: 'nl' }, deps).then(
        () => {
          confirmed++;
        },
        (error: unknown) => {
          const code = (error as { code?: string }).code ?? String(error);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        },
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  if (failures.size > 0)
    progress('flash-crowd', `capacity: refusals ${JSON.stringify(Object.fromEntries(failures))}`);
  return round1(confirmed / ((performance.now() - started) / 1000));
}

export async function measureCapacity(
  context: BenchContext,
  seedShape: EventDefinition,
  options: CapacityOptions,
): Promise<CapacityResult> {
  const embedded = context.stack.embeddedDynamo;
  const before = embedded?.conflictStats()?.transactionConflicts ?? 0;
  const heldBefore = embedded?.conflictStats()?.transactionsHeld ?? 0;
  // The largest capacity an event may have: far from full within the measurement.
  const unlimited = 100_000;
  const perWorkshopPerSecond = await confirmedPerSecond(
    context,
    benchEvent('Capaciteit per workshop', 1, 1, unlimited),
    options,
  );
  const perEventPerSecond = await confirmedPerSecond(
    context,
    {
      ...seedShape,
      rounds: seedShape.rounds.map((round) => ({
        ...round,
        workshops: round.workshops.map((workshop) => ({ ...workshop, capacity: unlimited })),
      })),
    },
    options,
  );
  const conflicts = (embedded?.conflictStats()?.transactionConflicts ?? 0) - before;
  const held = (embedded?.conflictStats()?.transactionsHeld ?? 0) - heldBefore;
  return {
    perWorkshopPerSecond,
    perEventPerSecond,
    conflictsPerRegistration: held === 0 ? 0 : Math.round((conflicts / held) * 100) / 100,
  };
}
