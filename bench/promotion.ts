/**
 * Promotion: full workshops with a waiting list, then a wave of concurrent cancellations over HTTP. Each
 * cancellation hands its seat to the first person in line within the same request; the scheduled sweep runs
 * once afterwards to show what (if anything) the requests left. Measured: cancel latency with a waiting list
 * against cancel latency without one, promotions per cancellation, the promotion emails sent, and the
 * invariants: taken ≤ capacity, taken = confirmed holders, entries ⟷ `waitingFor`, and no entry left that
 * the free seats could satisfy.
 */
import { cryptoSecrets, systemClock } from '../lambdas/adapters/system.js';
import { register } from '../lambdas/use-cases/register.js';
import { signUpForPlace } from '../lambdas/use-cases/waiting-list.js';
import { invariantViolations, readEventState, satisfiableEntries } from '../test/model/invariants.js';
import type { BenchContext } from './context.js';
import {
  benchEvent,
  httpClient,
  type LatencySummary,
  latencySummary,
  person,
  pool,
  progress,
} from './support.js';

export type PromotionOptions = {
  workshops: number;
  seatsPerWorkshop: number;
  waiting: number;
  cancellations: number;
  concurrency: number;
};

export type PromotionResult = {
  options: PromotionOptions;
  cancelLatencyWithWaitingMs: LatencySummary;
  cancelLatencyWithoutWaitingMs: LatencySummary;
  promotedWithinRequests: number;
  promotedBySweep: number;
  promotionEmails: number;
  stillWaiting: number;
  satisfiableLeft: number;
  fiveXx: number;
  invariantViolations: string[];
};

type Holder = { id: string; token: string };

async function fillEvent(context: BenchContext, eventId: string, options: PromotionOptions, prefix: string) {
  const definition = benchEvent(`Promotie ${eventId}`, 1, options.workshops, options.seatsPerWorkshop);
  await context.store.putEventDefinition(eventId, definition);
  const workshopIds = definition.rounds[0]?.workshops.map((workshop) => workshop.id) ?? [];
  const holders: Holder[] = [];
  const seats = workshopIds.flatMap((workshopId) =>
    Array.from({ length: options.seatsPerWorkshop }, (_, n) => ({ workshopId, n })),
  );
  await pool(seats.length, 8, async (index) => {
    const seat = seats[index];
    if (!seat) return;
    const { registration, manageToken } = await register(
      { eventId, ...person(`${prefix}-${seat.workshopId}`, seat.n, { '1': seat.workshopId }), locale: 'nl' },
      { events: context.store, registrations: context.store, clock: systemClock, secrets: cryptoSecrets },
    );
    holders.push({ id: registration.id, token: manageToken });
  });
  return { workshopIds, holders };
}

export async function runPromotion(
  context: BenchContext,
  options: PromotionOptions,
): Promise<PromotionResult> {
  const client = httpClient(context.stack.apiUrl, options.concurrency * 2);
  try {
    // Without a waiting list: the cancel path alone, for comparison.
    const baseline = await fillEvent(context, 'bench-promotion-baseline', options, 'basis');
    const baselineLatencies: number[] = [];
    const baselineLeaving = baseline.holders.slice(0, options.cancellations);
    await pool(baselineLeaving.length, options.concurrency, async (index) => {
      const holder = baselineLeaving[index];
      if (!holder) return;
      const result = await client.request('DELETE', `/registrations/${holder.id}`, undefined, {
        Authorization: `Bearer ${holder.token}`,
      });
      baselineLatencies.push(result.ms);
    });

    const eventId = 'bench-promotion';
    const { workshopIds, holders } = await fillEvent(context, eventId, options, 'houder');
    progress('promotion', `${holders.length} seats taken; ${options.waiting} people join the waiting list`);
    for (let n = 0; n < options.waiting; n++) {
      // Everyone accepts one or two of the full workshops, in their own order.
      const first = workshopIds[n % workshopIds.length] ?? '';
      const second = workshopIds[(n * 7 + 1) % workshopIds.length] ?? '';
      const accepts = n % 3 === 0 && first !== second ? [first, second] : [first];
      await signUpForPlace(
        { eventId, ...person('wachtend', n, {}), locale: 'nl', accepts: { '1': accepts } },
        { events: context.store, registrations: context.store, clock: systemClock, secrets: cryptoSecrets },
      );
    }
    const emailsBefore = await promotionEmailCount(context.stack.sesUrl);

    progress('promotion', `${options.cancellations} cancellations at concurrency ${options.concurrency}`);
    const latencies: number[] = [];
    let fiveXx = 0;
    const leaving = [...holders].sort(() => Math.random() - 0.5).slice(0, options.cancellations);
    await pool(leaving.length, options.concurrency, async (index) => {
      const holder = leaving[index];
      if (!holder) return;
      const result = await client.request('DELETE', `/registrations/${holder.id}`, undefined, {
        Authorization: `Bearer ${holder.token}`,
      });
      latencies.push(result.ms);
      if (result.status >= 500) fiveXx++;
    });
    const afterRequests = await readEventState(context.documentClient, context.stack.tableName, eventId);
    const promotedWithinRequests = options.waiting - afterRequests.waiting.length;
    const sweep = (await context.stack.runScheduled('promoteWaitingLists')) as { promoted: number };
    const state = await readEventState(context.documentClient, context.stack.tableName, eventId);
    return {
      options,
      cancelLatencyWithWaitingMs: latencySummary(latencies),
      cancelLatencyWithoutWaitingMs: latencySummary(baselineLatencies),
      promotedWithinRequests,
      promotedBySweep: sweep.promoted,
      promotionEmails: (await promotionEmailCount(context.stack.sesUrl)) - emailsBefore,
      stillWaiting: state.waiting.length,
      satisfiableLeft: satisfiableEntries(state).length,
      fiveXx,
      invariantViolations: invariantViolations(state),
    };
  } finally {
    client.close();
  }
}

/** Promotion emails the local SES emulator received (subject "Er is een plaats vrijgekomen…"). */
async function promotionEmailCount(sesUrl: string): Promise<number> {
  const response = await fetch(`${sesUrl}/store`);
  const { emails } = (await response.json()) as { emails: { subject: string }[] };
  return emails.filter((email) => /plaats vrijgekomen/i.test(email.subject)).length;
}
