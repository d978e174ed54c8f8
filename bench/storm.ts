/**
 * Storm: many registrations at once over HTTP for an event with fewer seats than requests. Counts what was
 * confirmed per workshop against its capacity, reading the registrations back through the `gsi1` shards
 * and comparing each workshop's `taken` counter, so an oversold seat cannot hide.
 */
import { invariantViolations, readEventState } from '../test/model/invariants.js';
import type { BenchContext } from './context.js';
import {
  benchEvent,
  histogram,
  httpClient,
  type LatencySummary,
  latencySummary,
  percentReporter,
  person,
  pool,
  progress,
  randomChoices,
  round1,
} from './support.js';

export type StormOptions = {
  requests: number;
  concurrency: number;
  rounds: number;
  workshopsPerRound: number;
  seatsPerWorkshop: number;
  /** Share of requests that repeat an earlier address (in another spelling): ALREADY_REGISTERED traffic. */
  duplicateShare: number;
};

export type StormResult = {
  options: StormOptions;
  eventId: string;
  seatsPerRound: number;
  durationMs: number;
  requestsPerSecond: number;
  confirmedPerSecond: number;
  statuses: Record<string, number>;
  refusalCodes: Record<string, number>;
  fiveXx: number;
  fiveXxOtherThan503: number;
  clientErrors: number;
  latencyMs: LatencySummary;
  /** Confirmed registrations do the whole transaction and the email; most refusals end at the first read. */
  latencyConfirmedMs: LatencySummary;
  latencyRefusedMs: LatencySummary;
  confirmedResponses: number;
  confirmedStored: number;
  workshops: { id: string; capacity: number; taken: number; confirmedHolders: number }[];
  /** Confirmed holders over capacity, summed over workshops (read through the index): must be 0. */
  oversold: number;
  /** `taken` over capacity, summed over workshops: must be 0. */
  oversoldByCounter: number;
  /** Workshops whose `taken` differs from their confirmed holders: must be 0. */
  counterMismatches: number;
  invariantViolations: string[];
};

export async function runStorm(context: BenchContext, options: StormOptions): Promise<StormResult> {
  const eventId = `storm-${Date.now().toString(36)}`;
  const definition = benchEvent(
    'Bench storm',
    options.rounds,
    options.workshopsPerRound,
    options.seatsPerWorkshop,
  );
  await context.store.putEventDefinition(eventId, definition);
  const seatsPerRound = options.workshopsPerRound * options.seatsPerWorkshop;
  progress(
    'storm',
    `${options.requests} registrations at concurrency ${options.concurrency} for ${seatsPerRound} seats per round ` +
      `(${options.rounds} rounds × ${options.workshopsPerRound} workshops × ${options.seatsPerWorkshop} seats)`,
  );

  const client = httpClient(context.stack.apiUrl, options.concurrency);
  const latencies: number[] = [];
  const confirmedLatencies: number[] = [];
  const refusedLatencies: number[] = [];
  const statuses: number[] = [];
  const codes: string[] = [];
  const confirmedIds: string[] = [];
  const tick = percentReporter('storm', options.requests);
  const started = performance.now();
  await pool(options.requests, options.concurrency, async (index) => {
    const duplicateOf =
      index > 10 && Math.random() < options.duplicateShare ? Math.floor(index / 2) : undefined;
    const body = person('storm', duplicateOf ?? index, randomChoices(definition));
    if (duplicateOf !== undefined) body.email = ` ${body.email.toUpperCase()} `;
    const response = await client.request('POST', `/events/${eventId}/registrations`, body);
    latencies.push(response.ms);
    statuses.push(response.status);
    if (response.status === 201) {
      confirmedIds.push(String(response.body?.registration?.id));
      confirmedLatencies.push(response.ms);
    } else {
      codes.push(String(response.body?.error?.code ?? `HTTP_${response.status}`));
      refusedLatencies.push(response.ms);
    }
    tick();
  });
  const durationMs = performance.now() - started;
  client.close();

  progress('storm', 'reading the registrations back through the gsi1 shards');
  const state = await readEventState(context.documentClient, context.stack.tableName, eventId);
  const workshops = [...state.workshops.values()].map((w) => ({
    id: w.id,
    capacity: w.capacity,
    taken: w.taken,
    confirmedHolders: w.holders,
  }));
  const confirmedStored = state.registrations.filter((r) => r.status === 'confirmed').length;
  return {
    options,
    eventId,
    seatsPerRound,
    durationMs: Math.round(durationMs),
    requestsPerSecond: round1(options.requests / (durationMs / 1000)),
    confirmedPerSecond: round1(confirmedIds.length / (durationMs / 1000)),
    statuses: histogram(statuses),
    refusalCodes: histogram(codes),
    fiveXx: statuses.filter((status) => status >= 500).length,
    fiveXxOtherThan503: statuses.filter((status) => status >= 500 && status !== 503).length,
    clientErrors: statuses.filter((status) => status === 0).length,
    latencyMs: latencySummary(latencies),
    latencyConfirmedMs: latencySummary(confirmedLatencies),
    latencyRefusedMs: latencySummary(refusedLatencies),
    confirmedResponses: confirmedIds.length,
    confirmedStored,
    workshops,
    oversold: workshops.reduce((sum, w) => sum + Math.max(0, w.confirmedHolders - w.capacity), 0),
    oversoldByCounter: workshops.reduce((sum, w) => sum + Math.max(0, w.taken - w.capacity), 0),
    counterMismatches: workshops.filter((w) => w.taken !== w.confirmedHolders).length,
    invariantViolations: invariantViolations(state),
  };
}
