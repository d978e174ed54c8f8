/**
 * Flash crowd (issue 21): the moment registration opens. `arrivals` people arrive within `spreadMs` (a Poisson
 * process: given their number, the arrival times are uniform), most of them wanting the same one or two
 * workshops, on an event shaped like the seed event (events/dag-van-weerbaar-bestuur-2019.json: its rounds,
 * workshops and capacities). The embedded DynamoDB runs with its conflict model on (local/dynamodb/
 * conflict-model.ts), once per median service time, so overlapping transactions are cancelled as in DynamoDB.
 *
 * Each simulated person behaves as the web form (web/src/form.ts, web/src/api.ts) does, and as its messages
 * ask: one POST with an Idempotency-Key, naming per round the workshop chosen and, as the form's reserve choice,
 * the person's next preferences as `alternatives` (all of them, or `alternativesPerRound`), which the server takes
 * in order when the choice is full; on TRY_AGAIN (503) with a short Retry-After the form waits and sends
 * the same request again by itself, up to BUSY_RETRIES times (web/src/busy-retry.ts, the same rule). After that,
 * or on a network failure, it shows the try-again message; the person then waits the Retry-After seconds it
 * names, reads, and sends again with the same key (the form keeps the key of an uncertain outcome), up to
 * `manualRetries` times. REQUEST_IN_PROGRESS asks them to wait a few seconds and send again (same key).
 * WORKSHOP_FULL: the form fetches the event again (web/src/form/rounds.ts, onWorkshopFull → refreshSeats),
 * unchecks every chosen workshop without seats left and shows the seats left of the others; the person picks
 * the next workshop of their own preference that has seats in each such round, and sends again (a new body, so
 * a new Idempotency-Key). A person with no workshop left in a round gives up.
 *
 * Figures per service time: confirmed, tryAgainShown (people shown the try-again message at least once),
 * fairness (issue 21: per contested workshop, the share of its seats that went to its earliest `capacity`
 * requesters, averaged; a person requests a workshop when a request first names it as their choice, or names it
 * as an alternative the server came to: the taken one and those before it, or all of a round refused), next to what
 * strict first come, first served scores with the same people (in order of arrival, each served at once,
 * picking again at once when refused), conflicts per registration (TransactionConflict cancellations in the
 * embedded DynamoDB per arrival), time to full, and oversold (read back from the table).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type EventDefinition, eventDefinitionSchema } from '../lambdas/domain/event-definition.js';
import { repoRoot } from '../local/stack.js';
import { invariantViolations, readEventState } from '../test/model/invariants.js';
import { BUSY_RETRIES, busyRetryDelayMs } from '../web/src/busy-retry.js';
import { type CapacityOptions, type CapacityResult, measureCapacity } from './capacity.js';
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
  /**
   * Alternatives a person gives per round (their next preferences, the form's reserve choice), taken by the
   * server when the choice is full; 0: none, the person picks again after a refusal.
   */
  alternativesPerRound: number | 'all';
  /** Requests in flight at once (connections); the rest wait in order, as at a concurrency limit. */
  maxSockets: number;
  /** The capacity measurement after each rush, at the same service time (bench/capacity.ts). */
  capacity: CapacityOptions;
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
  /** People left without a seat: a round had no workshop left for them. */
  refusedFull: number;
  /** People who picked another workshop after WORKSHOP_FULL and sent again. */
  pickedAgain: number;
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
  /** Registrations per second one workshop and one event of this shape confirm under the model. */
  capacity: CapacityResult;
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
  /** Per round, the workshops in this person's order of preference. */
  preferences: Record<string, string[]>;
  /** What the person sends now: per round, one workshop. */
  choices: Record<string, string>;
  /**
   * Workshop id → when it was first requested (ms since the start): sent as a choice, or as an alternative the
   * server came to because the ones before it were full.
   */
  requestedAtMs: Map<string, number>;
  /** Times the person picked again after WORKSHOP_FULL. */
  repicks: number;
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

/**
 * A person's order of preference in a round: the first choice is the first workshop with probability
 * `shares[0]`, the second with `shares[1]`, the rest evenly; every next choice is drawn the same way from the
 * workshops left, the shares in proportion.
 */
function ranking(ids: string[], shares: number[]): string[] {
  const rest = 1 - shares.reduce((a, b) => a + b, 0);
  const weights = new Map(
    ids.map((id, i) => [id, shares[i] ?? rest / Math.max(1, ids.length - shares.length)] as const),
  );
  const order: string[] = [];
  while (weights.size > 0) {
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    let r = Math.random() * total;
    let chosen = [...weights.keys()].at(-1) as string;
    for (const [id, weight] of weights) {
      if (r < weight) {
        chosen = id;
        break;
      }
      r -= weight;
    }
    order.push(chosen);
    weights.delete(chosen);
  }
  return order;
}

/** `count` Poisson arrivals within `spreadMs`: uniform times, sorted. */
function arrivalTimes(count: number, spreadMs: number): number[] {
  return Array.from({ length: count }, () => Math.random() * spreadMs).sort((a, b) => a - b);
}

/**
 * Per round, the person's preferences after the workshop they choose now (those before it were full), at most
 * `perRound`: what they give as alternatives.
 */
function alternativesOf(p: Person, perRound: number | 'all'): Record<string, string[]> {
  const alternatives: Record<string, string[]> = {};
  for (const [roundId, order] of Object.entries(p.preferences)) {
    const next = order
      .slice(order.indexOf(p.choices[roundId] ?? '') + 1)
      .slice(0, perRound === 'all' ? undefined : perRound);
    if (next.length > 0) alternatives[roundId] = next;
  }
  return alternatives;
}

/** A round's choice and alternatives as sent, in order. */
const optionsOf = (
  sent: { choices: Record<string, string>; alternatives?: Record<string, string[]> },
  roundId: string,
) => [sent.choices[roundId] ?? '', ...(sent.alternatives?.[roundId] ?? [])];

/** Marks the workshops as requested by the person at `atMs`, unless requested before. */
function request(p: Person, workshopIds: readonly string[], atMs: number): void {
  for (const id of workshopIds) if (!p.requestedAtMs.has(id)) p.requestedAtMs.set(id, atMs);
}

/** Who holds which workshop at the end: person index → the workshops of their confirmed registration. */
type Outcome = { holders: Map<number, string[]>; requestedAtMs: Map<number, Map<string, number>> };

/**
 * Strict first come, first served with the same people: in order of arrival, each is served at once; a person
 * whose choice is full picks again at once (the next preference with a seat, as the form lets them), so every
 * request is at the person's arrival.
 */
function fcfsOutcome(people: Person[], capacity: Map<string, number>): Outcome {
  const left = new Map(capacity);
  const holders = new Map<number, string[]>();
  const requestedAtMs = new Map<number, Map<string, number>>();
  for (const p of people) {
    const requested = new Map<string, number>();
    const wanted: string[] = [];
    for (const order of Object.values(p.preferences)) {
      const first = order[0];
      if (first !== undefined) requested.set(first, p.arrivalMs);
      const seat = order.find((id) => (left.get(id) ?? 0) > 0);
      if (seat !== undefined) {
        requested.set(seat, p.arrivalMs);
        wanted.push(seat);
      }
    }
    requestedAtMs.set(p.index, requested);
    if (wanted.length !== Object.keys(p.preferences).length) continue;
    for (const id of wanted) left.set(id, (left.get(id) ?? 0) - 1);
    holders.set(p.index, wanted);
  }
  return { holders, requestedAtMs };
}

/**
 * Issue 21's fairness of one workshop: the share of its seats (those that went to anyone) held by its earliest
 * `capacity` requesters, in the order in which a request naming it was first sent (null when it was not
 * contested). A workshop that did not fill (the other round ran out of seats first) counts the seats it gave.
 */
function fairnessOf(workshopId: string, capacity: number, outcome: Outcome): number | null {
  const requesters = [...outcome.requestedAtMs]
    .flatMap(([index, times]) => {
      const at = times.get(workshopId);
      return at === undefined ? [] : [{ index, at }];
    })
    .sort((a, b) => a.at - b.at || a.index - b.index);
  if (requesters.length <= capacity) return null;
  const given = [...outcome.holders.values()].filter((held) => held.includes(workshopId)).length;
  const earliest = requesters
    .slice(0, capacity)
    .filter(({ index }) => outcome.holders.get(index)?.includes(workshopId)).length;
  return given === 0 ? 1 : earliest / Math.min(capacity, given);
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
  const people: Person[] = times.map((arrivalMs, index) => {
    const preferences = Object.fromEntries(
      definition.rounds.map((round, r) => [
        round.id,
        ranking(
          rounds[r] ?? [],
          r === 0 ? [options.favouriteShare, options.secondShare] : [options.favouriteShareRound2],
        ),
      ]),
    );
    return {
      index,
      arrivalMs,
      preferences,
      choices: Object.fromEntries(
        Object.entries(preferences).map(([roundId, order]) => [roundId, order[0] ?? '']),
      ),
      requestedAtMs: new Map(),
      repicks: 0,
      shownTryAgain: false,
      shownBeingHandled: false,
      shownInProgress: false,
      final: 'none',
      answeredAtMs: 0,
    };
  });

  embedded.setConflictModel({
    serviceTimeMedianMs: serviceTimeMs,
    serviceTimeSigma: options.serviceTimeSigma,
  });
  const client = httpClient(context.stack.apiUrl, options.maxSockets);
  // The form's read of the event goes past the registration function's queue: in AWS the stage cache answers
  // `GET /events/{eventId}` (README, Benchmarks and budgets), not the functions busy with registrations.
  const reader = httpClient(context.stack.apiUrl, 8);
  const statuses: number[] = [];
  const tick = percentReporter(`flash-crowd ${serviceTimeMs} ms`, options.arrivals, 25);
  const started = performance.now();
  const now = () => performance.now() - started;

  /**
   * After WORKSHOP_FULL, as the form does: the event fetched again, every chosen workshop without seats left
   * replaced by the person's next preference with seats. False when a round has none left (the person stops).
   */
  const pickAgain = async (p: Person, refused: string[]): Promise<boolean> => {
    const response = await reader.request('GET', `/events/${eventId}`);
    statuses.push(response.status);
    const rounds = (response.body?.rounds ?? []) as {
      id: string;
      workshops: { id: string; seatsLeft: number }[];
    }[];
    const seatsLeft = new Map(rounds.flatMap((round) => round.workshops.map((w) => [w.id, w.seatsLeft])));
    for (const [roundId, chosen] of Object.entries(p.choices)) {
      if (!refused.includes(chosen) && (seatsLeft.get(chosen) ?? 1) > 0) continue;
      const next = p.preferences[roundId]?.find(
        (id) => id !== chosen && !refused.includes(id) && (seatsLeft.get(id) ?? 0) > 0,
      );
      if (next === undefined) return false;
      p.choices[roundId] = next;
    }
    p.repicks++;
    return true;
  };

  /** The request's body: the person, their choices and, per round, their next preferences as alternatives. */
  const bodyOf = (p: Person) => {
    const alternatives = alternativesOf(p, options.alternativesPerRound);
    return {
      // A copy: picking again changes the person's choices, not what this body sent.
      ...person('flash', p.index, { ...p.choices }),
      ...(Object.keys(alternatives).length > 0 ? { alternatives } : {}),
    };
  };

  const behave = async (p: Person) => {
    await sleep(p.arrivalMs);
    let key = randomUUID();
    let body = bodyOf(p);
    let manual = 0;
    for (let automatic = 0; ; ) {
      const sentAtMs = now();
      const sent = body;
      request(p, Object.values(sent.choices), sentAtMs);
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
        // Where an alternative was taken, the server came to it past the full ones before it.
        const taken = (response.body?.registration?.choices ?? {}) as Record<string, string>;
        for (const [roundId, workshopId] of Object.entries(taken)) {
          const options = optionsOf(sent, roundId);
          request(p, options.slice(0, options.indexOf(workshopId) + 1), sentAtMs);
        }
        p.choices = { ...p.choices, ...taken };
        p.confirmedAtMs = p.answeredAtMs;
        return;
      }
      if (code === 'WORKSHOP_FULL') {
        const refused = (response.body?.error?.details?.workshopIds ?? []) as string[];
        // A round refused names its choice and every alternative: all of them were come to.
        for (const roundId of Object.keys(sent.choices)) {
          const options = optionsOf(sent, roundId);
          if (options.every((id) => refused.includes(id))) request(p, options, sentAtMs);
        }
        if (!(await pickAgain(p, refused))) return;
        // Reading the message, picking and pressing the button again; a new body gets a new key.
        await sleep(READING_MS.min + Math.random() * (READING_MS.max - READING_MS.min));
        key = randomUUID();
        body = bodyOf(p);
        automatic = 0;
        manual = 0;
        continue;
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
  reader.close();
  const stats = embedded.conflictStats();
  const capacityMeasured = await measureCapacity(context, definition, options.capacity);
  embedded.setConflictModel(undefined);

  const state = await readEventState(context.documentClient, context.stack.tableName, eventId);
  const capacity = new Map(
    definition.rounds.flatMap((round) => round.workshops.map((w) => [w.id, w.capacity] as const)),
  );
  const confirmedPeople = people.filter((p) => p.confirmedAtMs !== undefined);
  const outcome: Outcome = {
    holders: new Map(confirmedPeople.map((p) => [p.index, Object.values(p.choices)])),
    requestedAtMs: new Map(people.map((p) => [p.index, p.requestedAtMs])),
  };
  const fcfs = fcfsOutcome(people, capacity);
  const workshops: FlashCrowdWorkshop[] = [...capacity].map(([id, seats]) => {
    const holding = confirmedPeople
      .filter((p) => Object.values(p.choices).includes(id))
      .sort((a, b) => (a.confirmedAtMs ?? 0) - (b.confirmedAtMs ?? 0));
    const last = holding.length >= seats ? holding[seats - 1] : undefined;
    return {
      id,
      capacity: seats,
      requesters: people.filter((p) => p.requestedAtMs.has(id)).length,
      confirmed: holding.length,
      fairness: fairnessOf(id, seats, outcome),
      fcfsFairness: fairnessOf(id, seats, fcfs),
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
    pickedAgain: people.filter((p) => p.repicks > 0).length,
    fairness: round3(mean(contested.map((w) => w.fairness ?? 0))),
    fcfsFairness: round3(mean(workshops.flatMap((w) => (w.fcfsFairness === null ? [] : [w.fcfsFairness])))),
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
    capacity: capacityMeasured,
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
        `capacity ${run.capacity.perWorkshopPerSecond}/s per workshop, ${run.capacity.perEventPerSecond}/s per event, ` +
        `${round1(run.durationMs / 1000)} s`,
    );
    runs.push(run);
  }
  return { options, formAutomaticRetries: BUSY_RETRIES, runs };
}
