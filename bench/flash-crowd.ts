/**
 * Flash crowd (issue 21): the moment registration opens. `arrivals` people arrive within `spreadMs` (a Poisson
 * process: given their number, the arrival times are uniform), most of them wanting the same one or two
 * workshops, on an event shaped like the seed event (events/dag-van-weerbaar-bestuur-2019.json: its rounds,
 * workshops and capacities). The embedded DynamoDB runs with its conflict model on (local/dynamodb/
 * conflict-model.ts), once per median service time, so overlapping transactions are cancelled as in DynamoDB.
 *
 * Each simulated person behaves as the web form (web/src/form.ts, web/src/api.ts) does, and as its messages
 * ask: one POST with an Idempotency-Key; on TRY_AGAIN (503) with a short Retry-After the form waits and sends
 * the same request again by itself, up to BUSY_RETRIES times (web/src/busy-retry.ts, the same rule). After that,
 * or on a network failure, it shows the try-again message; the person then waits the Retry-After seconds it
 * names, reads, and sends again with the same key (the form keeps the key of an uncertain outcome), up to
 * `manualRetries` times. REQUEST_IN_PROGRESS asks them to wait a few seconds and send again (same key).
 * A WORKSHOP_FULL refusal is final here: the person does not pick another workshop.
 *
 * Figures per service time: confirmed, tryAgainShown (people shown the try-again message at least once),
 * fairness (per contested workshop, the share of its seats that went to its earliest `capacity` requesters,
 * averaged; next to it what strict first-come-first-served would score with the same arrivals, because a
 * person refused for the other round's workshop loses both), conflicts per registration (TransactionConflict
 * cancellations in the embedded DynamoDB per arrival), time to full, and oversold (read back from the table).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type EventDefinition, eventDefinitionSchema } from '../lambdas/domain/event-definition.js';
import { repoRoot } from '../local/stack.js';
import { invariantViolations, readEventState } from '../test/model/invariants.js';
import { BUSY_RETRIES, busyRetryDelayMs } from '../web/src/busy-retry.js';
import type { BenchContext } from './context.js';
import {
  histogram,
  httpClient,
  type LatencySummary,
  latencySummary,
  percentReporter,
  person,
  progress,
  round1,
} from './support.js';

/** What the form says on REQUEST_IN_PROGRESS: wait a few seconds, then send again. */
const IN_PROGRESS_WAIT_MS = 3_000;
/** Reading the message and pressing the button again, on top of the seconds the message names. */
const READING_MS = { min: 1_000, max: 3_000 };

export type FlashCrowdOptions = {
  arrivals: number;
  spreadMs: number;
  serviceTimesMs: number[];
  /** σ of the log-normal service time. */
  serviceTimeSigma: number;
  /** Round 1: shares wanting the favourite and the second favourite workshop; the rest spread evenly. */
  favouriteShare: number;
  secondShare: number;
  /** Round 2: share wanting its favourite; the rest spread evenly. */
  favouriteShareRound2: number;
  /** How often a person shown the try-again message sends again by hand. */
  manualRetries: number;
  /** Requests in flight at once (connections); the rest wait in order, as at a concurrency limit. */
  maxSockets: number;
};

export type FlashCrowdWorkshop = {
  id: string;
  capacity: number;
  requesters: number;
  confirmed: number;
  /** Share of its seats that went to its earliest `capacity` requesters (contested workshops only). */
  fairness: number | null;
  fcfsFairness: number | null;
  /** From the first arrival until its last seat was confirmed; null when it did not fill. */
  timeToFullMs: number | null;
};

export type FlashCrowdRun = {
  serviceTimeMs: number;
  eventId: string;
  arrivals: number;
  confirmed: number;
  tryAgainShown: number;
  /** People whose form sent again by itself, saying their request was being handled. */
  beingHandledShown: number;
  /** People still looking at a try-again message after their last retry. */
  tryAgainAtEnd: number;
  inProgressShown: number;
  refusedFull: number;
  fairness: number;
  /** The fairness strict first-come-first-served would reach with the same arrivals and choices. */
  fcfsFairness: number;
  conflictsPerRegistration: number;
  transactionConflicts: number;
  /** Time from the first arrival until the most wanted workshop was full; null when it did not fill. */
  timeToFullMs: number | null;
  oversold: number;
  invariantViolations: string[];
  fiveXxOtherThan503: number;
  requests: number;
  statuses: Record<string, number>;
  finalOutcomes: Record<string, number>;
  /** From arrival until the person's last answer. */
  latencyMs: LatencySummary;
  durationMs: number;
  workshops: FlashCrowdWorkshop[];
};

export type FlashCrowdResult = {
  options: FlashCrowdOptions;
  /** How often the form sends a busy submission again by itself (web/src/busy-retry.ts). */
  formAutomaticRetries: number;
  runs: FlashCrowdRun[];
};

type Person = {
  index: number;
  arrivalMs: number;
  choices: Record<string, string>;
  shownTryAgain: boolean;
  shownBeingHandled: boolean;
  shownInProgress: boolean;
  final: string;
  confirmedAtMs?: number;
  answeredAtMs: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function loadSeedEvent(): Promise<EventDefinition> {
  const file = path.join(repoRoot, 'events', 'dag-van-weerbaar-bestuur-2019.json');
  return eventDefinitionSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/** Picks a workshop id: the first with probability `shares[0]`, the second with `shares[1]`, the rest evenly. */
function pick(ids: string[], shares: number[]): string {
  let r = Math.random();
  for (const [i, share] of shares.entries()) {
    if (r < share) return ids[i] as string;
    r -= share;
  }
  const rest = ids.slice(shares.length);
  return (
    rest[Math.floor((r / Math.max(1e-9, 1 - shares.reduce((a, b) => a + b, 0))) * rest.length)] ??
    ids[0] ??
    ''
  );
}

/** `count` Poisson arrivals within `spreadMs`: uniform times, sorted. */
function arrivalTimes(count: number, spreadMs: number): number[] {
  return Array.from({ length: count }, () => Math.random() * spreadMs).sort((a, b) => a - b);
}

/** Strict first come, first served: in arrival order, a person gets in when every chosen workshop has a seat. */
function fcfsHolders(people: Person[], capacity: Map<string, number>): Set<number> {
  const left = new Map(capacity);
  const holders = new Set<number>();
  for (const p of people) {
    const wanted = Object.values(p.choices);
    if (wanted.every((id) => (left.get(id) ?? 0) > 0)) {
      for (const id of wanted) left.set(id, (left.get(id) ?? 0) - 1);
      holders.add(p.index);
    }
  }
  return holders;
}

/** Per workshop: the share of its seats held by its earliest `capacity` requesters (null when not contested). */
function fairnessOf(
  people: Person[],
  workshopId: string,
  capacity: number,
  holders: Set<number>,
): number | null {
  const requesters = people.filter((p) => Object.values(p.choices).includes(workshopId));
  if (requesters.length <= capacity) return null;
  const earliest = requesters.slice(0, capacity).filter((p) => holders.has(p.index)).length;
  return earliest / capacity;
}

const mean = (values: number[]) =>
  values.length === 0 ? 1 : values.reduce((a, b) => a + b, 0) / values.length;

async function runOnce(
  context: BenchContext,
  definition: EventDefinition,
  options: FlashCrowdOptions,
  serviceTimeMs: number,
): Promise<FlashCrowdRun> {
  const embedded = context.stack.embeddedDynamo;
  if (!embedded) throw new Error('the flash crowd needs the embedded DynamoDB (its conflict model)');
  const eventId = `flash-${serviceTimeMs}-${Date.now().toString(36)}`;
  await context.store.putEventDefinition(eventId, definition);

  const rounds = definition.rounds.map((round) => round.workshops.map((w) => w.id));
  const times = arrivalTimes(options.arrivals, options.spreadMs);
  const people: Person[] = times.map((arrivalMs, index) => ({
    index,
    arrivalMs,
    choices: Object.fromEntries(
      definition.rounds.map((round, r) => [
        round.id,
        pick(
          rounds[r] ?? [],
          r === 0 ? [options.favouriteShare, options.secondShare] : [options.favouriteShareRound2],
        ),
      ]),
    ),
    shownTryAgain: false,
    shownBeingHandled: false,
    shownInProgress: false,
    final: 'none',
    answeredAtMs: 0,
  }));

  embedded.setConflictModel({
    serviceTimeMedianMs: serviceTimeMs,
    serviceTimeSigma: options.serviceTimeSigma,
  });
  const client = httpClient(context.stack.apiUrl, options.maxSockets);
  const statuses: number[] = [];
  const tick = percentReporter(`flash-crowd ${serviceTimeMs} ms`, options.arrivals, 25);
  const started = performance.now();
  const now = () => performance.now() - started;

  const behave = async (p: Person) => {
    await sleep(p.arrivalMs);
    const key = randomUUID();
    const body = person('flash', p.index, p.choices);
    let manual = 0;
    for (let automatic = 0; ; ) {
      const response = await client.request('POST', `/events/${eventId}/registrations`, body, {
        'Idempotency-Key': key,
      });
      statuses.push(response.status);
      p.answeredAtMs = now();
      const code =
        response.status === 201
          ? 'CONFIRMED'
          : String(response.body?.error?.code ?? `HTTP_${response.status}`);
      p.final = code;
      if (code === 'CONFIRMED') {
        p.confirmedAtMs = p.answeredAtMs;
        return;
      }
      const uncertain = response.status === 0 || response.status >= 500;
      const retryAfter = Number(response.headers['retry-after']);
      const retryAfterS = Number.isFinite(retryAfter) ? retryAfter : undefined;
      const busyWait = busyRetryDelayMs(code, retryAfterS);
      if (busyWait !== undefined && automatic < BUSY_RETRIES) {
        automatic++;
        p.shownBeingHandled = true;
        await sleep(busyWait);
        continue;
      }
      const retryAfterMs = (retryAfterS ?? 1) * 1000;
      if (code === 'REQUEST_IN_PROGRESS') {
        p.shownInProgress = true;
        await sleep(IN_PROGRESS_WAIT_MS);
        continue;
      }
      if (!uncertain || manual >= options.manualRetries) {
        if (uncertain) p.shownTryAgain = true;
        return;
      }
      p.shownTryAgain = true;
      manual++;
      await sleep(retryAfterMs + READING_MS.min + Math.random() * (READING_MS.max - READING_MS.min));
    }
  };
  await Promise.all(
    people.map((p) =>
      behave(p).then(tick, (error: unknown) => {
        p.final = `BENCH_ERROR ${String(error)}`;
        tick();
      }),
    ),
  );
  const durationMs = now();
  client.close();
  const stats = embedded.conflictStats();
  embedded.setConflictModel(undefined);

  const state = await readEventState(context.documentClient, context.stack.tableName, eventId);
  const capacity = new Map(
    definition.rounds.flatMap((round) => round.workshops.map((w) => [w.id, w.capacity] as const)),
  );
  const confirmedPeople = people.filter((p) => p.confirmedAtMs !== undefined);
  const holders = new Set(confirmedPeople.map((p) => p.index));
  const fcfs = fcfsHolders(people, capacity);
  const workshops: FlashCrowdWorkshop[] = [...capacity].map(([id, seats]) => {
    const holding = confirmedPeople
      .filter((p) => Object.values(p.choices).includes(id))
      .sort((a, b) => (a.confirmedAtMs ?? 0) - (b.confirmedAtMs ?? 0));
    const last = holding.length >= seats ? holding[seats - 1] : undefined;
    return {
      id,
      capacity: seats,
      requesters: people.filter((p) => Object.values(p.choices).includes(id)).length,
      confirmed: holding.length,
      fairness: fairnessOf(people, id, seats, holders),
      fcfsFairness: fairnessOf(people, id, seats, fcfs),
      timeToFullMs:
        last?.confirmedAtMs === undefined
          ? null
          : Math.round(last.confirmedAtMs - (people[0]?.arrivalMs ?? 0)),
    };
  });
  const contested = workshops.filter((w) => w.fairness !== null);
  const mostWanted = [...workshops].sort((a, b) => b.requesters - a.requesters)[0];
  const oversold = [...state.workshops.values()].reduce(
    (sum, w) => sum + Math.max(0, w.holders - w.capacity) + Math.max(0, w.taken - w.capacity),
    0,
  );
  return {
    serviceTimeMs,
    eventId,
    arrivals: options.arrivals,
    confirmed: confirmedPeople.length,
    tryAgainShown: people.filter((p) => p.shownTryAgain).length,
    beingHandledShown: people.filter((p) => p.shownBeingHandled).length,
    tryAgainAtEnd: people.filter((p) => p.final === 'TRY_AGAIN' || p.final.startsWith('CLIENT_')).length,
    inProgressShown: people.filter((p) => p.shownInProgress).length,
    refusedFull: people.filter((p) => p.final === 'WORKSHOP_FULL').length,
    fairness: round3(mean(contested.map((w) => w.fairness ?? 0))),
    fcfsFairness: round3(mean(contested.map((w) => w.fcfsFairness ?? 0))),
    conflictsPerRegistration: round3((stats?.transactionConflicts ?? 0) / options.arrivals),
    transactionConflicts: stats?.transactionConflicts ?? 0,
    timeToFullMs: mostWanted?.timeToFullMs ?? null,
    oversold,
    invariantViolations: invariantViolations(state),
    fiveXxOtherThan503: statuses.filter((s) => s >= 500 && s !== 503).length,
    requests: statuses.length,
    statuses: histogram(statuses),
    finalOutcomes: histogram(people.map((p) => p.final)),
    latencyMs: latencySummary(people.map((p) => p.answeredAtMs - p.arrivalMs)),
    durationMs: Math.round(durationMs),
    workshops: workshops.map((w) => ({
      ...w,
      fairness: w.fairness === null ? null : round3(w.fairness),
      fcfsFairness: w.fcfsFairness === null ? null : round3(w.fcfsFairness),
    })),
  };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export async function runFlashCrowd(
  context: BenchContext,
  options: FlashCrowdOptions,
): Promise<FlashCrowdResult> {
  const definition = await loadSeedEvent();
  const runs: FlashCrowdRun[] = [];
  for (const serviceTimeMs of options.serviceTimesMs) {
    progress(
      'flash-crowd',
      `${options.arrivals} arrivals within ${options.spreadMs} ms on the seed event's shape, conflict model on, ` +
        `median service time ${serviceTimeMs} ms`,
    );
    const run = await runOnce(context, definition, options, serviceTimeMs);
    progress(
      'flash-crowd',
      `${serviceTimeMs} ms: ${run.confirmed} confirmed, ${run.tryAgainShown} shown try-again, fairness ${run.fairness} ` +
        `(strict FCFS ${run.fcfsFairness}), ${run.conflictsPerRegistration} conflicts per registration, oversold ${run.oversold}, ` +
        `${round1(run.durationMs / 1000)} s`,
    );
    runs.push(run);
  }
  return { options, formAutomaticRetries: BUSY_RETRIES, runs };
}
